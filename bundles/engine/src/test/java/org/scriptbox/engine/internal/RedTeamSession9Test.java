package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Session-9 red team of issue 14 (engine): findings E15.. of /work/coord/FINDINGS.md. Expected values were
 * recorded with lua5.4 5.4.4 on this machine where Lua 5.2 and 5.4 agree (or Lua 5.2's rule, where the engine
 * follows 5.2 and says so in docs/engine.md). Numbers are compared as {@code %.14g} text, NaN as {@code nan}. Runs in
 * every mode of the suite (interpreted, and again compiled strictly); the tests comparing modes set theirs. A finding
 * not fixed yet is an {@code @Ignore}d test naming it; the attacks that held are kept too, to keep them holding.
 */
public class RedTeamSession9Test {
    private final Scripts scripts = new Scripts();

    /** {@code all(...)}: the values as text, numbers as {@code %.14g} (the same in Lua 5.4 and here). */
    private static final String HELPERS = "local function s(v) if type(v) == 'number' then if v ~= v then return 'nan' end"
            + " return string.format('%.14g', v) end return tostring(v) end\n"
            + "local function all(...) local t = table.pack(...) for i = 1, t.n do t[i] = s(t[i]) end return table.concat(t, ' ') end\n";

    private String text(String source) {
        ExecutionResult r = scripts.run(HELPERS + source);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        return String.valueOf(r.values().get(0));
    }

    private static Scripts engine(long instructions, int depth) {
        return new Scripts().withLimits(Duration.ofSeconds(30), 256L << 20, instructions, 10_000, 1_000, depth, 16);
    }

    /**
     * E15: Luaj's math library and number rules gave other values than C's and Lua's: {@code math.log(8, 2)} was
     * {@code log(8)} (the base ignored), {@code math.ldexp(1, 2^31 - 1)} 0.5 and {@code ldexp(1, -1075)} -7.98e292 (an
     * exponent field overflowed), {@code math.frexp(0/0)} {@code 0.75 1025}, {@code frexp(5e-324)} {@code 0.5 -1022},
     * {@code math.fmod(5.5, math.huge)} NaN, {@code math.modf(math.huge)}'s fraction NaN, {@code math.max(1, 0/0)} NaN,
     * {@code 1 ^ (0/0)} and {@code (-1) ^ math.huge} NaN (Java's {@code Math.pow}; C's {@code pow} says 1) and
     * {@code (0/0) / 0} -inf (Luaj's division by zero looked at the sign of the dividend only).
     */
    @Test
    public void mathGivesCsAndLuasValues() {
        String r = text(String.join("\n",
                "local r = {}",
                "r[#r + 1] = all(math.log(8, 2), math.log(2^29, 2), math.log(1000, 10), math.log(100, 10), math.log(27, 3), math.log(0.5, 2))",
                "r[#r + 1] = all(math.ldexp(1, 2147483647), math.ldexp(1, -1075), math.ldexp(3, -2147483648), math.ldexp(0.75, 4), math.ldexp(1, -1074))",
                "r[#r + 1] = all(math.frexp(0/0)) .. ' | ' .. all(math.frexp(1/0)) .. ' | ' .. all(math.frexp(5e-324)) .. ' | '"
                        + " .. all(math.frexp(-8)) .. ' | ' .. all(math.frexp(0))",
                "r[#r + 1] = all(math.fmod(5.5, math.huge), math.fmod(-5.5, -math.huge), math.fmod(-6, 4), math.fmod(6, -4), math.fmod(math.huge, 2))",
                "r[#r + 1] = all(math.modf(math.huge)) .. ' | ' .. all(math.modf(-math.huge)) .. ' | ' .. all(math.modf(-3.5)) .. ' | ' .. all(math.modf(0/0))",
                "r[#r + 1] = all(math.max(1, 0/0), math.max(0/0, 1), math.min(1, 0/0), math.min(3, 1, 2), math.max(3, 5, 4))",
                "local one, minus, nan = 1, -1, 0/0",
                "r[#r + 1] = all(1 ^ nan, one ^ nan, minus ^ math.huge, (-1) ^ -math.huge, math.pow(1, nan), nan ^ 0, 2 ^ 0.5)",
                "local q = 0 for i = 1, 2 do q = q / 0 end",
                "r[#r + 1] = all(nan / 0, (0/0) / 0, nan / minus, 0 / 0, 1 / 0, -1 / 0, q)",
                "return table.concat(r, '\\n')"));
        assertEquals(String.join("\n",
                "3 29 3 2 3 -1",
                "inf 0 0 12 4.9406564584125e-324",
                "nan 0 | inf 0 | 0.5 -1073 | -0.5 4 | 0 0",
                "5.5 -5.5 -2 2 nan",
                "inf 0 | -inf 0 | -3 -0.5 | nan nan",
                "1 nan 1 1 5",
                "1 1 1 1 1 1 1.4142135623731",
                "nan nan nan nan inf -inf nan"), r);
    }

