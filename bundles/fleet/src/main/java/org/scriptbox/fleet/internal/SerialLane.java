package org.scriptbox.fleet.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs its tasks one at a time, in order, on a shared pool: the controller keeps one lane per group, so every
 * change of a group's rollouts is made by one task at a time (no locks around a rollout) while a stage waiting for
 * a silent gateway of one group holds that group's lane only, never another group's rollout.
 */
final class SerialLane implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialLane.class);
    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    SerialLane(Executor pool) {
        this.pool = pool;
    }

    /** Queues the task; after the pool's shutdown (the controller closing) it is dropped. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (draining.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException closing) {
                tasks.clear();
                draining.set(false);
            }
        }
    }

    private void drain() {
        try {
            for (Runnable t; (t = tasks.poll()) != null; ) {
                if (Thread.currentThread().isInterrupted()) {   // the pool is shutting down
                    tasks.clear();
                    return;
                }
                try {
                    t.run();
                } catch (RuntimeException e) {
                    LOG.error("fleet: a rollout task failed", e);
                }
            }
        } finally {
            draining.set(false);
        }
        if (!tasks.isEmpty()) {   // queued between the last poll and the flag's reset
            schedule();
        }
    }
}
