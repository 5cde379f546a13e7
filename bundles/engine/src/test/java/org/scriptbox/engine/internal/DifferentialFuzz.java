package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.function.LongFunction;

import org.junit.Assume;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;

/**
 * The loop both differential fuzzers share: each generated program runs interpreted and compiled by the
 * engine's compiler ({@code asm-strict}: every function compiled) and must give the same status, values,
 * error (message, position, traceback) and instruction count. A failure prints the seed and the program.
 */
final class DifferentialFuzz {
    private final Scripts interpreted = generous(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    private final Scripts compiled = generous(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));

    private static Scripts generous(LuaScriptEngine engine) {
        return new Scripts(engine).withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 5_000_000, 1_000_000,
                100_000, 50, 16);
    }

    /**
     * Compares {@code scriptbox.fuzz.count} programs (default {@code defaultCount}) from {@code firstSeed} on.
     * @param generatorName how a failure names the generator, e.g. {@code LuaProgramGenerator.program}
     * @param errorsExpectedFrom from this many programs on, some must end in an uncaught error (that path is compared too)
     */
    void compare(String testName, String generatorName, LongFunction<String> generator, long firstSeed, int defaultCount,
            int errorsExpectedFrom) {
        // Both engines have their mode set here: the suite's second surefire execution would only repeat it.
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        int count = Integer.getInteger("scriptbox.fuzz.count", defaultCount);
        int failedRuns = 0;
        long compileNanos = 0;
        long interpretNanos = 0;
        long runNanos = 0;
        long start = System.nanoTime();
        for (long seed = firstSeed; seed < firstSeed + count; seed++) {
            String program = generator.apply(seed);
            String context = "seed " + seed + " (" + generatorName + "(" + seed + "L)):\n" + program;
            LuaCompiledScript classes;
            long t0 = System.nanoTime();
            try {
                classes = (LuaCompiledScript) compiled.engine.compile("fuzz.lua", program);
            } catch (ScriptException e) {
                throw new AssertionError("not compiled: " + e.getMessage() + "\n" + context, e);
            }
            long t1 = System.nanoTime();
            compileNanos += t1 - t0;
            ExecutionResult reference = interpreted.engine.execute(interpreted.engine.compile("fuzz.lua", program),
                    interpreted.request());
            // The generator promises bounded programs: a limit would make the comparison meaningless.
            assertTrue(reference.error() + "\n" + context,
                    reference.error() == null || reference.error().kind() != ErrorKind.LIMIT);
            if (reference.error() != null) {
                failedRuns++;
            }
            long t2 = System.nanoTime();
            interpretNanos += t2 - t1;
            ExecutionResult r = compiled.engine.execute(classes, compiled.request());
            runNanos += System.nanoTime() - t2;
            assertSame(context, reference, r);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%s: %d seeds compiled and compared, %d ended in an error, %d ms"
                + " (compiling %d ms, interpreted runs %d ms, compiled runs %d ms)%n", testName, count, failedRuns, millis,
                compileNanos / 1_000_000, interpretNanos / 1_000_000, runNanos / 1_000_000);
        if (count >= errorsExpectedFrom) {
            assertNotEquals("some programs end in an uncaught error (that path is compared too)", 0, failedRuns);
        }
    }

    static void assertSame(String context, ExecutionResult reference, ExecutionResult r) {
        assertEquals("status, " + context, reference.status(), r.status());
        assertEquals("values, " + context, reference.values(), r.values());
        assertEquals("error, " + context, reference.error() + "", r.error() + "");
        assertEquals("instructions, " + context, reference.instructions(), r.instructions());
    }
}
