package org.scriptbox.manager.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;

/**
 * One deployed script as the manager keeps it. Fields are written under the manager's lock; readers
 * outside it see a consistent enough picture because each field is replaced, never mutated.
 */
final class ScriptEntry {
    final String name;
    /** The live version, or {@code null} while no version compiled. */
    volatile ScriptDefinition definition;
    volatile CompiledScript compiled;
    volatile SemVer version;
    volatile List<Dependency> dependencies = List.of();
    /** Metadata shown while nothing is live (the last attempt's, or defaults). */
    volatile ScriptMetadata attempted;
    volatile ScriptError lastError;
    volatile Instant deployedAt;
    volatile List<String> waitingFor = List.of();
    volatile ScriptStatus lastRun;
    volatile ExecutionStats stats;
    /** Set when another source replaced the live version (two sources deploy this name); kept until undeploy. */
    volatile String sourceConflict;
    final Map<String, Cancellation> running = new ConcurrentHashMap<>();
    final LogBuffer logs = new LogBuffer();

    ScriptEntry(String name, ExecutionStats stats) {
        this.name = name;
        this.stats = stats;
    }

    boolean live() {
        return compiled != null;
    }

    boolean resolved() {
        return compiled != null && waitingFor.isEmpty();
    }

    ScriptStatus status() {
        if (compiled == null) {
            return ScriptStatus.COMPILATION_ERROR;
        }
        if (!waitingFor.isEmpty()) {
            return ScriptStatus.UNRESOLVED;
        }
        if (!running.isEmpty()) {
            return ScriptStatus.RUNNING;
        }
        return lastRun == null ? ScriptStatus.COMPILED : lastRun;
    }

    ScriptInfo info() {
        ScriptDefinition def = definition;
        ScriptMetadata metadata = def != null ? def.metadata() : attempted != null ? attempted : ScriptMetadata.defaults(name);
        CompiledScript live = compiled;
        return new ScriptInfo(metadata, status(), stats, lastError, def != null ? def.origin() : null, deployedAt,
                waitingFor, running.size(), sourceConflict == null ? List.of() : List.of(sourceConflict),
                live != null && live.runsAsJvmBytecode());
    }
}
