package org.scriptbox.devices.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;

/**
 * Makes the scripts' emergency stop idempotent: repeated stops of a device join the stop in flight, or the
 * one that finished less than {@code windowNanos} ago, as long as no write was handed to that device since
 * that stop was sent. So a loop of 20,000 stops costs one driver command per device (and one log line),
 * while a stop after a new command always reaches the driver. Thread-safe.
 */
final class EmergencyStops {
    /** One stop sent to a device: what it will report, and the device's write count when it was sent. */
    private record Round(Promise<StopReport> report, long writesAtSend, AtomicLong doneAt) {
    }

    /** A stop as the caller gets it: {@code fresh} when this call sent it (and so logs it). */
    record Ticket(String deviceId, Promise<StopReport> report, boolean fresh, long coalescedBefore) {
    }

    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<String, Round> last = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> writes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> coalesced = new ConcurrentHashMap<>();

    EmergencyStops(long windowNanos, LongSupplier nanoClock) {
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /** Called just before a write (motor, output, safe state) is handed to the device's driver. */
    void wrote(String deviceId) {
        writes.computeIfAbsent(deviceId, k -> new AtomicLong()).incrementAndGet();
    }

    Ticket stop(Device device) {
        String id = device.id();
        synchronized (lockFor(id)) {
            long writesNow = writes.computeIfAbsent(id, k -> new AtomicLong()).get();
            Round r = last.get(id);
            if (r != null && r.writesAtSend() == writesNow && recent(r)) {
                coalesced.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
                return new Ticket(id, r.report(), false, 0);
            }
            Promise<StopReport> report;
            try {
                report = device.emergencyStop();
            } catch (RuntimeException e) {
                // A broken driver: its stop could not even be tried.
                report = Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.UNREACHABLE,
                        "the driver could not send the stop"));
            }
            AtomicLong doneAt = new AtomicLong(Long.MIN_VALUE);
            report.onResolve(() -> doneAt.set(nanoClock.getAsLong()));
            last.put(id, new Round(report, writesNow, doneAt));
            AtomicLong c = coalesced.get(id);
            return new Ticket(id, report, true, c == null ? 0 : c.getAndSet(0));
        }
    }

    /** In flight, or finished within the window having stopped every target (an incomplete stop is tried again). */
    private boolean recent(Round r) {
        if (!r.report().isDone()) {
            return true;
        }
        long done = r.doneAt().get();
        if (done != Long.MIN_VALUE && nanoClock.getAsLong() - done >= windowNanos) {
            return false;
        }
        try {
            return r.report().getFailure() == null && r.report().getValue().complete();
        } catch (InterruptedException | java.lang.reflect.InvocationTargetException e) {
            return false;
        }
    }

    /** One lock per device id (ids are the operator's devices, so few). */
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

    private Object lockFor(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }
}
