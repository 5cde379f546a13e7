package org.scriptbox.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * Runs one program of {@link LibraryCpuBenchmark} until it meets its instruction limit, with the default
 * string and table limits: returns {thread CPU ns of the execution (its coroutine threads included),
 * wall ns, whole-process CPU ns, instructions}. Loaded in a class loader of its own.
 */
public final class LibraryCpuRunner implements Function<Object[], long[]> {
    private final LuaScriptEngine engine = new LuaScriptEngine(1024 * 1024, "interpreted", 0);

    @Override
    public long[] apply(Object[] in) {
        String source = (String) in[0];
        long instructions = (Long) in[1];
        ResourceLimits limits = new ResourceLimits(Duration.ofMinutes(5), Long.MAX_VALUE / 4, instructions,
                ResourceLimits.DEFAULTS.maxStringLength(), ResourceLimits.DEFAULTS.maxTableSize(), 200, 16);
        CompiledScript script = engine.compile("bench.lua", source);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long process0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        ExecutionResult r = engine.execute(script, new ExecutionRequest("bench", "run", List.of(), limits, Set.of(),
                null, null, null));
        long wall = System.nanoTime() - wall0;
        long process = os.getProcessCpuTime() - process0;
        if (r.status() != ScriptStatus.FAILED || !r.error().message().contains("instruction limit")) {
            throw new IllegalStateException("expected the instruction limit, got " + r.status() + " " + r.error());
        }
        return new long[] {r.cpuTime().toNanos(), wall, process, r.instructions()};
    }
}
