package org.scriptbox.drivermodbus.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.WriteOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lane for ordinary commands: one thread, one connection, commands in arrival order, and the periodic
 * probe when the lane is idle. A stop {@linkplain #pause pauses} it: commands still waiting are abandoned
 * (NOT_SENT) and none starts until the stop's pass is done. A write already on the wire when the stop came
 * cannot be called back, and on another connection the device may apply it after the stop's write; so
 * once its answer is in (or its time is up) the lane writes that actuator's stop value again, on this
 * same connection, which the device handles in order.
 */
final class CommandLane {
    private static final Logger LOG = LoggerFactory.getLogger(CommandLane.class);

    /** What the lane does when idle and due: the health probe, or a poll of every channel. */
    interface IdleWork {
        void run(ModbusTransport connection);
    }

    /** The work of one command, on the lane's connection. */
    interface Work<T> {
        T run(ModbusTransport connection, Command<T> command) throws DeviceException;
    }

    /** One command waiting for, or on, the lane. */
    static final class Command<T> {
        private final Deferred<T> deferred = new Deferred<>();
        private final CallContext context;
        private final Actuator writes;
        private final Work<T> work;
        private volatile String abandoned;
        /** The value to write again after this write, set by a stop that came while it was in flight. */
        private ModbusRequest restore;

        Command(CallContext context, Actuator writes, Work<T> work) {
            this.context = context;
            this.writes = writes;
            this.work = work;
        }

        CallContext context() {
            return context;
        }

        /** Why this command must not be sent now, or {@code null}: asked again right before it is sent. */
        String withdrawal() {
            String a = abandoned;
            if (a != null) {
                return a;
            }
            return context.withdrawn() ? "not sent: the caller gave up (cancelled or timed out) before it was sent"
                    : null;
        }

        void fail(DeviceException e) {
            deferred.fail(e);
        }
    }

    private final Object lock = new Object();
    private final ArrayDeque<Command<?>> queue = new ArrayDeque<>();
    private final ModbusTransport connection;
    private final DeviceLink link;
    private final IdleWork idle;
    /** Whether the idle work runs every interval (a poll) or only when nothing proved the link for that long. */
    private final boolean idleAlways;
    private final long probeIntervalNanos;
    private final Thread thread;
    private Command<?> inFlight;
    private int pauses;
    private boolean stopped;
    private long nextProbeNanos;

    CommandLane(String deviceId, ModbusTransport connection, DeviceLink link, ModbusRequest probe,
                int probeIntervalMillis) {
        this(deviceId, connection, link, c -> probe(link, c, probe), false, probeIntervalMillis);
    }

    CommandLane(String deviceId, ModbusTransport connection, DeviceLink link, IdleWork idle, boolean idleAlways,
                int probeIntervalMillis) {
        this.connection = connection;
        this.link = link;
        this.idle = idle;
        this.idleAlways = idleAlways;
        this.probeIntervalNanos = probeIntervalMillis * 1_000_000L;
        this.nextProbeNanos = System.nanoTime();
        this.thread = new Thread(this::loop, "modbus-" + deviceId);
        thread.setDaemon(true);
        thread.start();
    }

    <T> Promise<T> submit(CallContext context, Actuator writes, Work<T> work) {
        Command<T> command = new Command<>(context, writes, work);
        synchronized (lock) {
            if (stopped) {
                return failed(DeviceException.stopped(WriteOutcome.NOT_SENT));
            }
            queue.add(command);
            lock.notifyAll();
        }
        return command.deferred.getPromise();
    }

    /**
     * Holds the lane for a stop until {@link #resume()}. With {@code abandonWaiting} every command not yet sent
     * fails NOT_SENT (an e-stop); a write in flight gets {@code restoreOf(its actuator)} written after it
     * ({@code null}: nothing to restore).
     */
    void pause(boolean abandonWaiting, Function<Actuator, ModbusRequest> restoreOf) {
        List<Command<?>> abandoned = new ArrayList<>();
        synchronized (lock) {
            pauses++;
            // A write already answered was applied before this stop is sent: the stop overrides it, no rewrite.
            if (inFlight != null && inFlight.writes != null && !inFlight.deferred.getPromise().isDone()) {
                ModbusRequest r = restoreOf.apply(inFlight.writes);
                if (r != null) {
                    inFlight.restore = r;
                }
            }
            if (abandonWaiting) {
                if (inFlight != null) {
                    inFlight.abandoned = "not sent: abandoned for an emergency stop";
                }
                abandoned.addAll(queue);
                queue.clear();
            }
        }
        for (Command<?> c : abandoned) {
            c.fail(DeviceException.withdrawn("not sent: abandoned for an emergency stop"));
        }
    }

    /** Commands waiting for the lane (not counting the one in flight). */
    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    void resume() {
        synchronized (lock) {
            pauses--;
            lock.notifyAll();
        }
    }

    /** Fails every waiting command, ends the thread and closes the connection (which fails one in flight). */
    void shutdown() {
        List<Command<?>> left;
        synchronized (lock) {
            stopped = true;
            left = new ArrayList<>(queue);
            queue.clear();
            lock.notifyAll();
        }
        for (Command<?> c : left) {
            c.fail(DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }

    private void loop() {
        while (true) {
            Command<?> next;
            synchronized (lock) {
                next = awaitNext();
                if (stopped) {
                    break;
                }
                inFlight = next;
            }
            if (next == null) {
                probe();
                continue;
            }
            run(next);
            ModbusRequest restore;
            synchronized (lock) {
                inFlight = null;
                restore = next.restore;
            }
            if (restore != null) {
                restore(restore);
            }
        }
    }

    /** The next command, or {@code null} when a probe is due; called holding the lock. */
    private Command<?> awaitNext() {
        while (!stopped) {
            if (pauses == 0 && !queue.isEmpty()) {
                return queue.poll();
            }
            long now = System.nanoTime();
            if (pauses == 0 && probeIntervalNanos > 0 && now - nextProbeNanos >= 0) {
                nextProbeNanos = now + probeIntervalNanos;
                if (idleAlways || link.health().sinceLastAnswerNanos() >= probeIntervalNanos) {
                    return null;   // nothing proved the link lately: ask the device
                }
                continue;
            }
            long waitMillis = pauses == 0 && probeIntervalNanos > 0
                    ? Math.max(1, (nextProbeNanos - now) / 1_000_000) : 0;
            try {
                lock.wait(waitMillis);
            } catch (InterruptedException e) {
                stopped = true;
            }
        }
        return null;
    }

    private <T> void run(Command<T> command) {
        String withdrawn = command.withdrawal();
        if (withdrawn != null) {
            command.fail(DeviceException.withdrawn(withdrawn));
            return;
        }
        try {
            command.deferred.resolve(command.work.run(connection, command));
        } catch (DeviceException e) {
            command.fail(e);
        } catch (RuntimeException e) {
            LOG.error("modbus command failed unexpectedly", e);
            command.fail(new DeviceException(WriteOutcome.UNKNOWN, DeviceException.Fault.NO_ANSWER,
                    "outcome unknown: internal driver error"));
        }
    }

    private void probe() {
        try {
            idle.run(connection);
        } catch (RuntimeException e) {
            LOG.error("modbus: the idle probe or poll failed unexpectedly", e);
        }
    }

    private static void probe(DeviceLink link, ModbusTransport connection, ModbusRequest probe) {
        try {
            link.exchange(connection, probe, link.deadline(), () -> null);
        } catch (ModbusFailure f) {
            // recorded in the health by the link
        }
    }

    private void restore(ModbusRequest request) {
        try {
            link.exchange(connection, request, link.deadline(), () -> null);
        } catch (ModbusFailure f) {
            LOG.warn("modbus: rewriting the stop value after a write that raced the stop failed: {}", f.getMessage());
        }
    }

    private static <T> Promise<T> failed(DeviceException e) {
        Deferred<T> d = new Deferred<>();
        d.fail(e);
        return d.getPromise();
    }
}
