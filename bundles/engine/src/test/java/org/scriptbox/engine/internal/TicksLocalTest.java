package org.scriptbox.engine.internal;

import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * Session 9: compiled code keeps the budget's ticks in a JVM local and writes them to the meter only around what may
 * read or change them: calls, returns, the generic paths of table access, arithmetic and comparisons (metamethods,
 * charged chains and coercions), FORPREP's checks, concatenation, closures, {@code #}. A missing write-out loses or
 * doubles the charges of the code behind it; a missing read-back charges the caller's instructions on a stale count.
 * Each program below crosses every such point in a loop, and is run with the instruction limit at each of many
 * consecutive values: the limit must fire at the interpreter's instruction, with its error, position and count.
 */
public class TicksLocalTest {
    private final Scripts interpreted = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0)));
    private final Scripts compiled = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)));

    private static Scripts limits(Scripts s) {
        return s.withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 20_000_000, 100_000, 100_000, 50, 16);
    }

    private static final String EVERY_DOOR = String.join("\n",
            "local mt = {__index = function(t, k) return #k end, __newindex = function(t, k, v) rawset(t, k, v * 2) end,",
            "  __add = function(a, b) return 3 end, __lt = function(a, b) return false end, __len = function() return 4 end,",
            "  __concat = function(a, b) return 'c' end, __call = function(self, x) return x end}",
            "local o = setmetatable({}, mt)",
            "local function f(x) return x + 1 end",
            "local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)",
            "local s, t, long = 0, {x = 1.5}, {}",
            "for i = 1, 120 do long[i] = i end",
            "for i = 1, 40 do",
            "  s = s + t.x * i + o.abc + #o + f(i) + (o + i) + co() + o(i) + #long",
            "  t.x = t.x + 0.5 o['k' .. i % 3] = i t[i] = s % 7",
            "  if o < s then s = s - 1 end",
            "  local u = o .. i",
            "  local ok, e = pcall(function() return s + {} end)",
            "  local g = function() return i end s = s + g()",
            "  for j = 1, i % 3 do s = s + j end",
            "  s = s + select('#', string.byte('abcdef', 1, -1)) + math.floor(s / 3) % 5",
            "end",
            "return s");

    @Test
    public void aLimitAtEachInstructionAroundEveryDoorStopsWhereTheInterpreterDoes() {
        ExecutionResult full = interpreted.run(EVERY_DOOR);
        assertTrue(full.error() + "", full.error() == null);
        DifferentialFuzz.assertSame(EVERY_DOOR, full, compiled.run(EVERY_DOOR));
        long x = full.instructions();
        // every limit in a stretch of the loop's body, and a spread over the whole run
        for (long limit = x / 2; limit < x / 2 + 90; limit++) {
            same(limit);
        }
        for (long limit = 50; limit < x; limit += x / 37) {
            same(limit);
        }
    }

    /** Red team E20: VARARG charges the values it passes on ({@code Meter.passed}), so it is bracketed too. */
    private static final String VARARGS = "local function pass(...) local x = 1 local t = {...} x = x + #t"
            + " return select('#', ...) + x end"
            + " local function many(...) local a = 0 for i = 1, 3 do a = a + i * 2 local n = pass(...) a = a + n end return a end"
            + " local vals = {} for i = 1, 40 do vals[i] = i end local s = 0"
            + " for k = 1, 3 do local q = k * 1.5 s = s + many(table.unpack(vals)) + q end return s";

    @Test
    public void valuesPassedOnByVarargCountAsInterpreted() {
        ExecutionResult full = interpreted.run(VARARGS);
        DifferentialFuzz.assertSame(VARARGS, full, compiled.run(VARARGS));
        for (long limit = 1; limit < full.instructions(); limit++) {
            same(VARARGS, limit);
        }
    }

    private void same(long limit) {
        same(EVERY_DOOR, limit);
    }

    private void same(String program, long limit) {
        ExecutionResult reference = interpreted.withInstructions(limit).run(program);
        assertTrue("limit " + limit + ": " + reference.error(), reference.error() != null);
        DifferentialFuzz.assertSame("limit " + limit + ":\n" + program, reference, compiled.withInstructions(limit).run(program));
    }
}
