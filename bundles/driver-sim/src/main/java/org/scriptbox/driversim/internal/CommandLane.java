package org.scriptbox.driversim.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.WriteOutcome;

/**
 * The ordinary lane of one simulated device: requests are sent one at a time, in order, each waiting for
 * its answer (like a serial Modbus master). At the moment of sending, a request whose caller gave up is
 * withdrawn; an emergency stop {@linkplain #abandonQueued abandons} everything still queued. Sending and
 * abandoning hold the same wire lock, so nothing queued before a stop can reach the device after it.
 */
final class CommandLane {
    private record Pending<T>(Deferred<T> deferred, CallContext ctx, Supplier<Exchange<T>> send, long epoch) {
    }

    private final Object wire = new Object();
    private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Timing timing;
    private final HealthTracker health;
    final AtomicLong withdrawn = new AtomicLong();
    final AtomicLong abandoned = new AtomicLong();
    /** Bumped by every stop: requests queued under an older epoch are never sent. Guarded by {@link #wire}. */
    private long epoch;
    private boolean closed;
    private volatile Pending<?> inFlight;

    /** The simulated device's answer times, read per request since faults change at runtime. */
    interface Timing {
        long delayMillis();

        long responseTimeoutMillis();
    }

    CommandLane(String deviceId, Timing timing, HealthTracker health) {
        this.timing = timing;
        this.health = health;
        this.worker = new Thread(this::work, "sim-device-" + deviceId);
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a request; {@code send} runs under the wire lock when its turn comes (it applies the command). */
    <T> Promise<T> submit(CallContext ctx, Supplier<Exchange<T>> send) {
        Deferred<T> d = new Deferred<>();
        synchronized (wire) {
            if (closed) {
                return Promises.failed(DeviceException.stopped(WriteOutcome.NOT_SENT));
            }
            queue.add(new Pending<>(d, ctx, send, epoch));
        }
        return d.getPromise();
    }

    /**
     * Runs {@code stop} under the wire lock after failing every request still queued ({@link WriteOutcome#NOT_SENT}):
     * the request being answered right now was already sent and lands before the stop.
     */
    <T> T abandonQueued(Supplier<T> stop) {
        List<Pending<?>> left = new ArrayList<>();
        T result;
        synchronized (wire) {
            epoch++;
            queue.drainTo(left);
            result = stop.get();
        }
        for (Pending<?> p : left) {
            abandoned.incrementAndGet();
            fail(p.deferred(), DeviceException.withdrawn("abandoned for an emergency stop"));
        }
        return result;
    }

    /** Runs {@code work} under the wire lock without abandoning anything (a safe state). */
    <T> T onWire(Supplier<T> work) {
        synchronized (wire) {
            return work.get();
        }
    }

    int queued() {
        return queue.size();
    }

    void close() {
        List<Pending<?>> left = new ArrayList<>();
        synchronized (wire) {
            closed = true;
            queue.drainTo(left);
        }
        for (Pending<?> p : left) {
            fail(p.deferred(), DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        worker.interrupt();
        Pending<?> p = inFlight;
        if (p != null) {
            fail(p.deferred(), DeviceException.stopped(WriteOutcome.UNKNOWN));
        }
    }

    /** A promise may already be settled by {@link #close()} racing with the worker: the first word counts. */
    private static void fail(Deferred<?> d, Throwable t) {
        try {
            d.fail(t);
        } catch (IllegalStateException alreadySettled) {
            // close() or the worker was first
        }
    }

    private static <T> void resolve(Deferred<T> d, T value) {
        try {
            d.resolve(value);
        } catch (IllegalStateException alreadySettled) {
            // close() was first
        }
    }

    private void work() {
        try {
            while (true) {
                Pending<?> p = queue.take();
                inFlight = p;
                try {
                    run(p);
                } catch (InterruptedException stopping) {
                    // close() interrupted the answer wait: settle it here, close() may have looked already.
                    fail(p.deferred(), DeviceException.stopped(WriteOutcome.UNKNOWN));
                    return;
                } finally {
                    inFlight = null;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private <T> void run(Pending<T> p) throws InterruptedException {
        Exchange<T> x;
        long sentAt = System.nanoTime();
        synchronized (wire) {
            if (closed) {
                fail(p.deferred(), DeviceException.stopped(WriteOutcome.NOT_SENT));
                return;
            }
            if (p.epoch() != epoch) {
                abandoned.incrementAndGet();
                fail(p.deferred(), DeviceException.withdrawn("abandoned for an emergency stop"));
                return;
            }
            if (p.ctx().withdrawn()) {
                withdrawn.incrementAndGet();
                fail(p.deferred(), DeviceException.withdrawn("the caller gave up before it was sent"));
                return;
            }
            x = p.send().get();
        }
        if (!x.sent()) {
            health.failed(x.failure().getMessage());
            fail(p.deferred(), x.failure());
            return;
        }
        long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(timing.responseTimeoutMillis()),
                p.ctx().remainingNanos());
        long answerNanos = TimeUnit.MILLISECONDS.toNanos(timing.delayMillis());
        if (x.answers() && answerNanos <= waitNanos) {
            TimeUnit.NANOSECONDS.sleep(answerNanos);   // the simulated device's own answer time
            health.good(System.nanoTime() - sentAt);
            if (x.failure() != null) {
                fail(p.deferred(), x.failure());
            } else {
                resolve(p.deferred(), x.value());
            }
        } else {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
            String why = "no answer within " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms";
            health.failed(why);
            fail(p.deferred(), DeviceException.noAnswer("sent, " + why));
        }
    }
}
