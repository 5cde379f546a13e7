package org.scriptbox.manager.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;

/**
 * The bound on concurrent executions: at most {@code maxConcurrent} run at once (the pool's size acts
 * as the semaphore), at most {@code queueCapacity} wait, and anything beyond is refused at once with
 * BUSY rather than piling up. Idle threads end after a minute, so an idle container holds none.
 */
final class ExecutionGate {
    private final ThreadPoolExecutor pool;
    private final int queueCapacity;

    ExecutionGate(int maxConcurrent, int queueCapacity) {
        this.queueCapacity = queueCapacity;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "scriptbox-exec-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        pool = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 60, TimeUnit.SECONDS,
                queueCapacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueCapacity), threads);
        pool.allowCoreThreadTimeOut(true);
    }

    /** @throws ScriptException BUSY when every slot and every queue place is taken */
    void submit(Runnable execution) {
        try {
            pool.execute(execution);
        } catch (RejectedExecutionException e) {
            throw new ScriptException(ScriptError.of(ErrorKind.BUSY, "rejected: system busy (" + pool.getActiveCount()
                    + " executions running, " + pool.getQueue().size() + " of " + queueCapacity
                    + " queue places taken); try again later"));
        }
    }

    /** Changes the bound while running; executions already started are not affected. */
    void resize(int maxConcurrent) {
        if (maxConcurrent > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(maxConcurrent);
            pool.setCorePoolSize(maxConcurrent);
        } else {
            pool.setCorePoolSize(maxConcurrent);
            pool.setMaximumPoolSize(maxConcurrent);
        }
    }

    int queueCapacity() {
        return queueCapacity;
    }

    /** Takes no new work; what was admitted still runs to its end, then the threads go. */
    void drain() {
        pool.shutdown();
    }

    int active() {
        return pool.getActiveCount();
    }

    int queued() {
        return pool.getQueue().size();
    }

    /** Stops taking work; waits a little for executions (already cancelled by the caller) to end. */
    void shutdown() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
