package org.scriptbox.api.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a script runs by itself. Exactly the fields of its {@link Kind} are set.
 *
 * @param kind     ONCE, INTERVAL, CRON or MANUAL
 * @param at       ONCE: the instant to run, or {@code null} when {@code delay} is given
 * @param delay    ONCE: run this long after arming; INTERVAL: first run after this (default: interval)
 * @param interval INTERVAL: time between runs
 * @param cron     CRON: a 5-field (or 6 with seconds) expression or macro such as {@code @hourly}
 * @param zone     CRON: time zone id, {@code null} for the system zone
 * @param overlap  what to do when a run is due while the previous one still runs
 * @param misfire  what to do with runs missed while the container was down
 */
public record ScheduleSpec(Kind kind, Instant at, Duration delay, Duration interval, String cron, String zone,
                           OverlapPolicy overlap, MisfirePolicy misfire) {

    public enum Kind { ONCE, INTERVAL, CRON, MANUAL }

    public ScheduleSpec {
        Objects.requireNonNull(kind, "kind");
        overlap = overlap == null ? OverlapPolicy.SKIP : overlap;
        misfire = misfire == null ? MisfirePolicy.SKIP : misfire;
    }

    public static ScheduleSpec manual() {
        return new ScheduleSpec(Kind.MANUAL, null, null, null, null, null, null, null);
    }

    public static ScheduleSpec interval(Duration every) {
        return new ScheduleSpec(Kind.INTERVAL, null, null, every, null, null, null, null);
    }

    public static ScheduleSpec cron(String expression, String zone) {
        return new ScheduleSpec(Kind.CRON, null, null, null, expression, zone, null, null);
    }

    public static ScheduleSpec once(Instant at) {
        return new ScheduleSpec(Kind.ONCE, at, null, null, null, null, null, null);
    }

    public static ScheduleSpec onceAfter(Duration delay) {
        return new ScheduleSpec(Kind.ONCE, null, delay, null, null, null, null, null);
    }
}
