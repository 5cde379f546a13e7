package org.scriptbox.manager.internal;

import java.util.List;

import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;

/**
 * Everything the manager knows about one script at one moment, as one immutable value: readers take a
 * snapshot with a single read and writers replace it with a single compare-and-set, so no reader ever
 * sees half of a change (the live version of one deploy with the resolution of another).
 *
 * @param live           the live version, or {@code null} while no version compiled
 * @param attempted      metadata shown while nothing is live (the last attempt's), or {@code null}
 * @param lastError      the latest problem (failed update, dependency, failed run), or {@code null}
 * @param waitingFor     what the live version waits for; empty when it may run
 * @param lastRun        status of the latest finished run of the live version, or {@code null}
 * @param stats          statistics over every version
 * @param sourceConflict set when another source replaced the live version; kept until undeploy
 * @param disabled       the operator disabled the script (script:disable); kept across restarts
 */
record ScriptState(ScriptVersion live, ScriptMetadata attempted, ScriptError lastError, List<String> waitingFor,
                   ScriptStatus lastRun, ExecutionStats stats, String sourceConflict, boolean disabled) {
    ScriptState {
        waitingFor = List.copyOf(waitingFor);
    }

    static ScriptState initial(ExecutionStats stats, boolean disabled) {
        return new ScriptState(null, null, null, List.of(), null, stats, null, disabled);
    }

    boolean isLive() {
        return live != null;
    }

    /** Live, and nothing it needs is missing: it may run (unless disabled). */
    boolean resolved() {
        return live != null && waitingFor.isEmpty();
    }

    /** What the resolver and executions treat as "may run". */
    boolean runnable() {
        return resolved() && !disabled;
    }

    /** A newly deployed version: no error, no run yet, resolution to be recomputed. */
    ScriptState withLive(ScriptVersion version, String conflict) {
        return new ScriptState(version, null, null, List.of(), null, stats, conflict == null ? sourceConflict : conflict,
                disabled);
    }

    /** A failed deploy: the live version (if any) stays; a script never live shows the attempt's metadata. */
    ScriptState withFailure(ScriptMetadata attemptedMetadata, ScriptError error) {
        return new ScriptState(live, live == null ? attemptedMetadata : attempted, error, waitingFor, lastRun, stats,
                sourceConflict, disabled);
    }

    ScriptState withLastError(ScriptError error) {
        return new ScriptState(live, attempted, error, waitingFor, lastRun, stats, sourceConflict, disabled);
    }

    ScriptState withResolution(List<String> waiting, ScriptError error) {
        return new ScriptState(live, attempted, error, waiting, lastRun, stats, sourceConflict, disabled);
    }

    /** A finished run of {@code ran}: statistics count every run; the status only a run of the live version. */
    ScriptState withRun(ScriptVersion ran, ExecutionStats newStats, ScriptStatus status) {
        return new ScriptState(live, attempted, lastError, waitingFor, ran == live ? status : lastRun, newStats,
                sourceConflict, disabled);
    }

    ScriptState withStats(ExecutionStats newStats) {
        return new ScriptState(live, attempted, lastError, waitingFor, lastRun, newStats, sourceConflict, disabled);
    }

    ScriptState withDisabled(boolean off) {
        return new ScriptState(live, attempted, lastError, waitingFor, lastRun, stats, sourceConflict, off);
    }
}