    /**
     * E16: {@code table.insert(t, -2^31, v)} stored {@code t[-2^31]} and {@code table.remove(t, -2^31)} returned nothing
     * (the bounds check was skipped for |pos| >= 2^31, meant for positions beyond the int range, and -2^31 is in it).
     * E17: both followed Luaj, not Lua: {@code #t} was read twice ({@code __len} called twice), the elements moved up to
     * the first nil past {@code #t} (any number of them, uncharged when {@code __len} was small), the bounds checked
     * against the raw length. Lua 5.2 and 5.4: {@code #t} once, elements {@code pos..#t} only.
     */
    @Test
    public void insertAndRemoveWorkAsLuaDoes() {
        String r = text(String.join("\n",
                "local r = {}",
                "local t = {1, 2, 3}",
                "r[#r + 1] = all(pcall(table.insert, t, -2147483648, 'x')) .. ' ' .. all(#t, t[-2147483648])",
                "r[#r + 1] = all(pcall(table.remove, t, -2147483648)) .. ' ' .. #t",
                "r[#r + 1] = all(pcall(table.insert, t, 5, 'x'), pcall(table.insert, t, 0, 'x'), pcall(table.remove, t, 5))",
                "local u = {1, 2, 3, 4, 5}",
                "local calls = 0",
                "setmetatable(u, {__len = function() calls = calls + 1 return 1 end})",
                "table.insert(u, 1, 0)",
                "local removed = table.remove(u, 1)",
                "table.insert(u, 'z')",
                "local shown = {} for i = 1, 7 do shown[i] = tostring(rawget(u, i)) end",
                "r[#r + 1] = all(calls, removed) .. ' ' .. table.concat(shown, ',')",
                "local w = setmetatable({}, {__len = function() return 3 end})",
                "table.insert(w, 2, 'b')",
                "r[#r + 1] = all(rawget(w, 2), rawget(w, 4), #w, table.remove(w, 2), rawget(w, 3))",
                "r[#r + 1] = all(table.remove({}), table.remove({}, 0), table.remove({7}, 2), table.remove({7, 8}))",
                "return table.concat(r, '\\n')"));
        assertEquals(String.join("\n",
                "false bad argument #2 to 'table.insert' (position out of bounds) 3 nil",
                "false bad argument #1 to 'table.remove' (position out of bounds) 3",
                "false false false bad argument #1 to 'table.remove' (position out of bounds)",
                "3 0 nil,z,3,4,5,nil,nil",
                "b nil 3 b nil",
                "nil nil nil 8"), r);
    }

