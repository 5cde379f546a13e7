package org.scriptbox.api.engine;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.scriptbox.api.ResourceLimits;

/**
 * Everything one execution needs besides the compiled script.
 *
 * @param scriptName   the script's name (for the scope and messages)
 * @param executionId  unique id of this execution
 * @param args         values passed to the chunk as {@code ...}
 * @param limits       the limits that hold for this run
 * @param permissions  permissions granted to the script for this run
 * @param cancellation the cancel flag another thread may raise
 * @param modules      answers {@code require}
 * @param log          where {@code print} and the log functions go
 * @param tracer       told about every host call of the run, for its trace ({@link ExecutionTracer#NONE} for none;
 *                     since 1.3)
 * @param libraries    the host libraries of this run INSTEAD of the registered ones, or null for the registered
 *                     ones: a script test runs with mock devices only, so no real device function is reachable
 *                     from it whatever the mocks forget (since 1.4)
 */
public record ExecutionRequest(String scriptName, String executionId, List<Object> args, ResourceLimits limits,
                               Set<String> permissions, Cancellation cancellation, ModuleResolver modules,
                               ScriptLog log, ExecutionTracer tracer, List<ScriptLibrary> libraries) {
    public ExecutionRequest {
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(executionId, "executionId");
        args = args == null ? List.of() : args;
        limits = limits == null ? ResourceLimits.DEFAULTS : limits;
        permissions = permissions == null ? Set.of() : Set.copyOf(permissions);
        cancellation = cancellation == null ? new Cancellation() : cancellation;
        modules = modules == null ? ModuleResolver.NONE : modules;
        log = log == null ? ScriptLog.DISCARD : log;
        tracer = tracer == null ? ExecutionTracer.NONE : tracer;
        libraries = libraries == null ? null : List.copyOf(libraries);
    }

    /** A request with the registered host libraries (since 1.3). */
    public ExecutionRequest(String scriptName, String executionId, List<Object> args, ResourceLimits limits,
                            Set<String> permissions, Cancellation cancellation, ModuleResolver modules, ScriptLog log,
                            ExecutionTracer tracer) {
        this(scriptName, executionId, args, limits, permissions, cancellation, modules, log, tracer, null);
    }

    /** A request whose run is not traced. */
    public ExecutionRequest(String scriptName, String executionId, List<Object> args, ResourceLimits limits,
                            Set<String> permissions, Cancellation cancellation, ModuleResolver modules, ScriptLog log) {
        this(scriptName, executionId, args, limits, permissions, cancellation, modules, log, ExecutionTracer.NONE, null);
    }
}
