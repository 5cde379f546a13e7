package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.util.Arrays;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Benchmark, not a test: runs only with {@code -Dscriptbox.bench=true}
 * ({@code mvn -B -o -pl bundles/devices -am verify -Dscriptbox.bench=true -Dtest=DeviceApiBench
 * -Dsurefire.failIfNoSpecifiedTests=false}); prints to target/surefire-reports/*-output.txt.
 * <p>
 * One device call from Lua through argument checks, permission, bucket (with limits high enough never to
 * refuse, so the bucket is still consulted on every call) and the simulator driver and back. A Lua loop makes
 * {@value #CALLS_PER_BATCH} calls per timed batch; the per-call time of each batch is one sample.
 */
public class DeviceApiBench {
    private static final int CALLS_PER_BATCH = 100;
    private static final int WARMUP_BATCHES = 3_000;
    private static final int BATCHES = 3_000;

    @Test
    public void oneCallFromLuaThroughTheWholePath() {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        try (LuaHarness lua = new LuaHarness(new DevicePolicy.Limits(1e12, 1e12, 1.0, 0.5))) {
            lua.simulator("sim-1", Map.of());
            measure(lua, "device_set_motor_speed", "device_set_motor_speed(0, i % 100)");
            measure(lua, "device_get_status", "device_get_status()");
            measure(lua, "telemetry_read (2 channels)", "telemetry_read(ch)");
            measure(lua, "empty Lua loop (baseline)", "local _ = i");
        }
    }

    private static void measure(LuaHarness lua, String what, String call) {
        String source = "local ch = {'voltage', 'temperature'}\n"
                + "for i = 1, " + CALLS_PER_BATCH + " do " + call + " end\n";
        var compiled = lua.engine.compile("bench.lua", source);
        for (int i = 0; i < WARMUP_BATCHES; i++) {
            run(lua, compiled);
        }
        // Time the whole execution, then subtract the cost of an execution with an empty body, so that the
        // engine's per-execution set-up is not charged to the calls.
        var empty = lua.engine.compile("empty.lua", "local ch = {'voltage', 'temperature'}\n");
        for (int i = 0; i < WARMUP_BATCHES; i++) {
            run(lua, empty);
        }
        double[] samples = new double[BATCHES];
        double[] overhead = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            long t0 = System.nanoTime();
            run(lua, empty);
            long t1 = System.nanoTime();
            run(lua, compiled);
            long t2 = System.nanoTime();
            overhead[b] = (t1 - t0) / 1000.0;
            samples[b] = (t2 - t1) / 1000.0;
        }
        Arrays.sort(overhead);
        double setup = overhead[BATCHES / 2];
        for (int b = 0; b < BATCHES; b++) {
            samples[b] = Math.max(0, samples[b] - setup) / CALLS_PER_BATCH;
        }
        Arrays.sort(samples);
        System.out.printf("BENCH %-30s per call: p50 %.2f us, p90 %.2f us, p99 %.2f us "
                        + "(%d batches of %d calls; execution set-up %.1f us subtracted)%n", what,
                samples[BATCHES / 2], samples[BATCHES * 9 / 10], samples[BATCHES * 99 / 100], BATCHES,
                CALLS_PER_BATCH, setup);
    }

    private static void run(LuaHarness lua, org.scriptbox.api.engine.CompiledScript compiled) {
        ExecutionResult r = lua.run(compiled, LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
    }
}
