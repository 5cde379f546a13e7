package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * Limits mean the same hot or not (issue 14): a generated program ({@link LuaShapeGenerator}, fixed seeds) that
 * runs X instructions interpreted is run again in both modes with the instruction limit at X + 1 and X (it must
 * complete: a run of exactly the limit completes, red team E7), X - 1 (it stops, counting X: the instruction refused)
 * and two smaller limits (it must stop): both modes must stop at the same instruction, with the same error, position,
 * traceback and count. {@code -Dscriptbox.fuzz.count=N} runs more seeds.
 */
public class LimitEdgeDifferentialTest {
    private static final long FIRST_SEED = 20_261_230L;

    @Test
    public void bothModesStopAtTheSameInstruction() {
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        int count = Integer.getInteger("scriptbox.fuzz.count", 8);
        for (long seed = FIRST_SEED; seed < FIRST_SEED + count; seed++) {
            String program = LuaShapeGenerator.program(seed);
            ExecutionResult full = run("interpreted", program, 5_000_000);
            if (full.error() != null) {
                continue;
            }
            long x = full.instructions();
            for (long limit : new long[] {x + 1, x, x - 1, x / 2, x / 3 + 7}) {
                ExecutionResult reference = run("interpreted", program, limit);
                String context = "seed " + seed + " (LuaShapeGenerator.program(" + seed + "L)), limit " + limit + " of " + x;
                if (limit >= x) {
                    assertEquals(context, null, reference.error());
                    assertEquals(context, full.values(), reference.values());
                    assertEquals(context, x, reference.instructions());
                } else {
                    assertEquals(context, org.scriptbox.api.ErrorKind.LIMIT, reference.error().kind());
                    assertEquals(context, "instruction limit of " + limit + " exceeded", reference.error().message());
                    if (limit == x - 1) {
                        assertEquals(context, x, reference.instructions());
                    }
                }
                DifferentialFuzz.assertSame(context + ":\n" + program, reference, run("asm-strict", program, limit));
            }
        }
    }

    private static ExecutionResult run(String mode, String program, long instructions) {
        Scripts s = new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0)).withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024,
                instructions, 1_000_000, 100_000, 50, 16);
        return s.engine.execute(s.engine.compile("fuzz.lua", program), s.request());
    }
}
