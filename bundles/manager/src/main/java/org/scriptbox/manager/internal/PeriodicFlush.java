package org.scriptbox.manager.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's writer thread: calls {@code flush} every period and once more at {@link #close}. A period of 0 or
 * less starts no thread: the store then writes at once. The statistics and the traces share it.
 */
final class PeriodicFlush {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicFlush.class);

    private final long periodMillis;
    private final Runnable flush;
    private final String what;
    private final ScheduledExecutorService thread;
    private volatile boolean closed;

    /** @param what the words for the warning when a flush fails ("statistics", "traces") */
    PeriodicFlush(String threadName, String what, long periodMillis, Runnable flush) {
        this.periodMillis = periodMillis;
        this.flush = flush;
        this.what = what;
        if (periodMillis > 0) {
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(this::flushQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } else {
            thread = null;
        }
    }

    /** Whether writes wait for the next period (false: write at once, no period or already closed). */
    boolean coalescing() {
        return thread != null && !closed;
    }

    /** Whether a period was configured at all. */
    boolean periodic() {
        return thread != null;
    }

    long periodMillis() {
        return periodMillis;
    }

    // a periodic task that throws is never run again: one bad write must not stop all later ones
    private void flushQuietly() {
        try {
            flush.run();
        } catch (RuntimeException e) {
            LOG.warn("{} could not be written; trying again in {} ms", what, periodMillis, e);
        }
    }

    /** Stops the thread and writes what is left. */
    void close() {
        closed = true;
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush.run();
    }
}
