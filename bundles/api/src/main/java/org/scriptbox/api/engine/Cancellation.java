package org.scriptbox.api.engine;

import java.util.concurrent.TimeUnit;

/**
 * A cancel flag shared between the code that runs an execution and the code that may stop it (shell,
 * undeploy, shutdown). Thread-safe. Waiting on it lets {@code sleep()} end the moment a cancel comes.
 */
public final class Cancellation {
    private final Object lock = new Object();
    private volatile String reason;

    /** Requests cancellation; the first reason wins. */
    public void cancel(String why) {
        synchronized (lock) {
            if (reason == null) {
                reason = why == null ? "cancelled" : why;
            }
            lock.notifyAll();
        }
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /** Why it was cancelled, or {@code null}. */
    public String reason() {
        return reason;
    }

    /**
     * Waits up to {@code nanos} or until cancelled, whichever is first.
     * @return true if cancelled
     */
    public boolean await(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (reason == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }
}
