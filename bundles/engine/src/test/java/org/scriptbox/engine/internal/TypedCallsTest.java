package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptFunction;

/**
 * Calls of compiled Lua functions with numbers whose one result is read as a number go through the callee's typed
 * entry ({@code CompiledFunction.callNum}: parameters and result as doubles, session 9). Each case runs interpreted
 * and compiled ({@code asm-strict}) and must give the same status, values, error (message, position, traceback) and
 * instruction count: results that are no numbers, several or none, tail calls, varargs, arity mismatches, a callee
 * rebound mid-loop, errors inside, the depth and instruction limits met in and around the call, coroutines.
 */
public class TypedCallsTest {
    private final Scripts interpreted = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0)));
    private final Scripts compiled = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)));

    private static Scripts limits(Scripts s) {
        return s.withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 20_000_000, 100_000, 100_000, 50, 16);
    }

    private void same(String program) {
        DifferentialFuzz.assertSame(program, interpreted.run(program), compiled.run(program));
    }

    private static final String SPECTRAL_A = "local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end ";

    @Test
    public void resultsOfEveryKindComeBackAsTheCallGivesThem() {
        same(SPECTRAL_A + "local s = 0 for i = 1, 30 do for j = 1, 30 do s = s + A(i, j) end end return s");
        // not numbers: strings (coerced by the arithmetic after), nil, tables, booleans; several values; none; NaN, -0
        same("local function f(i) if i % 5 == 0 then return tostring(i) elseif i % 7 == 0 then return i, 'more' end return i * 0.5 end"
                + " local s = 0 for i = 1, 40 do s = s + f(i) end return s");
        same("local function f(i) if i > 3 then return {} end return i end local s = 0"
                + " local ok, e = pcall(function() for i = 1, 6 do s = s + f(i) end end) return s, ok, e");
        same("local function f(i) if i == 2 then return end return i end local out = {}"
                + " for i = 1, 3 do local r = f(i) out[#out + 1] = tostring(r == nil) .. tostring(r ~= nil and r < 2) end"
                + " return table.concat(out, ',')");
        same("local function f(i) if i == 1 then return 0/0 elseif i == 2 then return -0.0 elseif i == 3 then return 'x' end"
                + " return true end local out = {} for i = 1, 4 do local r = f(i) out[#out + 1] = tostring(r ~= r) .. ':'"
                + " .. tostring(r) .. ':' .. tostring(r == 0 and 1 / r) end return table.concat(out, ' ')");
        // a numeric string stays a string through the call (only the arithmetic after converts it)
        same("local function f(i) return '0x10' end local r = f(1) local t = r + 1 return type(r), r, t");
    }

    @Test
    public void tailCallsVarargsArityAndCapturedParameters() {
        same("local function g(a, b) return a * b end local function f(i, j) return g(i - 1, j) end"
                + " local s = 0 for i = 1, 20 do s = s + f(i, 0.5) end return s");
        same("local function f(i, ...) return select('#', ...) + i, ... end local s = 0 for i = 1, 5 do s = s + f(i) end"
                + " for i = 1, 5 do s = s + f(i, i) end return s, f(1, 2, 3)");
        // fewer and more arguments than parameters (the boxing entry), a parameter captured, one reassigned
        same("local function f(i, j, k) return i + (j or 10) + (k or 100) end local function h(i) return i * 2 end"
                + " local s = 0 for i = 1, 5 do s = s + f(i) + f(i, i) + h(i, i, i) end return s");
        same("local function f(i, j) local c = function() i = i + 1 return i end return c() + c() + j end"
                + " local function g(i) i = tostring(i) .. '5' return i end local s = 0"
                + " for i = 1, 5 do s = s + f(i, 1) + g(i) end return s");
        // recursion through the typed entry (fib), with the result used as a number
        same("local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(18), fib(2.5)");
    }

    @Test
    public void aCalleeReboundMidLoopIsCalledAsItIsThen() {
        same("local function f(i, j) return i + j end local s = 0 local out = {}"
                + " for i = 1, 12 do local ok, e = pcall(function() s = s + f(i, 2) end) out[#out + 1] = tostring(ok) .. tostring(e)"
                + " if i == 2 then f = math.max elseif i == 4 then f = setmetatable({}, {__call = function(self, a, b) return a - b end})"
                + " elseif i == 6 then f = function(a) return 'r' .. a end elseif i == 8 then f = nil"
                + " elseif i == 9 then f = coroutine.wrap(function(a) while true do a = coroutine.yield(a * 2) end end)"
                + " elseif i == 10 then f = function(a, b, c) return (c or a) * b end end end return s, table.concat(out, ' ')");
        // the error naming the callee (upvalue, local, field) and the traceback through a typed entry
        same("local function f(i) return i + 1 end local t = {g = f} local ok, e = pcall(function() local s = 0"
                + " for i = 1, 3 do s = s + f(i) + t.g(i) end f = nil return s + f(1) end) return ok, e");
        same("local function inner(i) if i > 2 then local x = nil return x + i end return i end"
                + " local function outer(i) return inner(i) * 2 + 0 end"
                + " return xpcall(function() local s = 0 for i = 1, 4 do s = s + outer(i) end return s end, debug.traceback)");
    }

    @Test
    public void limitsMetInsideAndAroundTypedCallsAreTheInterpreters() {
        // the depth limit reached through typed entries: the same error, position and traceback
        same("local function d(n) if n == 0 then return 0 end return d(n - 1) + 1 end local out = {}"
                + " for n = 40, 55, 3 do out[#out + 1] = tostring(pcall(d, n)) end return table.concat(out, ' ')");
        same("local function d(n) return d(n + 1) + 1 end return d(1)");
        // the instruction limit at each instruction of a loop of typed calls
        String loop = SPECTRAL_A + "local s = 0 for i = 1, 4 do for j = 1, 4 do s = s + A(i, j) end end return s";
        long total = interpreted.run(loop).instructions();
        for (long limit = total - 45; limit <= total + 1; limit++) {
            ExecutionResult ref = instructions("interpreted", limit).run(loop);
            DifferentialFuzz.assertSame(loop + " (limit " + limit + ")", ref, instructions("asm-strict", limit).run(loop));
        }
        // endless tail calls inside a typed entry still end at the instruction limit
        String tail = "local function t(n) return t(n + 1) end local function f(i) return t(i) end return f(1) + 1";
        ExecutionResult ref = instructions("interpreted", 100_000).run(tail);
        assertEquals(ErrorKind.LIMIT, ref.error().kind());
        DifferentialFuzz.assertSame(tail, ref, instructions("asm-strict", 100_000).run(tail));
    }

    @Test
    public void typedCalleesYieldAndResumeInsideCoroutines() {
        same("local function f(i) local r = coroutine.yield(i * 2) return r + i end"
                + " local co = coroutine.wrap(function() local s = 0 for i = 1, 4 do s = s + f(i) end return 'done', s end)"
                + " local out = {} local v = co() while v ~= 'done' do out[#out + 1] = tostring(v) v = co(v + 0.5) end"
                + " return table.concat(out, ','), v");
    }

    @Test
    public void cancelStopsALoopOfTypedCalls() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        ScriptFunction start = (scope, args) -> {
            started.countDown();
            return null;
        };
        Scripts s = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)).withInstructions(Long.MAX_VALUE / 2)
                .withLibrary("control", Map.of("started", start));
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> s.run(
                SPECTRAL_A + "started() local x = 0 while true do x = x + A(3, 4) end"));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        s.cancellation.cancel("undeploy");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        ExecutionResult t = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)).withInstructions(Long.MAX_VALUE / 2)
                .withTime(Duration.ofMillis(200)).run(SPECTRAL_A + "local x = 0 while true do x = x + A(3, 4) end");
        assertEquals(ScriptStatus.TIMEOUT, t.status());
    }

    /** The point of the typed entry: no box for the arguments or the result (200,000 calls; 6.4 MB of boxes before). */
    @Test
    public void typedCallsAllocateNoBoxes() {
        ExecutionResult r = compiled.run(SPECTRAL_A + "local s = 0 for i = 1, 400 do for j = 1, 500 do s = s + A(i, j) end end"
                + " return s > 0");
        assertEquals(null, r.error());
        assertTrue("allocated " + r.allocatedBytes(), r.allocatedBytes() < 1_000_000);
    }

    private static Scripts instructions(String mode, long n) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0))
                .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, n, 100_000, 100_000, 50, 16);
    }
}
