package org.scriptbox.engine.internal;

import org.junit.Test;

/**
 * Differential fuzzing on the session-7 generator ({@link LuaShapeGenerator#program}: values of every type in one
 * register, closures in loops of every kind, varargs with nils, upvalues shared by coroutines, metatable chains and
 * metatables changed after a field was read, fields changing type, NaN/-0/2^53 keys and iteration, goto, numeric
 * edge cases, coercions, error values of every type, deep pcall nesting, tail calls): random programs (fixed
 * seeds) run interpreted and compiled ({@code asm-strict}) must give the same status, values, error (message,
 * position, traceback) and instruction count.
 *
 * <p>The default run is {@value #DEFAULT_COUNT} programs (with {@link AsmDifferentialFuzzTest}'s 250: 500 per build at
 * the cost the 500 extended programs had); {@code -Dscriptbox.fuzz.count=N} runs more (the long profile: 10,000). A
 * failure prints the seed and the program: {@code LuaShapeGenerator.program(seed)} gives it back.
 */
public class ShapeDifferentialFuzzTest {
    static final int DEFAULT_COUNT = 250;
    private static final long FIRST_SEED = 20_261_207L;

    @Test
    public void compiledProgramsComputeAndCountWhatTheInterpreterDoes() {
        new DifferentialFuzz().compare("ShapeDifferentialFuzzTest", "LuaShapeGenerator.program", LuaShapeGenerator::program,
                FIRST_SEED, DEFAULT_COUNT, 50);
    }
}
