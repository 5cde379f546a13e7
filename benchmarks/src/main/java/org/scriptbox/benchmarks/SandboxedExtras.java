package org.scriptbox.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * Latency figures of the engine: compile time of a 1,000-line script, request to first Lua
 * instruction, and how far past its deadline a runaway loop is stopped. Returns report lines.
 */
public final class SandboxedExtras implements Function<String, String> {
    private final LuaScriptEngine engine;

    /** The sandboxed interpreter: what a deploy pays (adaptive mode builds JVM classes later, in the background). */
    public SandboxedExtras() {
        this(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    }

    SandboxedExtras(LuaScriptEngine engine) {
        this.engine = engine;
    }
    private volatile long markNanos;

    @Override
    public String apply(String thousandLines) {
        StringBuilder out = new StringBuilder();
        out.append(compileTime(thousandLines)).append('\n');
        out.append(firstInstruction()).append('\n');
        out.append(stopLatency()).append('\n');
        return out.toString();
    }

    private String compileTime(String source) {
        for (int i = 0; i < 300; i++) {
            engine.compile("big.lua", source);
        }
        long[] nanos = new long[200];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            engine.compile("big.lua", source);
            nanos[i] = System.nanoTime() - t0;
        }
        return String.format("compile 1,000-line script (warm): median %.2f ms, p99 %.2f ms (goal <= 10 ms)",
                ms(percentile(nanos, 50)), ms(percentile(nanos, 99)));
    }

    private String firstInstruction() {
        ScriptFunction mark = (scope, args) -> {
            markNanos = System.nanoTime();
            return null;
        };
        engine.addLibrary(new ScriptLibrary() {
            @Override
            public String name() {
                return "bench";
            }

            @Override
            public Map<String, ScriptFunction> functions() {
                return Map.of("mark", mark);
            }
        });
        CompiledScript script = engine.compile("first.lua", "mark()");
        long[] nanos = new long[5000];
        for (int i = -5000; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            ExecutionResult r = engine.execute(script, new ExecutionRequest("first", "f" + i, List.of(),
                    ResourceLimits.DEFAULTS, Set.of(), null, null, null));
            if (!r.succeeded()) {
                throw new IllegalStateException(String.valueOf(r.error()));
            }
            if (i >= 0) {
                nanos[i] = markNanos - t0;
            }
        }
        return String.format("request -> first instruction (warm): median %.3f ms, p99 %.3f ms (goal p99 <= 1 ms)",
                ms(percentile(nanos, 50)), ms(percentile(nanos, 99)));
    }

    private String stopLatency() {
        Duration limit = Duration.ofMillis(20);
        ResourceLimits limits = new ResourceLimits(limit, Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, 10_000, 1_000, 50, 16);
        CompiledScript loop = engine.compile("loop.lua", "while true do end");
        CompiledScript coLoop = engine.compile("coloop.lua",
                "coroutine.resume(coroutine.create(function() while true do end end)) while true do end");
        long[] nanos = new long[60];
        for (int i = -10; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            ExecutionResult r = engine.execute(i % 2 == 0 ? loop : coLoop, new ExecutionRequest("loop", "l" + i,
                    List.of(), limits, Set.of(), null, null, null));
            long over = System.nanoTime() - t0 - limit.toNanos();
            if (r.status() != ScriptStatus.TIMEOUT) {
                throw new IllegalStateException("expected TIMEOUT, got " + r.status() + " " + r.error());
            }
            if (i >= 0) {
                nanos[i] = over;
            }
        }
        return String.format("runaway loop stopped past its deadline (plain and in a coroutine): median %.2f ms, "
                + "max %.2f ms (goal <= 10 ms)", ms(percentile(nanos, 50)), ms(percentile(nanos, 100)));
    }

    static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