    /**
     * E17: the moves are charged one instruction each, and only the moves: an insert at the front of 900 elements
     * costs at least 900 instructions (with a {@code __len} of 1 it moved 900 elements for nothing), popping the last
     * element of 900 a few (it was charged 900).
     */
    @Test
    public void insertAndRemoveArePaidPerElementMoved() {
        String fill = "local t = {} for i = 1, 900 do t[i] = i end\n";
        long base = engine(10_000_000, 50).run(fill + "for i = 1, 100 do t[900] = i end return #t").instructions();
        long pops = engine(10_000_000, 50).run(fill + "for i = 1, 100 do table.remove(t) t[#t + 1] = i end return #t").instructions();
        long fronts = engine(10_000_000, 50).run(fill + "for i = 1, 100 do table.insert(t, 1, i) table.remove(t, 1) end return #t")
                .instructions();
        long lying = engine(10_000_000, 50).run(fill + "local n = 0 setmetatable(t, {__len = function() n = n + 1 return 900 end})\n"
                + "for i = 1, 100 do table.insert(t, 1, i) table.remove(t, 1) end return n").instructions();
        assertTrue("pop " + pops + " vs " + base, pops - base < 100 * 30);
        assertTrue("front " + fronts + " vs " + base, fronts - base >= 100 * 2 * 899);
        assertTrue("__len " + lying + " vs " + base, lying - base >= 100 * 2 * 899);
        ExecutionResult small = engine(10_000_000, 50).run(fill + "setmetatable(t, {__len = function() return 1 end})\n"
                + "for i = 1, 100 do table.insert(t, 1, i) table.remove(t, 1) end return tostring(t[1]) .. tostring(t[2]), t[3], t[900]");
        assertEquals(small.error() + "", java.util.List.of("nilnil", 3.0, 900.0), small.values()); // as lua5.4
        assertTrue("__len of 1: " + small.instructions(), small.instructions() - base < 100 * 40);
    }

    /**
     * E18: {@code tonumber(s, base)} was Luaj's: {@code '-'} read as 0, {@code '+1'} and spaces other than ' ' ({@code
     * '\t-7\n'}) refused, a value beyond 2^63 nil. Lua 5.2's {@code luaB_tonumber}: C spaces around, one sign, digits of
     * the base, accumulated as a float (5.4 wraps an integer instead: {@code tonumber('8000000000000000', 16)} is
     * {@code -2^63} there, 2^63 here and in 5.2).
     */
    @Test
    public void tonumberInABaseReadsAsLua() {
        assertEquals("nil 1 -7 nil -255 1295 nil nil nil nil true", text("return all(tonumber('-', 10), tonumber('+1', 10),"
                + " tonumber('\\t-7\\n', 8), tonumber('--5', 10), tonumber(' -ff ', 16), tonumber('zz', 36), tonumber('1_', 10),"
                + " tonumber('', 2), tonumber('+', 16), tonumber('5\\0', 10), tonumber('8000000000000000', 16) == 2^63)"));
    }

    /**
     * E19: the error an xpcall handler runs for was kept per execution: a coroutine suspended inside its handler lent
     * that error's frames to {@code debug.traceback} on the main thread (and to any other coroutine). Now per coroutine.
     */
    @Test
    public void aHandlerSuspendedInACoroutineLendsNoFramesElsewhere() {
        String r = text(String.join("\n",
                "local co = coroutine.create(function()",
                "  local ok, e = xpcall(function() error('inner') end, function(m) coroutine.yield(debug.traceback('co')) return m end)",
                "  return e",
                "end)",
                "local _, inside = coroutine.resume(co)",
                "local outside = debug.traceback('main')",
                "local ok, mine = xpcall(function() error('x') end, function(m) return debug.traceback(m) end)",
                "local _, e = coroutine.resume(co)",
                "return all(inside:find('test.lua:4:', 1, true) ~= nil, outside, mine:find('test.lua:9:', 1, true) ~= nil, e)"));
        assertEquals("true main\nstack traceback:\n\t(frames are listed only in an xpcall handler) true test.lua:4: inner", r);
    }
}
