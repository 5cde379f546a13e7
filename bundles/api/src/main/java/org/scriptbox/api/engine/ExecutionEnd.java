package org.scriptbox.api.engine;

import java.util.Objects;

import org.scriptbox.api.ScriptStatus;

/**
 * How one execution ended, as told to the listeners registered with {@link ExecutionScope#onEnd}.
 * Immutable.
 *
 * @param executionId the execution's id ({@link ExecutionScope#executionId()})
 * @param scriptName  the script's name
 * @param status      the terminal status: COMPLETED, FAILED, TIMEOUT or CANCELLED
 * @param reason      a short word: {@link #COMPLETED}, {@link #CANCELLED}, {@link #TIMEOUT}, {@link #LIMIT} or
 *                    {@link #ERROR} (the same word the script's {@code on_stop} hook receives)
 * @param detail      for people: the cancel reason or the error message; empty when it completed
 */
public record ExecutionEnd(String executionId, String scriptName, ScriptStatus status, String reason, String detail) {
    public static final String COMPLETED = "completed";
    /** Cancelled: {@code script:cancel}, undeploy, replacement, a requirement gone, container stop. */
    public static final String CANCELLED = "cancelled";
    /** The execution's wall-clock limit. */
    public static final String TIMEOUT = "timeout";
    /** Any other resource limit: instructions, memory, string, table, call depth, coroutines. */
    public static final String LIMIT = "limit";
    /** A runtime error the script did not catch (its own, a library's or a host function's). */
    public static final String ERROR = "error";

    public ExecutionEnd {
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    /** True unless the execution completed: what a safe state reacts to. */
    public boolean abnormal() {
        return status != ScriptStatus.COMPLETED;
    }
}
