package org.scriptbox.devices.internal;

import org.scriptbox.api.text.OncePerInterval;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.engine.ExecutionScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a driver's answer without ever hanging the script: a bounded wait, in short slices so that a
 * cancelled execution stops waiting at once. Failures become Lua errors that say which of the four write
 * outcomes happened (never "failed" for something that may still happen) and carry no Java exception text.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A driver's unexpected exception is logged for the operator, at most once a minute per device. */
    private static final OncePerInterval DRIVER_ERRORS = new OncePerInterval(TimeUnit.MINUTES.toNanos(1));

    /** What the call was, for the wording of its failure. */
    enum Kind { WRITE, READ }

    private Replies() {
    }

    /**
     * @param gaveUp set when this wait ends without an answer, so the driver withdraws the request if unsent
     */
    static <T> T await(Args call, String deviceId, Kind kind, Promise<T> promise, long timeoutNanos,
                       ExecutionScope scope, GaveUp gaveUp) {
        if (!promise.isDone()) {
            waitFor(call, deviceId, kind, promise, timeoutNanos, scope, gaveUp);
        }
        Throwable failure;
        try {
            failure = promise.getFailure();
            if (failure == null) {
                return promise.getValue();
            }
        } catch (InterruptedException e) {
            gaveUp.set();
            Thread.currentThread().interrupt();
            throw call.error(ErrorKind.CANCELLED, "interrupted waiting for device '" + deviceId + "'");
        } catch (InvocationTargetException e) {
            failure = e.getCause();
        }
        throw failed(call, deviceId, kind, failure);
    }

    /** A flag the driver polls through its {@link org.scriptbox.api.device.CallContext}. */
    static final class GaveUp {
        private volatile boolean set;

        void set() {
            set = true;
        }

        boolean isSet() {
            return set;
        }
    }

    private static void waitFor(Args call, String deviceId, Kind kind, Promise<?> promise, long timeoutNanos,
                                ExecutionScope scope, GaveUp gaveUp) {
        CountDownLatch done = new CountDownLatch(1);
        promise.onResolve(done::countDown);
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (!done.await(Math.min(SLICE_NANOS, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                if (scope != null && scope.cancellation().isCancelled()) {
                    gaveUp.set();
                    throw call.error(ErrorKind.CANCELLED, "cancelled while waiting for device '" + deviceId + "'");
                }
                if (System.nanoTime() - deadline >= 0) {
                    gaveUp.set();
                    long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
                    throw call.error(ErrorKind.DEVICE, kind == Kind.WRITE
                            ? "outcome unknown: '" + deviceId + "' did not confirm within " + ms + " ms (if it was "
                            + "not sent yet it is withdrawn; if it was, the device may have applied it)"
                            : "device unavailable: '" + deviceId + "' did not answer within " + ms + " ms");
                }
            }
        } catch (InterruptedException e) {
            gaveUp.set();
            Thread.currentThread().interrupt();
            throw call.error(ErrorKind.CANCELLED, "interrupted waiting for device '" + deviceId + "'");
        }
    }

    static RuntimeException failed(Args call, String deviceId, Kind kind, Throwable failure) {
        if (failure instanceof DeviceException e) {
            return call.error(ErrorKind.DEVICE, describe(deviceId, kind, e));
        }
        // Not the SPI's way to fail: the text is the driver's internals, for the operator's log only.
        if (DRIVER_ERRORS.shouldLog(deviceId)) {
            LOG.warn("driver of device '{}' failed a call with an unexpected exception (repeats within a minute are "
                    + "not logged)", deviceId, failure);
        }
        return call.error(ErrorKind.DEVICE, "device '" + deviceId + "' failed: driver error (outcome unknown; see the "
                + "container log)");
    }

    /** The script's words for a device failure: which outcome, then the driver's plain message. */
    static String describe(String deviceId, Kind kind, DeviceException e) {
        String msg = e.getMessage() == null ? "" : ": " + e.getMessage();
        switch (e.outcome()) {
            case REFUSED:
                return "device error: '" + deviceId + "' refused" + msg;
            case UNKNOWN:
                return kind == Kind.WRITE
                        ? "outcome unknown: '" + deviceId + "'" + msg + " (the device may have applied it)"
                        : "device unavailable: '" + deviceId + "' did not answer" + msg;
            default:
                if (e.fault() == DeviceException.Fault.REFUSED) {
                    return "device error: '" + deviceId + "'" + msg;   // the driver would not send it
                }
                if (e.fault() == DeviceException.Fault.WITHDRAWN) {
                    return "not sent: '" + deviceId + "'" + msg;
                }
                return "device unavailable: '" + deviceId + "'" + msg + (kind == Kind.WRITE ? " (not sent)" : "");
        }
    }
}
