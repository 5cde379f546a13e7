package org.scriptbox.benchmarks;

import java.util.function.BiFunction;

import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * The scriptbox engine in compiled mode (LuaJC: each script compiled once to JVM classes, with the same
 * checks as {@link SandboxedRunner}). Loaded in a class loader of its own (see {@link EngineBenchmark}).
 */
public final class CompiledRunner implements BiFunction<String, Integer, Object[]> {
    private final SandboxedRunner runner = new SandboxedRunner(new LuaScriptEngine(1024 * 1024, true));

    @Override
    public Object[] apply(String source, Integer runs) {
        return runner.apply(source, runs);
    }
}
