package org.scriptbox.scheduler.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link TimerService} for tests: tasks run only when the test advances time, each with the clock set
 * to its due instant, in time order; no threads, no sleeps.
 */
final class ManualTimer implements TimerService {
    private final ManualClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;

    ManualTimer(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Handle at(Instant when, Runnable task) {
        Task t = new Task(when, sequence++, task);
        queue.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs every task due up to {@code now + by}, moving the clock along, and leaves the clock there. */
    void advance(Duration by) {
        Instant target = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.when.isAfter(target)) {
                    break;
                }
                queue.poll();
            }
            if (!next.cancelled) {
                if (next.when.isAfter(clock.instant())) {
                    clock.set(next.when);
                }
                next.task.run();
            }
        }
        clock.set(target);
    }

    /** Runs the tasks due now (e.g. a queued run handed back to the timer). */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock without running anything, as a suspended host or a late timer thread would. */
    void jump(Duration by) {
        clock.set(clock.instant().plus(by));
    }

    synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled).count();
    }

    private static final class Task implements Comparable<Task> {
        final Instant when;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Task(Instant when, long seq, Runnable task) {
            this.when = when;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Task o) {
            int c = when.compareTo(o.when);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
