package org.scriptbox.api;

import java.time.Duration;
import java.time.Instant;

/**
 * Accumulated statistics of one script, persisted across restarts.
 *
 * @param totalExecutions      executions finished
 * @param successfulExecutions of which completed normally
 * @param failedExecutions     of which failed, timed out or were cancelled
 * @param averageDuration      mean wall-clock duration
 * @param lastDuration         duration of the latest execution, or {@code null}
 * @param lastExecutionTime    when the latest execution started, or {@code null}
 * @param peakMemoryBytes      most bytes any one execution allocated
 * @param lastError            error of the latest failed execution, or {@code null}
 * @param permissionDenials    calls refused for lack of a permission, summed
 */
public record ExecutionStats(long totalExecutions, long successfulExecutions, long failedExecutions,
                             Duration averageDuration, Duration lastDuration, Instant lastExecutionTime,
                             long peakMemoryBytes, ScriptError lastError, long permissionDenials) {

    public static final ExecutionStats EMPTY = new ExecutionStats(0, 0, 0, Duration.ZERO, null, null, 0, null, 0);

    /** These statistics with one more finished execution folded in. */
    public ExecutionStats plus(ExecutionResult r) {
        long total = totalExecutions + 1;
        Duration avg = averageDuration.multipliedBy(totalExecutions).plus(r.duration()).dividedBy(total);
        return new ExecutionStats(total,
                successfulExecutions + (r.succeeded() ? 1 : 0),
                failedExecutions + (r.succeeded() ? 0 : 1),
                avg, r.duration(), r.startedAt(),
                Math.max(peakMemoryBytes, r.allocatedBytes()),
                r.succeeded() ? lastError : r.error(),
                permissionDenials + r.permissionDenials());
    }
}
