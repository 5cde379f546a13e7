package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;

/**
 * Work that grows with the number of values passed on is charged by that number (red team E13 and its class):
 * {@code ...} expanded whole costs one instruction per {@code Meter.VALUES_PER_UNIT} values wherever it goes (a
 * table constructor, a call's arguments, a return, through {@code pcall} or a coroutine), as the values a library
 * function returns do; and the same in both modes. Counts, never timings.
 */
public class ManyValuesChargeTest {
    /** Expressions over {@code ...} (900 values, or 1): each passes them all on. */
    private static final String[] PASSING = {
        "{...}", "type(...)", "select('#', ...)", "math.max(...)", "select(-1, ...)", "select(900, ...)",
        "table.pack(...)", "pcall(type, ...)", "(function(...) return ... end)(...)",
        "select('#', pcall(function(...) return ... end, ...))", "coroutine.resume(CO, ...)",
        "string.format('%d', ...)", "tostring(...)", "rawequal(T, ...)",
    };
    /** Expressions whose many values a library function makes: charged at its door (before E13 too). */
    private static final String[] RETURNED = {"{table.unpack(T)}", "S:byte(1, -1)", "select('#', table.unpack(T))"};

    private static ExecutionResult run(String mode, String source, long instructions) {
        Scripts s = new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0)).withLimits(Duration.ofSeconds(60),
                256L << 20, instructions, 100_000, 10_000, 200, 16);
        return s.run(source);
    }

    /** Instructions of 100 evaluations of {@code expr} with {@code values} values in {@code ...}, both modes alike. */
    private static long count(int values, String expr) {
        String source = "local T = {} for k = 1, " + values + " do T[k] = k end local S = ('x'):rep(" + values + ")"
                + " local CO = coroutine.create(function() while true do coroutine.yield() end end)"
                + " local function run(...) local x for i = 1, 100 do x = " + expr + " end return x end"
                + " return (run(table.unpack(T)))";
        ExecutionResult interpreted = run("interpreted", source, 100_000_000);
        assertEquals(expr + ": " + interpreted.error(), null, interpreted.error());
        DifferentialFuzz.assertSame(expr + " with " + values + " values", interpreted, run("asm-strict", source, 100_000_000));
        return interpreted.instructions();
    }

    /** What the 900 values cost per evaluation beyond one value (the setting-up, measured with {@code 1}, left out). */
    private static long extraPerEvaluation(String expr) {
        return (count(900, expr) - count(1, expr) - (count(900, "1") - count(1, "1"))) / 100;
    }

    @Test
    public void passingManyValuesOnIsChargedByTheirNumber() {
        for (String expr : PASSING) {
            long extra = extraPerEvaluation(expr);
            // E13: 0 before (one instruction whatever the number); now 900 / 4 per passing-on
            assertTrue(expr + ": " + extra, extra >= 900 / 4);
        }
    }

    @Test
    public void manyValuesALibraryFunctionReturnsAreChargedByTheirNumber() {
        for (String expr : RETURNED) {
            long extra = extraPerEvaluation(expr);
            assertTrue(expr + ": " + extra, extra >= 900 / 4);
        }
    }

    /**
     * A table constructor with an open tail ({@code SETLIST} with B = 0) stores every value of it: the stores are
     * charged by their number as well, beyond passing the values on (the library benchmark's worst row, 8.5x a plain
     * instruction, was {@code {...}} of 900 values).
     */
    @Test
    public void tableConstructorsWithAnOpenTailPayForTheValuesTheyStore() {
        for (String expr : new String[] {"{...}", "{1, 2, ...}", "{table.unpack(T)}", "{(function(...) return ... end)(...)}"}) {
            long extra = extraPerEvaluation(expr);
            long passing = extraPerEvaluation(expr.substring(1, expr.length() - 1).replaceFirst("^1, 2, ", "")
                    .replaceFirst("^(.*)$", "select('#', $1)"));
            // passing the 900 values on (select: 900 / 4), then storing them: 900 / 4 more (0 before)
            assertTrue(expr + ": " + extra + " against " + passing, extra >= passing + 900 / 4);
        }
    }

    /**
     * A script that breaks its instruction limit only through such constructors: few instructions, many values
     * stored. Stopped by the limit, at the same instruction in both modes.
     */
    @Test
    public void aLimitBrokenOnlyByConstructorsStopsBothModesAlike() {
        String source = "local T = {} for k = 1, 5000 do T[k] = k end"
                + " local function f(...) for i = 1, 200 do local x = {...} end return 'done' end"
                + " return f(table.unpack(T))";
        ExecutionResult full = run("interpreted", source, 100_000_000);
        assertEquals(java.util.List.of("done"), full.values());
        // 200 constructors of 5,000 values: 200 * 5,000 / 4 for passing them on, as much again for storing them
        assertTrue("#" + full.instructions(), full.instructions() >= 2L * 200 * 5000 / 4);
        DifferentialFuzz.assertSame("full run", full, run("asm-strict", source, 100_000_000));
        for (long limit : new long[] {300_000, full.instructions() - 1, 20_000 + 1_250}) {
            ExecutionResult stopped = run("interpreted", source, limit);
            assertEquals("limit " + limit, ErrorKind.LIMIT, stopped.error().kind());
            DifferentialFuzz.assertSame("limit " + limit, stopped, run("asm-strict", source, limit));
        }
    }

    /**
     * {@code return r(n - 1, n, ...)}: each tail call passes on one value more. Luaj chained the values put before
     * {@code ...} in front of the ones passed, one part per call, and read them by walking the chain: 8,000 such calls
     * and a {@code select('#', ...)} took 2.7 s of CPU for 56,000 instructions. Each call now pays for the values it
     * passes on (~k²/8 for k calls), and a limit breaking among them stops both modes at the same instruction.
     */
    @Test
    public void valuesPassedOnThroughTailCallsAreChargedEveryTime() {
        int k = 2000;
        String source = "local function r(n, ...) if n == 0 then return select('#', ...) end return r(n - 1, n, ...) end"
                + " return r(" + k + ")";
        ExecutionResult full = run("interpreted", source, 100_000_000);
        assertEquals(java.util.List.of((double) k), full.values());
        assertTrue("#" + full.instructions(), full.instructions() >= (long) k * k / 8);
        DifferentialFuzz.assertSame("full run", full, run("asm-strict", source, 100_000_000));
        for (long limit : new long[] {full.instructions() - 1, full.instructions() / 2, 100_003}) {
            ExecutionResult stopped = run("interpreted", source, limit);
            assertEquals(ErrorKind.LIMIT, stopped.error().kind());
            DifferentialFuzz.assertSame("limit " + limit, stopped, run("asm-strict", source, limit));
        }
    }

    /** The values stay what they were, in order, whatever part of them is taken ({@code select}, parameters). */
    @Test
    public void valuesPassedOnAreTheSameValues() {
        String source = "local function r(n, ...) if n == 0 then return ... end return r(n - 1, n, ...) end"
                + " local t = {r(40)} local u = {select(17, r(40))}"
                + " local function f(a, b, ...) return a, b, select('#', ...), (select(20, ...)) end"
                + " return #t, t[1], t[40], #u, u[1], u[24], f(r(40))";
        ExecutionResult r = run("interpreted", source, 1_000_000);
        assertEquals(java.util.List.of(40.0, 1.0, 40.0, 24.0, 17.0, 40.0, 1.0, 2.0, 38.0, 22.0), r.values());
        DifferentialFuzz.assertSame(source, r, run("asm-strict", source, 1_000_000));
    }
}
