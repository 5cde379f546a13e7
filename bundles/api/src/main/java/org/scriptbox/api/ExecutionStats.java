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
 * @param lastCleanupError     why the latest failed {@code on_stop} hook failed (its error or its own limit), kept
 *                             until a later cleanup fails, or {@code null} (since 1.8)
 */
public record ExecutionStats(long totalExecutions, long successfulExecutions, long failedExecutions,
                             Duration averageDuration, Duration lastDuration, Instant lastExecutionTime,
                             long peakMemoryBytes, ScriptError lastError, long permissionDenials,
                             ScriptError lastCleanupError) {

    /** Durations beyond this are refused: far longer than any run, and well inside nanosecond arithmetic. */
    static final Duration MAX_DURATION = Duration.ofDays(36_500);

    public static final ExecutionStats EMPTY = new ExecutionStats(0, 0, 0, Duration.ZERO, null, null, 0, null, 0, null);

    /** Statistics without a cleanup error (the form before 1.8). */
    public ExecutionStats(long totalExecutions, long successfulExecutions, long failedExecutions,
                          Duration averageDuration, Duration lastDuration, Instant lastExecutionTime,
                          long peakMemoryBytes, ScriptError lastError, long permissionDenials) {
        this(totalExecutions, successfulExecutions, failedExecutions, averageDuration, lastDuration, lastExecutionTime,
                peakMemoryBytes, lastError, permissionDenials, null);
    }

    /**
     * Refuses values no sequence of runs can produce (statistics are imported and read from disk), so that
     * folding in a run can never fail on them (since 1.4).
     *
     * @throws IllegalArgumentException naming the field
     */
    public ExecutionStats {
        requireCount(totalExecutions, "total_executions", Long.MAX_VALUE - 1);
        requireCount(successfulExecutions, "successful_executions", totalExecutions);
        requireCount(failedExecutions, "failed_executions", totalExecutions - successfulExecutions);
        requireCount(peakMemoryBytes, "peak_memory_bytes", Long.MAX_VALUE);
        requireCount(permissionDenials, "permission_denials", Long.MAX_VALUE);
        requireDuration(averageDuration == null ? Duration.ZERO : averageDuration, "average_duration");
        averageDuration = averageDuration == null ? Duration.ZERO : averageDuration;
        if (lastDuration != null) {
            requireDuration(lastDuration, "last_duration");
        }
    }

    private static void requireCount(long value, String name, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be between 0 and " + max + ", was " + value);
        }
    }

    private static void requireDuration(Duration d, String name) {
        if (d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be between 0 and " + MAX_DURATION.toDays() + " days, was " + d);
        }
    }

    /** These statistics with one more finished execution folded in. */
    public ExecutionStats plus(ExecutionResult r) {
        long total = totalExecutions + 1;
        // a running mean: no product of the count and the mean that could overflow
        Duration run = r.duration().compareTo(MAX_DURATION) > 0 ? MAX_DURATION : r.duration().isNegative() ? Duration.ZERO : r.duration();
        Duration avg = averageDuration.plus(run.minus(averageDuration).dividedBy(total));
        return new ExecutionStats(total,
                successfulExecutions + (r.succeeded() ? 1 : 0),
                failedExecutions + (r.succeeded() ? 0 : 1),
                avg, run, r.startedAt(),
                Math.max(peakMemoryBytes, r.allocatedBytes()),
                r.succeeded() ? lastError : r.error(),
                permissionDenials + r.permissionDenials(),
                r.cleanupError() == null ? lastCleanupError : r.cleanupError());
    }
}
