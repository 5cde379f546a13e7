package org.scriptbox.benchmarks;

import java.util.function.BiFunction;

import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * The scriptbox engine with its own compiler (compile mode {@code asm}, not the default yet): classes built
 * within {@code compile}, the same checks as {@link SandboxedRunner}, instruction counts equal to the
 * interpreter's. Loaded in a class loader of its own (see {@link EngineBenchmark}).
 */
public final class AsmRunner implements BiFunction<String, Integer, Object[]> {
    private final SandboxedRunner runner = new SandboxedRunner(new LuaScriptEngine(1024 * 1024, "asm", 0));

    @Override
    public Object[] apply(String source, Integer runs) {
        return runner.apply(source, runs);
    }
}
