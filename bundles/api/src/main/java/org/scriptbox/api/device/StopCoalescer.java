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

    /** Stop passes sent so far (for status and tests). */
    public long passes() {
        return passes.get();
    }

    private boolean joinable(Pass p, BooleanSupplier unchangedSince) {
        if (!p.done) {
            return true;
        }
        if (nanoClock.getAsLong() - p.doneAt >= windowNanos) {
            return false;
        }
        try {
            return p.report.getFailure() == null && p.report.getValue().complete() && unchangedSince.getAsBoolean();
        } catch (InterruptedException | java.lang.reflect.InvocationTargetException e) {
            return false;   // cannot happen once resolved; a stop goes out rather than being skipped
        }
    }
}
