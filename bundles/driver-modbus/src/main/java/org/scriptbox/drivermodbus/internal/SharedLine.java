package org.scriptbox.drivermodbus.internal;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One RTU line shared by both lanes, and by every device configured on the same line: a serial bus (or a
 * gateway's one connection) carries one transaction at a time, so the stop lane cannot have a connection of its
 * own. Each lane's view takes the line for one exchange (the stop lane for its whole pass). A stop lane waiting
 * for the line goes before every ordinary exchange waiting for it, of any device on the bus: an e-stop waits at
 * most for the one transaction on the wire (bounded by that request's timeout), never for a queue of other
 * devices' commands; ordinary exchanges take turns in arrival order. The command lane, paused by the stop, sends
 * nothing further until the pass is done.
 */
final class SharedLine {
    /** What one line has, whichever devices use it: several devices (units) on one RS-485 bus take turns. */
    private static final class Line {
        final ReentrantLock guard = new ReentrantLock();
        final Condition changed = guard.newCondition();
        final LateAnswers late = new LateAnswers();
        boolean busy;
        /** Whether the one holding the line is a stop lane (a stop never gives way to another stop). */
        boolean stopHolds;
        volatile int stopsWaiting;
        long nextTicket;
        long serving;

        void acquire(boolean stop) {
            guard.lock();
            try {
                if (stop) {
                    stopsWaiting++;
                    try {
                        while (busy) {
                            changed.awaitUninterruptibly();
                        }
                    } finally {
                        stopsWaiting--;
                    }
                } else {
                    long ticket = nextTicket++;
                    while (busy || stopsWaiting > 0 || ticket != serving) {
                        changed.awaitUninterruptibly();
                    }
                    serving++;
                }
                busy = true;
                stopHolds = stop;
            } finally {
                guard.unlock();
            }
        }

        void release() {
            guard.lock();
            try {
                busy = false;
                changed.signalAll();
            } finally {
                guard.unlock();
            }
        }

        boolean stopHoldsNow() {
            guard.lock();
            try {
                return stopHolds;
            } finally {
                guard.unlock();
            }
        }

        boolean tryAcquire() {
            guard.lock();
            try {
                if (busy || stopsWaiting > 0 || nextTicket != serving) {
                    return false;
                }
                busy = true;
                stopHolds = false;
                return true;
            } finally {
                guard.unlock();
            }
        }
    }

    /** Keyed by the configured name, at most one entry per line ever configured. */
    private static final ConcurrentMap<String, Line> LINES = new ConcurrentHashMap<>();

    private final ModbusTransport line;
    private final Line shared;

    /**
     * @param lineKey the line's identity ({@code /dev/ttyUSB0}, or {@code host:port} of a gateway): devices
     *                configured on the same line share its turn-taking and its late answers
     */
    SharedLine(ModbusTransport line, String lineKey) {
        this.line = line;
        this.shared = LINES.computeIfAbsent(lineKey, k -> new Line());
    }

    /**
     * For the line's {@link RtuConnection}s: whether an ordinary exchange holding the line must give it to an
     * e-stop lane waiting for it (before its request is sent, or while it waits for the line to be quiet).
     */
    static java.util.function.BooleanSupplier giveWay(String lineKey) {
        Line l = LINES.computeIfAbsent(lineKey, k -> new Line());
        return () -> l.stopsWaiting > 0 && !l.stopHoldsNow();
    }

    /** The late answers of the line {@code lineKey}, for its {@link RtuConnection}s. */
    static LateAnswers lateAnswers(String lineKey) {
        return LINES.computeIfAbsent(lineKey, k -> new Line()).late;
    }

    /** A view for one lane; the stop lane's goes first. */
    ModbusTransport view(boolean stopLane) {
        return new ModbusTransport() {
            @Override
            public byte[] exchange(ModbusRequest request, long deadlineNanos, Supplier<String> withdrawal)
                    throws ModbusFailure {
                long budget = deadlineNanos - System.nanoTime();
                shared.acquire(stopLane);
                try {
                    // the request's time starts when it has the line: another device's silent slave holding the bus
                    // must not time out this device's requests (a caller that gave up meanwhile is withdrawn)
                    return line.exchange(request, System.nanoTime() + Math.max(0, budget), withdrawal);
                } finally {
                    shared.release();
                }
            }

            @Override
            public List<Reply> exchangeAll(List<ModbusRequest> requests, long deadlineNanos) {
                long budget = deadlineNanos - System.nanoTime();
                shared.acquire(stopLane);
                try {
                    // a stop's time for its answers starts when it has the line, not while it waited for the one on it
                    return line.exchangeAll(requests, System.nanoTime() + Math.max(0, budget));
                } finally {
                    shared.release();
                }
            }

            @Override
            public boolean pipelines() {
                return false;
            }

            @Override
            public boolean isOpen() {
                return line.isOpen();
            }

            /** While the line is in use (or wanted) it is in use, hence open (never waits for it). */
            @Override
            public boolean stillOpen() {
                if (!shared.tryAcquire()) {
                    return true;
                }
                try {
                    return line.stillOpen();
                } finally {
                    shared.release();
                }
            }

            @Override
            public void close() {
                line.close();
            }

            @Override
            public String toString() {
                return line.toString();
            }
        };
    }
}
