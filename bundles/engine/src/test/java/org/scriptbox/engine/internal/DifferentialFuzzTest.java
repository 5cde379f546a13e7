package org.scriptbox.engine.internal;

import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;

/**
 * Differential fuzzing of compiled mode on the first generator ({@link LuaProgramGenerator#program}: nested
 * loops, closures created in loops, varargs, goto, the shapes that broke Luaj's LuaJC): random programs
 * (fixed seeds) run interpreted and compiled by the engine's compiler ({@code asm-strict}: every function
 * compiled) must give the same status, values, error (message, position, traceback) and instruction count.
 * {@link AsmDifferentialFuzzTest} does the same on the extended generator.
 *
 * <p>The default run is {@value #DEFAULT_COUNT} programs (a few seconds); {@code -Dscriptbox.fuzz.count=N}
 * runs more. A failure prints the seed and the program: {@code LuaProgramGenerator.program(seed)} gives it back.
 */
public class DifferentialFuzzTest {
    static final int DEFAULT_COUNT = 200;
    /** Seeds are FIRST_SEED, FIRST_SEED + 1, ... (LuaJC gave 21 wrong results in the first 1,200 of them). */
    private static final long FIRST_SEED = 20_261_126L;

    private final Scripts interpreted = generous(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    private final Scripts compiled = generous(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));

    private static Scripts generous(LuaScriptEngine engine) {
        return new Scripts(engine).withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 5_000_000, 1_000_000,
                100_000, 50, 16);
    }

    @Test
    public void compiledProgramsComputeAndCountWhatTheInterpreterDoes() {
        // Both engines have their mode set here: the suite's second surefire execution would only repeat it.
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        int count = Integer.getInteger("scriptbox.fuzz.count", DEFAULT_COUNT);
        int failedRuns = 0;
        long start = System.nanoTime();
        for (long seed = FIRST_SEED; seed < FIRST_SEED + count; seed++) {
            String program = LuaProgramGenerator.program(seed);
            String context = "seed " + seed + " (LuaProgramGenerator.program(" + seed + "L)):\n" + program;
            LuaCompiledScript classes;
            try {
                classes = (LuaCompiledScript) compiled.engine.compile("fuzz.lua", program);
            } catch (ScriptException e) {
                throw new AssertionError("not compiled: " + e.getMessage() + "\n" + context, e);
            }
            ExecutionResult reference = interpreted.engine.execute(interpreted.engine.compile("fuzz.lua", program),
                    interpreted.request());
            // The generator promises bounded programs: a limit would make the comparison meaningless.
            assertTrue(reference.error() + "\n" + context,
                    reference.error() == null || reference.error().kind() != ErrorKind.LIMIT);
            if (reference.error() != null) {
                failedRuns++;
            }
            AsmDifferentialFuzzTest.assertSame(context, reference, compiled.engine.execute(classes, compiled.request()));
        }
        System.out.printf("DifferentialFuzzTest: %d seeds compiled and compared, %d ended in an error, %d ms%n", count,
                failedRuns, (System.nanoTime() - start) / 1_000_000);
        if (count >= DEFAULT_COUNT) {
            assertNotEquals("some programs end in an uncaught error (that path is compared too)", 0, failedRuns);
        }
    }
}
