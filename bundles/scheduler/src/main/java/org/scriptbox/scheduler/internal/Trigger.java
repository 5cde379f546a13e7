package org.scriptbox.scheduler.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.scheduler.internal.cron.CronExpression;

/**
 * The arithmetic of one validated {@link ScheduleSpec}: its first fire time and the one after each fire.
 * Made by {@link #of}, which turns every mistake in a spec into an {@link IllegalArgumentException} with
 * one sentence for the operator.
 */
final class Trigger {
    /** Longest interval or delay: beyond it the fire-time arithmetic (nanoseconds, instants) would overflow. */
    static final Duration LONGEST = Duration.ofDays(3660);

    private final ScheduleSpec spec;
    private final CronExpression cron;   // CRON only

    private Trigger(ScheduleSpec spec, CronExpression cron) {
        this.spec = spec;
        this.cron = cron;
    }

    static Trigger of(ScheduleSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("no schedule given");
        }
        switch (spec.kind()) {
            case ONCE:
                if (spec.at() == null && spec.delay() == null) {
                    throw new IllegalArgumentException("a once schedule needs a time ('at') or a delay");
                }
                if (spec.delay() != null && spec.delay().isNegative()) {
                    throw new IllegalArgumentException("the delay of a once schedule must not be negative");
                }
                requireAtMostTenYears("delay", spec.delay());
                return new Trigger(spec, null);
            case INTERVAL:
                if (spec.interval() == null || spec.interval().isZero() || spec.interval().isNegative()) {
                    throw new IllegalArgumentException("an interval schedule needs a positive interval");
                }
                if (spec.delay() != null && spec.delay().isNegative()) {
                    throw new IllegalArgumentException("the first-run delay must not be negative");
                }
                requireAtMostTenYears("interval", spec.interval());
                requireAtMostTenYears("first-run delay", spec.delay());
                return new Trigger(spec, null);
            case CRON:
                return new Trigger(spec, CronExpression.parse(spec.cron(), zone(spec.zone())));
            case MANUAL:
                return new Trigger(spec, null);
            default:
                throw new IllegalArgumentException("unknown schedule kind " + spec.kind());
        }
    }

    private static void requireAtMostTenYears(String what, Duration d) {
        if (d != null && d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("the " + what + " must be at most 3660 days (about ten years)");
        }
    }

    private static ZoneId zone(String id) {
        if (id == null || id.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(id.strip());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + id + "' (use an id such as Europe/Berlin or UTC)");
        }
    }

    ScheduleSpec spec() {
        return spec;
    }

    boolean isReboot() {
        return cron != null && cron.isReboot();
    }

    /** A lower bound of the time between two fires, or null for schedules that fire at most once. */
    Duration shortestGap() {
        switch (spec.kind()) {
            case INTERVAL:
                return spec.interval();
            case CRON:
                return cron.isReboot() ? null : cron.shortestGap();
            default:
                return null;
        }
    }

    /** First fire time of a schedule armed at {@code now} without history, or null for none. */
    Instant first(Instant now) {
        switch (spec.kind()) {
            case ONCE:
                return spec.at() != null ? spec.at() : now.plus(spec.delay());
            case INTERVAL:
                return now.plus(spec.delay() != null ? spec.delay() : spec.interval());
            case CRON:
                return cron.isReboot() ? now : cron.next(now);
            default:
                return null;
        }
    }

    /** The fire time due after {@code previous} (a fire time), or null if the schedule is finished. */
    Instant after(Instant previous) {
        switch (spec.kind()) {
            case INTERVAL:
                return previous.plus(spec.interval());
            case CRON:
                return cron.next(previous);
            default:
                return null;   // ONCE, MANUAL, @reboot fire at most once
        }
    }

    /** For interval schedules: the first grid point {@code previous + k * interval} after {@code now}. */
    Instant nextOnGridAfter(Instant previous, Instant now) {
        Duration every = spec.interval();
        long behind = Duration.between(previous, now).toNanos();
        long steps = behind < 0 ? 1 : behind / every.toNanos() + 1;
        return previous.plus(every.multipliedBy(steps));
    }

    /** The next {@code count} fire times after {@code from}, as a fresh arming at {@code from} would see them. */
    List<Instant> upcoming(Instant from, int count) {
        List<Instant> out = new ArrayList<>();
        Instant t = spec.kind() == ScheduleSpec.Kind.CRON && !cron.isReboot() ? cron.next(from) : first(from);
        if (spec.kind() == ScheduleSpec.Kind.ONCE && t != null && !t.isAfter(from)) {
            t = null;
        }
        while (t != null && out.size() < count) {
            out.add(t);
            t = after(t);
        }
        return out;
    }
}
