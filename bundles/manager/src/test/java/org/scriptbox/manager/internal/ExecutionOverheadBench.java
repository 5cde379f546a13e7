package org.scriptbox.manager.internal;

import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;

/**
 * What one execution costs in the manager itself (admission, pool hand-off, statistics, promise),
 * with a stand-in engine that does nothing, so the numbers are the manager's overhead per run.
 * Compares statistics written after every run ({@code stats.flush.ms = 0}, the old behaviour) with
 * the coalesced writer (1000 ms). Prints numbers; runs only with -Dscriptbox.bench=true:
 *
 * <pre>mvn -B -o -pl bundles/manager -am verify -Dscriptbox.bench=true -Dtest=ExecutionOverheadBench -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
public class ExecutionOverheadBench {
    private static final int RUNS = Integer.getInteger("scriptbox.bench.runs", 20_000);

    @Test
    public void perRunOverhead() throws Exception {
        assumeTrue(Boolean.getBoolean("scriptbox.bench"));
        for (int round = 1; round <= 2; round++) {
            for (long flushMs : new long[] {0, 1000}) {
                measure(round, flushMs);
            }
        }
    }

    private static void runOnce(ScriptManagerImpl m) throws Exception {
        org.osgi.util.promise.Promise<?> p = m.execute("hello", List.of());
        if (p.getFailure() != null) {
            throw new AssertionError("run failed", p.getFailure());
        }
    }

    private static void measure(int round, long flushMs) throws Exception {
        Path folder = Files.createTempDirectory("stats-bench");
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = new FakeEngine();
        m.codec = new TomlMetadataCodec();
        m.start(folder, ScriptManagerImplTest.config(10, 100, flushMs));
        try {
            m.deploy(new ScriptDefinition(new ScriptMetadata("hello", "1.0.0", null, null, null, null, null,
                    List.of(), List.of(), null, null, null), "return hi", "hello.lua"), false);
            for (int i = 0; i < RUNS / 4; i++) { // warm-up
                runOnce(m);
            }
            long writesBefore = m.statsWrites();
            long start = System.nanoTime();
            for (int i = 0; i < RUNS; i++) {
                runOnce(m);
            }
            long nanos = System.nanoTime() - start;
            System.out.printf("BENCH round %d stats.flush.ms=%-4d %,d sequential runs: %.1f us per run, %d stats files written%n",
                    round, flushMs, RUNS, nanos / 1000.0 / RUNS, m.statsWrites() - writesBefore);
        } finally {
            m.deactivate();
        }
    }
}
