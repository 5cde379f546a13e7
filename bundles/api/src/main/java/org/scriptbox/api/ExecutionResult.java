package org.scriptbox.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one execution.
 *
 * @param scriptName      the script
 * @param executionId     unique id of this execution
 * @param status          one of the terminal statuses: COMPLETED, FAILED, TIMEOUT, CANCELLED
 * @param values          what the script returned, converted to Java (Double, Boolean, String, List, Map, null)
 * @param error           why it did not complete, or {@code null}
 * @param startedAt       when the first instruction ran
 * @param duration        wall-clock time of the run
 * @param instructions    Lua VM instructions executed
 * @param allocatedBytes  bytes allocated by the execution's threads
 * @param cpuTime         CPU time used by the execution's threads
 * @param permissionDenials calls refused for lack of a permission
 * @param cleanupError    why the script's {@code on_stop} hook failed (its runtime error or its own limit), or
 *                        {@code null} when it ran fine or did not run; it never changes {@code status}
 *                        (since 1.4)
 */
public record ExecutionResult(String scriptName, String executionId, ScriptStatus status, List<Object> values,
                              ScriptError error, Instant startedAt, Duration duration, long instructions,
                              long allocatedBytes, Duration cpuTime, int permissionDenials,
                              ScriptError cleanupError) {
    public ExecutionResult {
        values = values == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    /** A result without a cleanup error. */
    public ExecutionResult(String scriptName, String executionId, ScriptStatus status, List<Object> values,
                           ScriptError error, Instant startedAt, Duration duration, long instructions,
                           long allocatedBytes, Duration cpuTime, int permissionDenials) {
        this(scriptName, executionId, status, values, error, startedAt, duration, instructions, allocatedBytes,
                cpuTime, permissionDenials, null);
    }

    public boolean succeeded() {
        return status == ScriptStatus.COMPLETED;
    }
}
