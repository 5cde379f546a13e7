package org.scriptbox.api;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one deployed script.
 *
 * @param metadata   its metadata (of the version that is live)
 * @param status     current status
 * @param stats      accumulated statistics
 * @param lastError  the latest problem: a failed update, an unresolved dependency or a failed run; or {@code null}
 * @param origin     where the live version came from
 * @param deployedAt when the live version was deployed
 * @param waitingFor what an {@link ScriptStatus#UNRESOLVED} script waits for (dependencies, drivers, permissions)
 * @param running    executions in progress
 * @param warnings   things the operator should know that did not stop the script, e.g. two sources
 *                   deploying the same name (newest first; empty if none)
 * @param jvmBytecode whether its runs execute as JVM bytecode (the engine compiled it once it was busy)
 *                   rather than on the interpreter; the same limits hold either way (since 1.3)
 */
public record ScriptInfo(ScriptMetadata metadata, ScriptStatus status, ExecutionStats stats, ScriptError lastError,
                         String origin, Instant deployedAt, List<String> waitingFor, int running, List<String> warnings,
                         boolean jvmBytecode) {
    public ScriptInfo {
        waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** Running on the interpreter (the form before 1.3). */
    public ScriptInfo(ScriptMetadata metadata, ScriptStatus status, ExecutionStats stats, ScriptError lastError,
                      String origin, Instant deployedAt, List<String> waitingFor, int running, List<String> warnings) {
        this(metadata, status, stats, lastError, origin, deployedAt, waitingFor, running, warnings, false);
    }

    /** Without warnings (the form before 1.2). */
    public ScriptInfo(ScriptMetadata metadata, ScriptStatus status, ExecutionStats stats, ScriptError lastError,
                      String origin, Instant deployedAt, List<String> waitingFor, int running) {
        this(metadata, status, stats, lastError, origin, deployedAt, waitingFor, running, List.of());
    }

    public String name() {
        return metadata.name();
    }
}
