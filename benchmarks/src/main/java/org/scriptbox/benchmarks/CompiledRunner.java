package org.scriptbox.benchmarks;

import java.util.function.BiFunction;

import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * The scriptbox engine as the container runs it by default: compile mode {@code adaptive}, so a program
 * starts interpreted and, once its runs have executed a million Lua instructions (during the warm-up), runs
 * as JVM classes built by the engine's compiler in the background, with the same checks as {@link SandboxedRunner}.
 * Loaded in a class loader of its own (see {@link EngineBenchmark}).
 */
public final class CompiledRunner implements BiFunction<String, Integer, Object[]> {
    private final SandboxedRunner runner = new SandboxedRunner(new LuaScriptEngine());

    @Override
    public Object[] apply(String source, Integer runs) {
        return runner.apply(source, runs);
    }
}
