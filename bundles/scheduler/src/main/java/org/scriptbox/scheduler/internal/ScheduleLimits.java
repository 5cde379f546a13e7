package org.scriptbox.scheduler.internal;

import java.time.Duration;

/**
 * What one schedule may ask of the container: the shortest time between two fires (shorter interval and
 * cron schedules are refused, at deploy and at {@code sched:set}), and how many runs of a {@code parallel}
 * schedule may be under way at once (further fires are skipped, so a fast schedule cannot pile runs into
 * the manager's queue).
 */
record ScheduleLimits(Duration minInterval, int maxParallelRuns) {
    static final ScheduleLimits DEFAULTS = new ScheduleLimits(Duration.ofMillis(100), 5);

    ScheduleLimits {
        if (minInterval.isNegative() || maxParallelRuns < 1) {
            throw new IllegalArgumentException("min interval must not be negative and max parallel runs at least 1");
        }
    }

    /** @throws IllegalArgumentException with one sentence if the trigger can fire more often than allowed */
    void check(Trigger trigger) {
        Duration shortest = trigger.shortestGap();
        if (shortest != null && shortest.compareTo(minInterval) < 0) {
            throw new IllegalArgumentException("the schedule fires every " + text(shortest)
                    + ", more often than the minimum schedule interval of " + text(minInterval)
                    + " (min.interval.ms in etc/org.scriptbox.scheduler.cfg)");
        }
    }

    private static String text(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000 || ms % 1000 != 0) {
            return ms == 0 && !d.isZero() ? d.toNanos() + "ns" : ms + "ms";
        }
        return ms % 60_000 != 0 ? ms / 1000 + "s" : ms / 60_000 + "m";
    }
}
