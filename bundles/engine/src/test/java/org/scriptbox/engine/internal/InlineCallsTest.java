package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;

/**
 * Calls of short numeric functions compiled into their call sites ({@code compiler.InlineCallee}, spectral's
 * {@code A(i, j)}): interpreted and {@code asm-strict} must give the same status, values, error, position, traceback
 * and instruction count, with the guard passing (the same closure, another closure of the same function), failing
 * (the callee rebound to another Lua function, a library function, a callable table, nil; non-number arguments) and
 * with the instruction and depth limits met at, inside and after the inlined call.
 */
public class InlineCallsTest {
    private final Scripts interpreted = instructions("interpreted", 20_000_000, 50);
    private final Scripts compiled = instructions("asm-strict", 20_000_000, 50);

    private void same(String program) {
        ExecutionResult ref = interpreted.run(program);
        assertEquals(program, null, ref.error()); // every program here ends normally (errors are caught inside)
        DifferentialFuzz.assertSame(program, ref, compiled.run(program));
    }

    private static final String A = "local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end ";

    @Test
    public void inlinedCalleesGiveTheCallsValues() {
        // an upvalue callee (spectral's Av) and a local one, with integers, floats, -0, NaN, inf and huge arguments
        same(A + "local function Av(n) local s = 0 for i = 1, n do for j = 1, n do s = s + A(i, j) end end return s end"
                + " return Av(30), Av(1)");
        same("local function f(x) return -x end local function g(x, y) return x / y end local function h(x, y, z) return (x - y) * z end"
                + " local out = {} local vals = {0, -0.0, 1, -1, 0.5, 1/0, -1/0, 0/0, 2^53, 2^63, -2^31, 3}"
                + " for a = 1, #vals do for b = 1, #vals do local x, y = vals[a], vals[b]"
                + " local r1, r2, r3 = f(x) + 0, g(x, y) + 0, h(x, y, 2) + 0"
                + " out[#out + 1] = tostring(r1) .. '|' .. tostring(r2) .. '|' .. tostring(r3) .. '|' .. tostring(1 / r1)"
                + " .. tostring(r2 == math.floor(r2)) .. tostring(r2 ~= r2) end end return table.concat(out, ' ')");
        // a body of moves and constants only, and one whose result is an integer-valued double
        same("local function k(x) local y = x local z = 4 return z end local function m(x, y) return x * 2 - y end"
                + " local s, t = 0, {} for i = 1, 10 do s = s + k(i) + m(i, 0.5) t[i] = m(i, i) end"
                + " return s, tostring(t[3] == math.floor(t[3])), tostring(t[3]), table.concat(t, ',')");
    }

    @Test
    public void aFailedGuardCallsWhatIsThere() {
        same(A + "local s = 0 local out = {} for i = 1, 14 do local ok, e = pcall(function() s = s + A(i, 2) end)"
                + " out[#out + 1] = tostring(ok) .. tostring(e)"
                + " if i == 2 then A = function(x, y) return x - y end elseif i == 4 then A = math.max"
                + " elseif i == 6 then A = setmetatable({}, {__call = function(self, a, b) return a * b end})"
                + " elseif i == 8 then A = nil elseif i == 9 then A = function(x, y) return x .. y end"
                + " elseif i == 11 then A = function(x, y) error('boom ' .. x) end end end"
                + " return s, table.concat(out, ' ')");
        // non-number arguments (a numeric string, a table) take the call; closures of one function pass the guard
        same(A + "local t = {} local s = 0 for i = 1, 6 do local ok, e = pcall(function() return A(i == 3 and '3' or i, i == 5 and t or 1) end)"
                + " t[i] = tostring(ok) .. tostring(e) end return table.concat(t, ' ')");
        same("local function make(c) return function(x) return x * 2 + 1 end end local f = make(1) local s = 0"
                + " for i = 1, 10 do s = s + f(i) if i == 5 then f = make(2) end end return s");
        // an inlined callee called from a coroutine and from another function's typed entry
        same(A + "local function B(i) return A(i, i) + 1 end local co = coroutine.wrap(function() local s = 0"
                + " for i = 1, 5 do s = s + B(i) coroutine.yield(s) end return 'done' end) local out = {}"
                + " for i = 1, 6 do out[i] = tostring(co()) end return table.concat(out, ',')");
    }

    @Test
    public void theInstructionLimitMeetsAnInlinedCallWhereTheInterpreterDoes() {
        String loop = A + "local s = 0 for i = 1, 4 do for j = 1, 4 do s = s + A(i, j) end end return s";
        long total = interpreted.run(loop).instructions();
        for (long limit = 1; limit <= total + 1; limit++) {
            ExecutionResult ref = instructions("interpreted", limit, 50).run(loop);
            DifferentialFuzz.assertSame(loop + " (limit " + limit + ")", ref, instructions("asm-strict", limit, 50).run(loop));
        }
        String caught = A + "local function Av(n) local s = 0 for i = 1, n do s = s + A(i, 1) end return s end"
                + " return pcall(Av, 1e9)";
        ExecutionResult ref = instructions("interpreted", 50_000, 50).run(caught);
        assertEquals(ErrorKind.LIMIT, ref.error().kind());
        DifferentialFuzz.assertSame(caught, ref, instructions("asm-strict", 50_000, 50).run(caught));
    }

    @Test
    public void theDepthLimitMeetsAnInlinedCallWhereTheInterpreterDoes() {
        for (int depth = 2; depth <= 30; depth += 7) {
            String deep = A + "local function d(n) if n == 0 then return A(2, 3) end return d(n - 1) + 1 end local out = {}"
                    + " for n = " + (depth - 4) + ", " + (depth + 2) + " do out[#out + 1] = tostring(pcall(d, n)) end"
                    + " return table.concat(out, ' ')";
            DifferentialFuzz.assertSame(deep, instructions("interpreted", 1_000_000, depth).run(deep),
                    instructions("asm-strict", 1_000_000, depth).run(deep));
            String uncaught = A + "local function d(n) if n == 0 then return A(2, 3) end return d(n - 1) + 1 end return d("
                    + (depth - 1) + ")";
            ExecutionResult r = instructions("interpreted", 1_000_000, depth).run(uncaught);
            DifferentialFuzz.assertSame(uncaught, r, instructions("asm-strict", 1_000_000, depth).run(uncaught));
        }
        // every depth up to past the limit of 10: one of them has A's call as the level over the limit
        boolean failed = false;
        for (int n = 4; n <= 12; n++) {
            String over = A + "local function d(n) if n == 0 then return A(2, 3) end return d(n - 1) + 1 end return d(" + n + ")";
            ExecutionResult r = instructions("interpreted", 1_000_000, 10).run(over);
            failed |= r.error() != null;
            DifferentialFuzz.assertSame(over, r, instructions("asm-strict", 1_000_000, 10).run(over));
        }
        assertTrue("the depth limit was never met", failed);
    }

    private static Scripts instructions(String mode, long n, int depth) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0))
                .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, n, 100_000, 100_000, depth, 16);
    }
}
