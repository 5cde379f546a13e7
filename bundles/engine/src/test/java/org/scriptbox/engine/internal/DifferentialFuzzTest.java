package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.Ignore;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;

/**
 * Differential fuzzing of compiled mode: random programs ({@link LuaProgramGenerator}, fixed seeds) run
 * interpreted and as LuaJC classes ({@code compiled-now}); every program LuaJC compiles must give the
 * interpreter's status, values and error. A program LuaJC cannot compile runs interpreted (no risk): it
 * is counted, not a failure, but at least half must compile so the test cannot silently test nothing.
 *
 * <p>The default run is {@value #DEFAULT_COUNT} programs (a few seconds). For a longer manual run raise
 * the count with the system property {@code scriptbox.fuzz.count}, e.g.
 * {@code mvn -B -o -pl bundles/engine -am verify -Dtest=DifferentialFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dscriptbox.fuzz.count=2000}. A failure prints the seed and the program: {@code LuaProgramGenerator.program(seed)}
 * gives it back.
 */
public class DifferentialFuzzTest {
    static final int DEFAULT_COUNT = 50;
    /** Seeds are FIRST_SEED, FIRST_SEED + 1, ... */
    private static final long FIRST_SEED = 20_261_126L;
    /**
     * Seeds of known, unfixed mismatches (none in the default 50; skipped in longer runs so that those
     * show new ones): the 21 mismatches among the first 1,200 seeds (826 of them compiled). 20261184 and
     * 20261378 were reduced by hand to one LuaJC bug, a closure given a stale copy of a local captured and
     * assigned in a loop ({@link #knownLuaJcBugGivesAClosureAStaleUpvalue}). The others were not reduced
     * (the few looked at show the same shape: a captured local assigned in a loop); in 20261644, 20261776, 20261955,
     * 20262159 and 20262191 the compiled run even fails with a type error; 20262191 was reduced to a
     * captured loop counter that holds a function when compiled
     * ({@link #knownLuaJcBugGivesACapturedLoopCounterAWrongValue}).
     */
    private static final Set<Long> KNOWN_MISMATCHES = Set.of(20_261_184L, 20_261_259L, 20_261_314L, 20_261_378L,
            20_261_435L, 20_261_450L, 20_261_534L, 20_261_555L, 20_261_598L, 20_261_601L, 20_261_644L, 20_261_757L,
            20_261_776L, 20_261_853L, 20_261_951L, 20_261_955L, 20_261_997L, 20_262_004L, 20_262_130L, 20_262_159L,
            20_262_191L);

    private final Scripts interpreted = generous(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    private final Scripts compiled = generous(new LuaScriptEngine(1024 * 1024, "compiled-now", 0));

    private static Scripts generous(LuaScriptEngine engine) {
        return new Scripts(engine).withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 5_000_000, 1_000_000,
                100_000, 50, 16);
    }

    @Test
    public void compiledProgramsComputeWhatTheInterpreterComputes() {
        int count = Integer.getInteger("scriptbox.fuzz.count", DEFAULT_COUNT);
        int compiledCount = 0;
        int failedRuns = 0;
        long start = System.nanoTime();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + count; seed++) {
            if (KNOWN_MISMATCHES.contains(seed)) {
                continue;
            }
            String program = LuaProgramGenerator.program(seed);
            String context = "seed " + seed + " (LuaProgramGenerator.program(" + seed + "L)):\n" + program;
            LuaCompiledScript classes;
            try {
                classes = (LuaCompiledScript) compiled.engine.compile("fuzz.lua", program);
            } catch (ScriptException e) {
                throw new AssertionError("the generator wrote a program that does not compile: " + e.getMessage()
                        + "\n" + context, e);
            }
            ExecutionResult reference = interpreted.engine.execute(interpreted.engine.compile("fuzz.lua", program),
                    interpreted.request());
            // The generator promises bounded programs: a limit would make the comparison meaningless.
            assertTrue(reference.error() + "\n" + context,
                    reference.error() == null || reference.error().kind() != ErrorKind.LIMIT);
            if (reference.error() != null) {
                failedRuns++;
            }
            if (classes.compiled() == null) {
                continue;
            }
            compiledCount++;
            ExecutionResult r = compiled.engine.execute(classes, compiled.request());
            assertEquals("status, " + context, reference.status(), r.status());
            assertEquals("values, " + context, reference.values(), r.values());
            assertEquals("error, " + context, reference.error() + "", r.error() + "");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("DifferentialFuzzTest: %d seeds (known mismatches skipped), %d compiled by LuaJC and"
                + " compared, %d ended in an error, %d ms%n", count, compiledCount, failedRuns, millis);
        assertTrue(compiledCount + " of " + count + " programs compiled", compiledCount * 2 >= count);
        if (count >= DEFAULT_COUNT) {
            assertNotEquals("some programs end in an uncaught error (that path is compared too)", 0, failedRuns);
        }
    }

    /**
     * A mismatch found by this fuzzer (seeds 20261184, 20261378) and not fixed yet: LuaJC (upstream
     * ProtoInfo) gives a closure a stale copy of a local captured and assigned inside a loop (also a
     * numeric-for variable assigned after a closure captured it). Enable once compiled mode refuses or
     * fixes such code.
     */
    /**
     * Another mismatch found by this fuzzer (seed 20262191), not fixed yet: compiled, a loop counter
     * captured by a closure holds a function when the loop increments it, so the run fails with a type error
     * the interpreter never raises. Enable once compiled mode refuses or fixes such code.
     */
    @Ignore("known LuaJC bug: a captured loop counter holds a function (redteam/luajc-loop-counter-type.lua)")
    @Test
    public void knownLuaJcBugGivesACapturedLoopCounterAWrongValue() throws Exception {
        String program = new String(getClass().getResourceAsStream("/redteam/luajc-loop-counter-type.lua").readAllBytes(),
                StandardCharsets.UTF_8);
        ExecutionResult reference = interpreted.run(program);
        assertEquals(reference.error() + "", List.of(), reference.values());
        ExecutionResult r = compiled.run(program);
        assertEquals(reference.error() + "", r.error() + "");
        assertEquals(reference.values(), r.values());
    }

    @Ignore("known LuaJC bug: stale upvalue copy in loops (redteam/luajc-stale-upvalue.lua)")
    @Test
    public void knownLuaJcBugGivesAClosureAStaleUpvalue() throws Exception {
        String program = new String(getClass().getResourceAsStream("/redteam/luajc-stale-upvalue.lua").readAllBytes(),
                StandardCharsets.UTF_8);
        ExecutionResult reference = interpreted.run(program);
        assertEquals(List.of(2.0, 12.0, 5.0), reference.values());
        assertEquals(reference.values(), compiled.run(program).values());
    }
}
