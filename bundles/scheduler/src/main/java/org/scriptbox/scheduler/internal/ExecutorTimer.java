package org.scriptbox.scheduler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link TimerService}: one {@link ScheduledThreadPoolExecutor} (a heap of pending tasks
 * served by a small fixed number of threads, one by default) for every schedule of the container.
 *
 * <p>The executor measures delays with the monotonic clock while fire times are wall-clock instants.
 * A wait longer than {@link #MAX_WAIT} is therefore cut into steps and re-computed against the clock,
 * so a change of the host's clock (NTP step, manual set) is followed within a minute, and a task that
 * wakes early is simply put back.
 */
final class ExecutorTimer implements TimerService {
    static final Duration MAX_WAIT = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorTimer.class);

    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;

    ExecutorTimer(Clock clock, int threads) {
        this.clock = clock;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "scriptbox-scheduler-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);   // cancelled schedules must not linger in the queue
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Handle at(Instant when, Runnable task) {
        PendingTask pending = new PendingTask(when, task);
        pending.arm();
        return pending;
    }

    ScheduledThreadPoolExecutor executor() {
        return executor;
    }

    void shutdown() {
        executor.shutdownNow();
    }

    private final class PendingTask implements Handle, Runnable {
        private final Instant when;
        private final Runnable task;
        private volatile boolean cancelled;
        private volatile Future<?> future;

        PendingTask(Instant when, Runnable task) {
            this.when = when;
            this.task = task;
        }

        void arm() {
            if (cancelled || executor.isShutdown()) {
                return;
            }
            long nanos = Math.max(0, Duration.between(clock.instant(), when).toNanos());
            future = executor.schedule(this, Math.min(nanos, MAX_WAIT.toNanos()), TimeUnit.NANOSECONDS);
            if (cancelled) {
                future.cancel(false);
            }
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            if (clock.instant().isBefore(when)) {
                arm();   // a long wait cut short, or the wall clock moved back
                return;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // A failing task must not kill the shared timer thread.
                LOG.error("scheduler task failed", e);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            Future<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
