package org.scriptbox.scheduler.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import org.scriptbox.api.config.ConfigReader;

/**
 * The scheduler's configuration (PID {@code org.scriptbox.scheduler}) as one immutable value, read from the
 * raw properties: a value out of range or not a number is refused with one line and the current one kept
 * (SCR's own conversion would throw on {@code abc} and let {@code 0} or {@code -1} through).
 *
 * @param timerThreads        threads that fire schedules
 * @param saveIntervalSeconds seconds between saves of the last fire times
 * @param limits              what one schedule may ask of the container
 */
record SchedulerSettings(int timerThreads, int saveIntervalSeconds, ScheduleLimits limits) {
    static final SchedulerSettings DEFAULTS = new SchedulerSettings(1, 5, ScheduleLimits.DEFAULTS);

    static SchedulerSettings read(Map<String, ?> properties, SchedulerSettings current, Consumer<String> refused) {
        ConfigReader r = new ConfigReader(ScriptSchedulerComponent.PID, properties);
        ScheduleLimits d = DEFAULTS.limits;
        ScheduleLimits c = current.limits;
        int threads = r.intBetween("timer.threads", 1, 64, DEFAULTS.timerThreads, current.timerThreads);
        int save = r.intBetween("save.interval.seconds", 1, 3600, DEFAULTS.saveIntervalSeconds, current.saveIntervalSeconds);
        long minMs = r.longBetween("min.interval.ms", 0, 86_400_000, d.minInterval().toMillis(), c.minInterval().toMillis());
        int parallel = r.intBetween("max.parallel.runs", 1, 10_000, d.maxParallelRuns(), c.maxParallelRuns());
        r.refusals().forEach(refused);
        return new SchedulerSettings(threads, save, new ScheduleLimits(Duration.ofMillis(minMs), parallel));
    }
}
