package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

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
    static final int DEFAULT_COUNT = 200;
    /** Seeds are FIRST_SEED, FIRST_SEED + 1, ... */
    private static final long FIRST_SEED = 20_261_126L;
    /*
     * The first 1,200 seeds gave 21 compiled-vs-interpreted mismatches (upstream LuaJC bugs: a closure
     * created in a loop given a stale copy of a captured local, or a captured loop counter holding a
     * function; reduced in redteam/luajc-stale-upvalue.lua and luajc-loop-counter-type.lua). Compiled mode
     * now refuses that shape (KnownMiscompiles): the 1,200 seeds give none (377 compiled and compared).
     */

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
        System.out.printf("DifferentialFuzzTest: %d seeds, %d compiled by LuaJC and"
                + " compared, %d ended in an error, %d ms%n", count, compiledCount, failedRuns, millis);
        // A quarter at least: the generator favours closures created in loops, which compiled mode refuses
        // (KnownMiscompiles) and LuaJC itself often cannot compile; 377 of the first 1,200 seeds compile.
        assertTrue(compiledCount + " of " + count + " programs compiled", compiledCount * 4 >= count);
        if (count >= DEFAULT_COUNT) {
            assertNotEquals("some programs end in an uncaught error (that path is compared too)", 0, failedRuns);
        }
    }

    /**
     * Found by this fuzzer (seed 20262191): compiled by LuaJC, a loop counter captured by a closure held a
     * function when the loop incremented it. Compiled mode now refuses the shape: the interpreter's result.
     */
    @Test
    public void aCapturedLoopCounterKeepsItsValue() throws Exception {
        String program = new String(getClass().getResourceAsStream("/redteam/luajc-loop-counter-type.lua").readAllBytes(),
                StandardCharsets.UTF_8);
        ExecutionResult reference = interpreted.run(program);
        assertEquals(reference.error() + "", List.of(), reference.values());
        ExecutionResult r = compiled.run(program);
        assertEquals(reference.error() + "", r.error() + "");
        assertEquals(reference.values(), r.values());
    }

    /**
     * Found by this fuzzer (seeds 20261184, 20261378): LuaJC gave a closure created in a loop a stale copy of
     * a captured local. Compiled mode now refuses the shape: the interpreter's result.
     */
    @Test
    public void aClosureCreatedInALoopSeesTheSharedLocal() throws Exception {
        String program = new String(getClass().getResourceAsStream("/redteam/luajc-stale-upvalue.lua").readAllBytes(),
                StandardCharsets.UTF_8);
        ExecutionResult reference = interpreted.run(program);
        assertEquals(List.of(2.0, 12.0, 5.0), reference.values());
        assertEquals(reference.values(), compiled.run(program).values());
    }
}
