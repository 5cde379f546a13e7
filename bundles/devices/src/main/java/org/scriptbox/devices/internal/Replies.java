package org.scriptbox.devices.internal;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.engine.ExecutionScope;

/**
 * Waits for a driver's answer without ever hanging the script: a bounded wait, in short slices so that a
 * cancelled execution stops waiting at once. A driver that went away (its promise failed or never came
 * back) turns into a "device unavailable" Lua error.
 */
final class Replies {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Replies() {
    }

    static <T> T await(Args call, String deviceId, Promise<T> promise, long timeoutNanos, ExecutionScope scope) {
        if (!promise.isDone()) {
            waitFor(call, deviceId, promise, timeoutNanos, scope);
        }
        Throwable failure;
        try {
            failure = promise.getFailure();
            if (failure == null) {
                return promise.getValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw call.error(ErrorKind.CANCELLED, "interrupted waiting for device '" + deviceId + "'");
        } catch (InvocationTargetException e) {
            failure = e.getCause();
        }
        throw failed(call, deviceId, failure);
    }

    private static void waitFor(Args call, String deviceId, Promise<?> promise, long timeoutNanos,
                                ExecutionScope scope) {
        CountDownLatch done = new CountDownLatch(1);
        promise.onResolve(done::countDown);
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (!done.await(Math.min(SLICE_NANOS, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                if (scope != null && scope.cancellation().isCancelled()) {
                    throw call.error(ErrorKind.CANCELLED, "cancelled while waiting for device '" + deviceId + "'");
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw call.error(ErrorKind.DEVICE, "device unavailable: '" + deviceId + "' did not answer within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw call.error(ErrorKind.CANCELLED, "interrupted waiting for device '" + deviceId + "'");
        }
    }

    static RuntimeException failed(Args call, String deviceId, Throwable failure) {
        if (failure instanceof DeviceException) {
            return call.error(ErrorKind.DEVICE, "device unavailable: '" + deviceId + "': " + failure.getMessage());
        }
        return call.error(ErrorKind.DEVICE, "device '" + deviceId + "' failed: " + failure);
    }
}
