package org.scriptbox.manager.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;

/**
 * One deployed script as the manager keeps it: its name, its running executions, its log, and one
 * reference to an immutable {@link ScriptState}. Every change is a single atomic replacement of that
 * state, so whoever reads it (a run starting, script:info, the resolver) gets one consistent picture.
 */
final class ScriptEntry {
    final String name;
    private final AtomicReference<ScriptState> state;
    /** Running executions by id, each with the version it captured. */
    final Map<String, Run> running = new ConcurrentHashMap<>();
    final LogBuffer logs = new LogBuffer();

    ScriptEntry(String name, ExecutionStats stats) {
        this(name, stats, false);
    }

    ScriptEntry(String name, ExecutionStats stats, boolean disabled) {
        this.name = name;
        this.state = new AtomicReference<>(ScriptState.initial(stats, disabled));
    }

    ScriptState state() {
        return state.get();
    }

    /** Applies a change atomically (retried if another thread changed the state meanwhile: keep it pure). */
    ScriptState update(UnaryOperator<ScriptState> change) {
        return state.updateAndGet(change);
    }

    /** The live version, or {@code null}. */
    ScriptVersion live() {
        return state.get().live();
    }

    boolean resolved() {
        return state.get().resolved();
    }

    ScriptStatus status() {
        return status(state.get());
    }

    private ScriptStatus status(ScriptState s) {
        if (s.live() == null) {
            return ScriptStatus.COMPILATION_ERROR;
        }
        if (s.disabled()) {
            return ScriptStatus.DISABLED;
        }
        if (!s.waitingFor().isEmpty()) {
            return ScriptStatus.UNRESOLVED;
        }
        if (!running.isEmpty()) {
            return ScriptStatus.RUNNING;
        }
        return s.lastRun() == null ? ScriptStatus.COMPILED : s.lastRun();
    }

    ScriptInfo info() {
        ScriptState s = state.get();
        ScriptVersion live = s.live();
        ScriptMetadata metadata = live != null ? live.metadata()
                : s.attempted() != null ? s.attempted() : ScriptMetadata.defaults(name);
        return new ScriptInfo(metadata, status(s), s.stats(), s.lastError(), live != null ? live.definition().origin() : null,
                live != null ? live.deployedAt() : null, s.waitingFor(), running.size(),
                s.sourceConflict() == null ? List.of() : List.of(s.sourceConflict()),
                live != null && live.compiled().runsAsJvmBytecode());
    }

    /** One running execution: the version it runs and how to stop it. */
    record Run(ScriptVersion version, Cancellation cancellation) {
    }

    /** Cancels every running execution. */
    void cancelRuns(String why) {
        running.values().forEach(r -> r.cancellation().cancel(why));
    }

    /** Cancels the executions of every version but {@code kept} (runs of a version that just went live go on). */
    void cancelRunsOtherThan(ScriptVersion kept, String why) {
        running.values().stream().filter(r -> r.version() != kept).forEach(r -> r.cancellation().cancel(why));
    }
}
