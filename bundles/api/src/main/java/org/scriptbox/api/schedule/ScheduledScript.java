package org.scriptbox.api.schedule;

import java.time.Instant;

/**
 * A script's armed schedule.
 *
 * @param scriptName     the script
 * @param spec           its schedule
 * @param nextFire       the next fire time, or {@code null} if none (finished ONCE, MANUAL)
 * @param lastFire       the previous fire time, or {@code null}
 * @param fireCount      how often it fired since armed
 * @param skipped        due runs skipped by the overlap policy or refused by the resource monitor
 * @param enabled        false once cancelled
 */
public record ScheduledScript(String scriptName, ScheduleSpec spec, Instant nextFire, Instant lastFire,
                              long fireCount, long skipped, boolean enabled) {
}
