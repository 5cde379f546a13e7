package org.scriptbox.engine.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ModuleResolver;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;

/** Test helper: an engine outside OSGi, and short ways to run a script. */
final class Scripts {
    final LuaScriptEngine engine;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    ResourceLimits limits = ResourceLimits.DEFAULTS;
    Cancellation cancellation = new Cancellation();
    ModuleResolver modules = ModuleResolver.NONE;

    /** An engine in the mode the system property selects (see {@link LuaScriptEngine#COMPILE_PROPERTY}). */
    Scripts() {
        this(new LuaScriptEngine());
    }

    Scripts(LuaScriptEngine engine) {
        this.engine = engine;
    }

    ExecutionResult run(String source, Object... args) {
        return engine.execute(engine.compile("test.lua", source), request(args));
    }

    ExecutionRequest request(Object... args) {
        return new ExecutionRequest("test", UUID.randomUUID().toString(), List.of(args), limits,
                java.util.Set.of("device.read"), cancellation, modules, (level, message) -> log.add(level + " " + message));
    }

    Scripts withLimits(Duration time, long memory, long instructions, int string, int table, int depth, int coroutines) {
        limits = new ResourceLimits(time, memory, instructions, string, table, depth, coroutines);
        return this;
    }

    Scripts withInstructions(long instructions) {
        limits = new ResourceLimits(limits.maxExecutionTime(), limits.maxMemoryBytes(), instructions,
                limits.maxStringLength(), limits.maxTableSize(), limits.maxCallDepth(), limits.maxCoroutines());
        return this;
    }

    Scripts withTime(Duration time) {
        limits = new ResourceLimits(time, limits.maxMemoryBytes(), limits.maxInstructions(),
                limits.maxStringLength(), limits.maxTableSize(), limits.maxCallDepth(), limits.maxCoroutines());
        return this;
    }

    Scripts withMemory(long bytes) {
        limits = new ResourceLimits(limits.maxExecutionTime(), bytes, limits.maxInstructions(),
                limits.maxStringLength(), limits.maxTableSize(), limits.maxCallDepth(), limits.maxCoroutines());
        return this;
    }

    Scripts withLibrary(String name, Map<String, ScriptFunction> functions) {
        engine.addLibrary(new ScriptLibrary() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, ScriptFunction> functions() {
                return functions;
            }
        });
        return this;
    }
}
