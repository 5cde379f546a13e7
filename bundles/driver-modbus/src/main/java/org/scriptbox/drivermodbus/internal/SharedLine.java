package org.scriptbox.drivermodbus.internal;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One RTU line shared by both lanes, and by every device configured on the same line: a serial bus (or a
 * gateway's one connection) carries one transaction at a time, so the stop lane cannot have a connection of its
 * own. Each lane's view takes the line for one exchange
 * (the stop lane for its whole pass); an e-stop waits at most for the one transaction on the wire, and the
 * command lane, paused by the stop, sends nothing further until the pass is done.
 */
final class SharedLine {
    /** One lock per line, whichever devices use it: several devices (units) on one RS-485 bus take turns. */
    private static final java.util.concurrent.ConcurrentMap<String, ReentrantLock> LINES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ModbusTransport line;
    private final ReentrantLock lock;

    /**
     * @param lineKey the line's identity ({@code /dev/ttyUSB0}, or {@code host:port} of a gateway): devices
     *                configured on the same line share its lock, so their frames never interleave
     */
    SharedLine(ModbusTransport line, String lineKey) {
        this.line = line;
        // keyed by the configured name, at most one entry per line ever configured
        this.lock = LINES.computeIfAbsent(lineKey, k -> new ReentrantLock(true));
    }

    /** A view for one lane. */
    ModbusTransport view() {
        return new ModbusTransport() {
            @Override
            public byte[] exchange(ModbusRequest request, long deadlineNanos, Supplier<String> withdrawal)
                    throws ModbusFailure {
                lock.lock();
                try {
                    return line.exchange(request, deadlineNanos, withdrawal);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public List<Reply> exchangeAll(List<ModbusRequest> requests, long deadlineNanos) {
                lock.lock();
                try {
                    return line.exchangeAll(requests, deadlineNanos);
                } finally {
                    lock.unlock();
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

            /** While the other lane uses the line it is in use, hence open (never waits for it). */
            @Override
            public boolean stillOpen() {
                if (!lock.tryLock()) {
                    return true;
                }
                try {
                    return line.stillOpen();
                } finally {
                    lock.unlock();
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
