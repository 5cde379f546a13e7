package org.scriptbox.api.device;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;

/**
 * Makes a device's emergency stop idempotent where every path passes, in the driver: a stop joins the stop
 * of that device still in flight, or one that stopped every target less than the window ago, as long as no
 * write was handed to the device since that stop was sent. So a thousand stops from scripts, the shell and
 * any API caller at once cost one pass on the wire, while a stop after a new command, or after a stop that
 * did not reach every target, always goes out. Drivers call {@link #wrote()} for every write (ordinary or
 * safe state) and send their stops through {@link #stop}. Thread-safe.
 *
 * @since 2.2
 */
public final class StopCoalescer {
    /** The window drivers use: long enough to absorb a burst, far shorter than any human's second press. */
    public static final long DEFAULT_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** One stop pass sent to the device: its report, the write count when it was sent, when it finished. */
    private static final class Pass {
        final Promise<StopReport> report;
        final long writesAtSend;
        volatile long doneAt;
        volatile boolean done;

        Pass(Promise<StopReport> report, long writesAtSend) {
            this.report = report;
            this.writesAtSend = writesAtSend;
        }
    }

    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private Pass last;
    /** Whether every stop latches the device (its configuration {@code estop.latch}). */
    private volatile boolean latching;
    /** Latched by a stop: ordinary writes are refused until an operator resets it. */
    private volatile boolean latched;

    public StopCoalescer() {
        this(DEFAULT_WINDOW_NANOS, System::nanoTime);
    }

    public StopCoalescer(long windowNanos, LongSupplier nanoClock) {
        this.windowNanos = windowNanos;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** A write is being handed to the device: the next stop must go out. */
    public void wrote() {
        writes.incrementAndGet();
    }

    /**
     * The report of the stop in flight or of the recent complete one, or of a new pass made by {@code send}
     * (if it throws, the stop fails NOT_SENT: the driver could not even try).
     */
    public Promise<StopReport> stop(Supplier<Promise<StopReport>> send) {
        return stop(() -> true, send);
    }

    /**
     * As {@link #stop(Supplier)}; a finished pass is joined only if {@code unchangedSince} also says the
     * device cannot have changed since it (e.g. the driver's stop connection is still the same and sound:
     * a device that restarted may have come back running). Asked only then, under this coalescer's lock.
     */
    public synchronized Promise<StopReport> stop(BooleanSupplier unchangedSince, Supplier<Promise<StopReport>> send) {
        if (latching) {
            latched = true;   // before the pass: a write racing the stop is refused from this moment
        }
        long writesNow = writes.get();
        Pass p = last;
        if (p != null && p.writesAtSend == writesNow && joinable(p, unchangedSince)) {
            return p.report;
        }
        Promise<StopReport> report;
        try {
            report = Objects.requireNonNull(send.get(), "stop report");
        } catch (RuntimeException e) {
            report = Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.UNREACHABLE,
                    "the driver could not send the stop"));
        }
        Pass sent = new Pass(report, writesNow);
        report.onResolve(() -> {
            sent.doneAt = nanoClock.getAsLong();
            sent.done = true;
        });
        last = sent;
        passes.incrementAndGet();
        return report;
    }

    /**
     * Makes every following stop latch the device (PLC-style): until {@link #reset()}, {@link #refusal} refuses
     * ordinary writes. Off: clears a latch.
     * @since 2.4
     */
    public void latching(boolean on) {
        latching = on;
        if (!on) {
            latched = false;
        }
    }

    /** @since 2.4 */
    public boolean latched() {
        return latched;
    }

    /**
     * The operator's reset: ordinary writes are accepted again (the next stop latches again).
     * @return whether it was latched
     * @since 2.4
     */
    public boolean reset() {
        boolean was = latched;
        latched = false;
        return was;
    }

    /**
     * Drivers call this before accepting an ordinary write: {@code null}, or the NOT_SENT refusal while latched.
     * Stops and safe states are never refused.
     * @since 2.4
     */
    public DeviceException refusal(String deviceId) {
        return latched ? new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.REFUSED, "not sent: device '"
                + deviceId + "' is latched by an emergency stop; an operator resets it (device:reset " + deviceId + ")")
                : null;
    }

    /** Stop passes sent so far (for status and tests). */
    public long passes() {
        return passes.get();
    }

    private boolean joinable(Pass p, BooleanSupplier unchangedSince) {
        // The promise, not the callback's flag: a caller released by the resolution may come here before the
        // callback ran, and must then see the pass as finished (an incomplete one is not joined).
        if (!p.report.isDone()) {
            return true;
        }
        long doneAt = p.done ? p.doneAt : nanoClock.getAsLong();
        if (nanoClock.getAsLong() - doneAt >= windowNanos) {
            return false;
        }
        try {
            return p.report.getFailure() == null && p.report.getValue().complete() && unchangedSince.getAsBoolean();
        } catch (InterruptedException | java.lang.reflect.InvocationTargetException e) {
            return false;   // cannot happen once resolved; a stop goes out rather than being skipped
        }
    }
}
