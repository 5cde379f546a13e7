package org.scriptbox.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * The scriptbox engine with every check active (budget, deadline, cancel, depth, memory meter,
 * checked {@code ..} and library limits), limits set high enough for the programs to finish.
 * Loaded in a class loader of its own (see {@link EngineBenchmark}).
 */
public final class SandboxedRunner implements BiFunction<String, Integer, Object[]> {

    static final ResourceLimits GENEROUS = new ResourceLimits(Duration.ofMinutes(10), Long.MAX_VALUE / 4,
            Long.MAX_VALUE / 4, 100_000_000, 100_000_000, 200, 16);

    private final LuaScriptEngine engine;

    /** Compiled once per program, as the manager does on deploy; every run gets fresh globals. */
    private final Map<String, CompiledScript> scripts = new HashMap<>();

    /** The sandboxed interpreter (compile mode {@code interpreted}). */
    public SandboxedRunner() {
        this(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    }

    SandboxedRunner(LuaScriptEngine engine) {
        this.engine = engine;
    }

    @Override
    public Object[] apply(String source, Integer runs) {
        CompiledScript script = scripts.computeIfAbsent(source, src -> engine.compile("bench.lua", src));
        RunClock clock = new RunClock(runs);
        String result = null;
        for (int i = 0; i < runs; i++) {
            clock.start();
            ExecutionResult r = engine.execute(script, new ExecutionRequest("bench", "run-" + i, List.of(), GENEROUS,
                    Set.of(), null, null, null));
            clock.stop(i);
            if (!r.succeeded()) {
                throw new IllegalStateException("sandboxed run failed: " + r.error());
            }
            Object v = r.values().isEmpty() ? null : r.values().get(0);
            result = v instanceof Double && ((Double) v) == Math.rint((Double) v) && Math.abs((Double) v) < 1e15
                    ? String.valueOf(((Double) v).longValue()) : String.valueOf(v);
        }
        return clock.result(result);
    }
}
