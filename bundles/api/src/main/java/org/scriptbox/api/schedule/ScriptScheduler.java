package org.scriptbox.api.schedule;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs scripts by their schedules. Schedules from metadata are armed on deploy and cancelled on
 * undeploy; the shell and API may set or cancel one at any time.
 */
@ProviderType
public interface ScriptScheduler {
    /** Arms (or re-arms) a script's schedule, replacing any it had. */
    ScheduledScript schedule(String scriptName, ScheduleSpec spec);

    /** Cancels a script's schedule. @return false if it had none */
    boolean cancel(String scriptName);

    List<ScheduledScript> list();

    Optional<ScheduledScript> get(String scriptName);

    /**
     * While the scheduler cannot save its state (a full disk): one sentence saying what is not saved and what
     * that means, for the operator; saving is retried. Empty while saving works.
     *
     * @since 1.3
     */
    default Optional<String> saveProblem() {
        return Optional.empty();
    }

    /** The next {@code count} fire times of a schedule from {@code from}; validates cron expressions. */
    List<Instant> nextFireTimes(ScheduleSpec spec, Instant from, int count);
}
