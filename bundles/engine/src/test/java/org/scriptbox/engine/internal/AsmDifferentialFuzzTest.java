package org.scriptbox.engine.internal;

import org.junit.Test;

/**
 * Differential fuzzing of the engine's own compiler (compile mode {@code asm-strict}): random programs
 * ({@link LuaProgramGenerator#extendedProgram}, fixed seeds: closures in loops, varargs, upvalues
 * shared with coroutines, metatables, goto, NaN, -0, infinities and huge numbers among the shapes) run interpreted and compiled must give the same status, values,
 * error (message, position, traceback) and the same instruction count. Strict: every function of every
 * program must compile, so nothing silently falls back to the interpreter.
 *
 * <p>The default run is {@value #DEFAULT_COUNT} programs (and {@link ShapeDifferentialFuzzTest} 250 of the session-7
 * generator: 500 per build together); {@code -Dscriptbox.fuzz.count=10000} runs more (the long profile). A failure prints the seed and the program: {@code LuaProgramGenerator.extendedProgram(seed)}.
 */
public class AsmDifferentialFuzzTest {
    static final int DEFAULT_COUNT = 250;
    private static final long FIRST_SEED = 20_261_201L;

    @Test
    public void compiledProgramsComputeAndCountWhatTheInterpreterDoes() {
        new DifferentialFuzz().compare("AsmDifferentialFuzzTest", "LuaProgramGenerator.extendedProgram",
                LuaProgramGenerator::extendedProgram, FIRST_SEED, DEFAULT_COUNT, 100);
    }
}
