package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * The compiler's numeric specialisation (numbers unboxed in JVM double locals, numeric {@code for} in
 * doubles, comparisons of numbers as doubles; {@code NumericRegisters}) gives the interpreter's values,
 * errors and instruction counts on the edge cases it must get right, and really keeps numbers unboxed.
 */
public class AsmNumericTest {
    private final Scripts interpreted = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0)));
    private final Scripts compiled = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)));

    private static Scripts limits(Scripts s) {
        return s.withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 20_000_000, 100_000, 100_000, 50, 16);
    }

    private void same(String program) {
        ExecutionResult reference = interpreted.run(program);
        ExecutionResult r = compiled.run(program);
        DifferentialFuzz.assertSame(program, reference, r);
    }

    @Test
    public void minusZeroBecomesZeroAsLuajBoxesIt() {
        same("local z = 0 * -1 local y = -z local n = 0 local m = -n"
                + " return 1 / z, 1 / y, 1 / m, tostring(z), tostring(-0.0 * 1), 1 / (z * 5), 1 / (0 / -3)");
        same("local s = 0 for i = 1, 3 do s = s * -1 end return 1 / s, 1 / (s - 0), 1 / -s");
    }

    /**
     * Session 9: results are no longer normalised, so a double local may hold -0 where the interpreter holds the
     * integer 0 ("either zero", {@code NumericRegisters}). Zeros of both signs (a product, a negation, a quotient,
     * an underflow, {@code floor(-0.5)}, a loop index) meet every use of an unboxed number: arithmetic on both sides,
     * the base and the exponent of {@code ^}, comparisons, keys, field stores read back (boxed and unboxed), for loop
     * operands, math calls, text.
     */
    @Test
    public void eitherZeroGivesTheInterpretersValuesInEveryUse() {
        same("local sqrt, floor, ceil, abs, sin, cos = math.sqrt, math.floor, math.ceil, math.abs, math.sin, math.cos"
                + " local out, t, f = {}, {}, {z = 1}"
                + " local function put(...) for k = 1, select('#', ...) do out[#out + 1] = tostring((select(k, ...))) end end"
                + " for i = 1, 3 do"
                + "   local a = 0 * -i local b = -(i - i) local c = 0 / -i local d = (-1e-300 * i) * 1e-300"
                + "   local e = floor(-0.5 * i + 0.25) * 0 local g = i - i"
                + "   put(1 / (a + b), 1 / (a - b), 1 / (c * d), 1 / (a / 2), 1 / (a + 0), 1 / -a, 1 / (-a * -1), 1 / (b * -2))"
                + "   put(1 / (5 % (a - 1)), a % 3, 1 / ((a * 7) % 3), 3 % a, 1 / (i / a), 1 / (a / -i))"
                + "   put(a ^ -1, b ^ -3, c ^ 2, 2 ^ a, 2 ^ -b, d ^ 0.5, 1 / (a ^ 3), e ^ -2)"
                + "   put(a == 0, b < 0, c <= 0, d == g, -a < b, 0 <= -c)"
                + "   put(1 / sqrt(a), 1 / floor(b), 1 / ceil(c), 1 / abs(d), 1 / sin(e), cos(a), 1 / (sqrt(a) * -1))"
                + "   t[a] = i t[b] = (t[b] or 0) + i t[c * 1] = t[d] f.z = a f.w = b * 1 f.x = -a"
                + "   put(1 / f.z, 1 / (f.z * 1), 1 / (f.w - 0), 1 / -f.x, f.x ^ -1)"
                + "   local n = 0 for j = a, b + 2, 1 do n = n + 1 / j end for j = c, -1 - d, -1 do n = n + 1 / j end"
                + "   for j = 1, 2, 1 + a do n = n + j end for j = d, e do put(1 / j) end"
                + "   put(n, a, b, string.format('%g %d %.1f %5.2f', c, d, e, g), rawequal(a, 0), f.z, f.x, a .. '', -b .. c)"
                + " end"
                + " local keys = {} for k, v in pairs(t) do keys[#keys + 1] = tostring(k) .. '=' .. tostring(v) .. ',' .. 1 / k end"
                + " for k, v in pairs(f) do keys[#keys + 1] = k .. '=' .. tostring(v) .. ',' .. 1 / v end"
                + " return table.concat(out, ' '), table.concat(keys, ' ')");
    }

    /**
     * The rarely taken paths where a number held unboxed meets a string, a table with metamethods, a NaN field or a
     * callee that is not a math function (session 8: {@code Ops.value} boxes it there without storing the box back,
     * field sites, the NaN miss test of {@code getFieldNum}): values, errors and their positions as interpreted.
     */
    @Test
    public void unboxedNumbersOnTheRarelyTakenPaths() {
        same("local mt = {__add = function(a, b) return 'add' end, __lt = function(a, b) return true end,"
                + " __unm = function() return 'unm' end} local o = setmetatable({}, mt)"
                + " local t = {x = 1.5, y = 0/0, s = '2', n = 3} local out = {} local n = 0"
                + " for i = 1, 4 do local v = t.x * i local w = t.y local s = t.s local obj = i % 2 == 0 and o or s"
                + " local f = i % 2 == 0 and math.sqrt or tostring local q = f(v)"
                + " out[#out + 1] = tostring(v + obj) .. tostring(w + 1) .. tostring(v < 3) .. tostring(q)"
                + " local ok, e = pcall(function() return v < obj end) out[#out + 1] = tostring(ok) .. tostring(e)"
                + " t.z = v t.w = w t[v] = s local m = -t.s local k = -(t.n + v) for j = v, t.s do n = n + j end"
                + " out[#out + 1] = tostring(m) .. tostring(k) .. tostring(t.z) .. tostring(t.w ~= t.w) .. tostring(t[v])"
                + " if i == 3 then t.x = 'x' end end return table.concat(out, ' '), n");
        same("local t = {x = 1} local r = {} for i = 1, 3 do local v = t.x + i r[i] = pcall(function() return v + {} end)"
                + " t.x = i == 2 and {} or t.x end local ok, e = pcall(function() local a = t.x return a + 1 end) return r[1], ok, e");
    }

    @Test
    public void divisionAndModuloFollowLuajsRules() {
        same("local n, z, one = 0/0, 0, 1 return n / 0, one / z, -one / z, z / z, n % 0, 5 % -3, -5 % 3,"
                + " 5.5 % -2, one % z, (-8) ^ (1/3), 2 ^ 0.5, z ^ z, 7 / 2, 6 / 2, tostring(6 / 2)");
        same("local t = {} for i = -3, 3 do t[#t + 1] = tostring(i / 0) .. ':' .. tostring(i % 0) .. ':'"
                + " .. tostring(0 / i) .. ':' .. tostring(i % -2.5) .. ':' .. tostring(i ^ 2) end return table.concat(t, ' ')");
    }

    @Test
    public void integersBeyondThirtyTwoBitsAndFiftyThreeBits() {
        same("local a = 2147483647 local b = -2147483648 return a * a, tostring(a * a), a + 1, b - 1, -b, a * a - 1,"
                + " 46341 * 46341, 2^53 + 1, tostring(2^53), tostring(2^31), 3 * 1.5, tostring(3.0), tostring(1e15), tostring(1e16)");
        same("local s, c = 0, 0 for i = 2147483640, 2147483650 do s = s + i c = c + 1 end"
                + " for i = -2147483640, -2147483650, -3 do s = s + i c = c + 1 end return s, c, tostring(s)");
    }

    @Test
    public void forLoopsWithFloatStringAndOddBounds() {
        same("local n = 0 for i = 1, 2, 0.1 do n = n + i end return n, tostring(n)");
        same("local n = 0 for i = '1', '3' do n = n + i end for i = 1, '2', '0.5' do n = n + i end return n");
        same("local n = 0 for i = 3, 1 do n = n + 1 end for i = 1, 0/0 do n = n + 1 end for i = 0/0, 1 do n = n + 1 end"
                + " for i = 1, 5, 0 do n = n + 1 end for i = 1, 1/0 do n = n + 1 if n > 5 then break end end return n");
        same("local n = 0 for i = 10, 1, -3.5 do n = n + i end for i = -0.0, 1 do n = n + 1 / (i - i) end return n");
        same("for i = 1, {} do end");
        same("for i = 'x', 2 do end");
        same("for i = 1, 2, nil do end");
    }

    @Test
    public void coercionsAndMetamethodsInTheSameRegister() {
        same("local s = 0 for i = 1, 6 do local v = (i % 2 == 0) and '10' or i s = s + v * 2 - v / 4 end return s");
        same("local mt = {__add = function(a, b) return 100 end, __sub = function() return -1 end,"
                + " __lt = function() return true end, __unm = function() return 3 end}"
                + " local o, s = setmetatable({}, mt), 0 for i = 1, 4 do local v = (i % 2 == 0) and o or i"
                + " s = s + (v + i) + (i - v) + (-v) if v < i then s = s + 1000 end end return s");
        same("local s = 0 for i = 1, 3 do local v = i == 2 and 'abc' or i s = s + v end return s");
        same("local s = 0 for i = 1, 3 do local v = i == 3 and {} or i if v < 2 then s = s + 1 end end return s");
        same("local s = 0 for i = 1, 3 do s = s + (i == 2 and ' 0x10 ' or i) end return s, -'2', -' 3 '");
    }

    @Test
    public void numbersThatEscapeAreTheInterpretersValues() {
        same("local t, r, fs = {}, 0, {} for q = 1, 5 do local h = q * 1.5 - 2 t[h] = q / 2 t[q + 0.5] = h"
                + " fs[q] = function() return h + q end r = r + (t[h] or 0) + select(2, q, h * 2) + math.max(h, q) end"
                + " local u = 0 for _, f in ipairs(fs) do u = u + f() end return r, u, #t, t[1], t[1.5], t[-0.5], r .. ''");
        same("local function f(x) return x * 2, x / 3 end local s = 0 for i = 1, 10 do local a, b = f(i + 0.5)"
                + " s = s + a - b end return s, tostring(s)");
    }

    @Test
    public void aForLoopWhoseRegistersAreReusedByACapturedLocal() {
        // found by the fuzzer: the loop's registers, after an arithmetic loop in the same registers, are a
        // captured local's later; the loop variable's double was stale on the loop's generic path
        same("local acc = {}\n"
                + "do local x, y, z = 1/3, 0.1, 2147483640 local c = 0 while x < 2 and c < 5 do x = x + y * 3"
                + " y = -y * 1.5 z = z + 3 c = c + 1 end acc[#acc + 1] = tostring(x) .. tostring(c) end\n"
                + "for i6 = 3, 1, -1 do if i6 == 1 then goto cont7 end acc[#acc + 1] = i6 ::cont7:: end\n"
                + "do local v8 = 4 local lf9 = function(p10) return v8 + p10 end acc[#acc + 1] = lf9(1) end\n"
                + "return table.concat(acc, ',')");
    }

    @Test
    public void errorsOfArithmeticAndComparisonKeepTheirPositions() {
        same("local s = 0\nfor i = 1, 3 do\n  s = s + i\n  if i == 2 then s = s + {} end\nend\nreturn s");
        same("local s = 0\nfor i = 1, 3 do\n  if i > 2 then return s < 'x' end\n  s = s + i\nend");
        same("local s = 0\nwhile true do\n  s = s + 1.5\n  if s > 4 then s = -nil end\nend");
    }

    @Test
    public void anInstructionLimitInsideChargedTogetherArithmeticStopsWhereTheInterpreterDoes() {
        // arithmetic on sure numbers is charged as one group with what follows it: a limit that falls inside
        // the group must still end the run at the interpreter's instruction, line and count
        String program = "local x, y = 0.5, 1\nfor i = 1, 1e9 do\n  x = x * 0.5 + i\n  y = y - x / 3 + 2 * i\n"
                + "  x = -x + y % 7\nend";
        for (long limit = 3000; limit < 3030; limit++) {
            ExecutionResult reference = interpreted.withInstructions(limit).run(program);
            ExecutionResult r = compiled.withInstructions(limit).run(program);
            assertTrue(reference.error() + "", reference.error() != null);
            DifferentialFuzz.assertSame("limit " + limit + ":\n" + program, reference, r);
        }
    }

    @Test
    public void aFunctionTooBigForTheNumericCodeStillCompilesWithoutIt() {
        // the numeric fast paths make arithmetic on unknown operands ~5x bigger: a function that fitted one
        // JVM method before them must still compile (asm-strict refuses any function left interpreted)
        StringBuilder program = new StringBuilder("local function f(x, a)\n");
        for (int i = 0; i < 2500; i++) {
            program.append("  x = x + a\n");
        }
        program.append("  return x\nend\nreturn f(1, 2), f('1', 0.5), pcall(f, {}, 1)");
        same(program.toString());
    }

    @Test
    public void aFloatLoopAllocatesNoNumbers() {
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        String program = "local x, y, n = 0.5, 0.25, 0 for i = 1, 200000 do x = x * 0.999 + y / i"
                + " if x < y then n = n + 1 end end return x, n";
        same(program);
        compiled.run(program); // warm
        ExecutionResult r = compiled.run(program);
        ExecutionResult boxed = interpreted.run(program);
        // boxed: ~4 numbers of 24 bytes per iteration, ~19 MB; unboxed: the run's fixed cost only
        assertTrue("interpreted allocates " + boxed.allocatedBytes(), boxed.allocatedBytes() > 10_000_000);
        assertTrue("compiled allocated " + r.allocatedBytes() + " bytes", r.allocatedBytes() < 2_000_000);
        assertEquals(boxed.values(), r.values());
    }

    /**
     * A numeric for's variable is held unboxed too: boxed only where it is used as a value, so a loop that uses it
     * as a number or not at all makes no {@code LuaInteger} per iteration (LuaInteger caches only small ones).
     */
    @Test
    public void forLoopVariablesAreBoxedOnlyWhereUsedAsValues() {
        same("local n, t = 0, {} for i = 1, 3000 do n = n + 1 end for i = 1, 3000 do t[i] = i end"
                + " for i = 1, 30, 0.5 do t[#t + 1] = i end for i = 1, 10 do local f = function() return i end n = n + f() end"
                + " for i = 1, 5 do t[i] = tostring(i) .. type(i) end return n, #t, t[3], t[3001], t[3002]");
        ExecutionResult r = compiled.run("for i = 1, 200000 do end local n = 0 for i = 1, 200000 do n = n + i end return n");
        assertTrue("allocated " + r.allocatedBytes(), r.allocatedBytes() < 1_000_000); // 6.4 MB of boxes before
    }

    /**
     * {@code math.sqrt} and its kind called with a number whose result is read as a number run unboxed
     * ({@code vm.NumberFunction}): the same values (-0 as 0, NaN, huge), the same charge and call level (a depth or
     * instruction limit met inside the call), and the plain call for anything else (a string, a replaced function,
     * a table with __call, a missing function).
     */
    @Test
    public void mathFunctionsCalledUnboxedGiveTheCallsValuesAndCharges() {
        same("local sqrt, floor, ceil, abs, sin, cos = math.sqrt, math.floor, math.ceil, math.abs, math.sin, math.cos"
                + " local out = {} for i = -3, 3, 0.5 do local z = i * 0 local a = sqrt(i) + floor(i) * 2 + ceil(i) - abs(i)"
                + " local b = floor(z - 0.25) + ceil(-0.25) local c = sin(i) * cos(i) out[#out + 1] = tostring(a) .. ','"
                + " .. tostring(1 / (ceil(-0.5) + 0)) .. ',' .. tostring(b) .. ',' .. tostring(c) .. ',' .. tostring(1 / ceil(-0.5))"
                + " end local h = floor(2^40 + 0.5) + sqrt(1e300) local s = sqrt('16') + 1 local m = math.floor(-2^31 - 0.5)"
                + " return table.concat(out, ' '), h, s, m, sqrt(-1) ~= sqrt(-1), floor(1/0), abs(-1/0)");
        // not the library function: a replacement, a callable table, a non-function (the call's own error)
        same("local real = math.sqrt math.sqrt = function(x) return -x end local n = 0 for i = 1, 10 do n = n + math.sqrt(i) end"
                + " local c = setmetatable({}, {__call = function(self, x) return x * 3 end}) for i = 1, 10 do n = n + c(i) end"
                + " math.sqrt = real for i = 1, 10 do n = n + math.sqrt(i * i) end local f = 5"
                + " local ok, e = pcall(function() return f(2) + 1 end) return n, ok, e");
        // limits met inside the call: the call level and the charge are the call's
        same("local sqrt = math.sqrt local function deep(n) if n == 0 then return sqrt(4) + 1 end return deep(n - 1) + 0 end"
                + " local out = {} for d = 40, 52 do out[#out + 1] = tostring(pcall(deep, d)) end return table.concat(out, ' ')");
        for (int limit = 200; limit <= 236; limit++) {
            ExecutionResult ref = interpretedWithInstructions(limit).run(SQRT_LOOP);
            ExecutionResult got = compiledWithInstructions(limit).run(SQRT_LOOP);
            DifferentialFuzz.assertSame(SQRT_LOOP + " (limit " + limit + ")", ref, got);
        }
    }

    @Test
    public void mathFunctionsCalledWithNumbersAllocateNoBoxes() {
        ExecutionResult r = compiled.run("local sqrt = math.sqrt local s = 0 for i = 1, 200000 do s = s + sqrt(i + 0.5) end"
                + " return s > 0");
        assertTrue("allocated " + r.allocatedBytes(), r.allocatedBytes() < 1_000_000); // a box each way: 6.4 MB
    }

    private static final String SQRT_LOOP = "local sqrt = math.sqrt local s = 0 for i = 1, 100 do s = s + sqrt(i) end return s";

    private static Scripts interpretedWithInstructions(long n) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0))
                .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, n, 100_000, 100_000, 50, 16);
    }

    private static Scripts compiledWithInstructions(long n) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0))
                .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, n, 100_000, 100_000, 50, 16);
    }
}
