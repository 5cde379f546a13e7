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

    /**
     * E21: a gsub replacement string was Luaj's: {@code '%x'} gave {@code x}, and a trailing {@code %} read the byte
     * after the string (a substring shares its array: {@code ('x%yz'):sub(1, 2)} replaced by {@code xy}) or failed in
     * Java ({@code bad argument to 'string.gsub' (invalid arguments)}); Lua: each {@code %} followed by a digit or
     * {@code %}, checked when the replacement is used. {@code find}/{@code match} from past the end found {@code ''} at
     * {@code #s + 1} (Lua 5.2 and 5.4: nil).
     */
    @Test
    public void replacementStringsAndStartsPastTheEndAreLuas() {
        assertEquals(String.join("\n",
                "false invalid use of '%' in replacement string",
                "false invalid use of '%' in replacement string",
                "false invalid use of '%' in replacement string",
                "true abc 0",
                "a[b%b]c 1",
                "nil 4 nil nil 1 0"), text(String.join("\n",
                "local r = {}",
                "r[#r + 1] = all(pcall(string.gsub, 'abc', 'b', '%'))",
                "r[#r + 1] = all(pcall(string.gsub, 'abc', 'b', ('x%yz'):sub(1, 2)))",
                "r[#r + 1] = all(pcall(string.gsub, 'abc', 'b', '%x'))",
                "r[#r + 1] = all(pcall(string.gsub, 'abc', 'z', '%'))",
                "r[#r + 1] = all(('abc'):gsub('(b)', '[%1%%%0]'))",
                "r[#r + 1] = all(('abc'):find('', 10), ('abc'):find('', 4), ('abc'):match('()', 5), ('abc'):find('c', 4, true),"
                        + " ('abc'):find('', -10))",
                "return table.concat(r, '\\n')")));
    }

    /**
     * E23: {@code os.clock()} was Luaj's wall time since its {@code OsLib} class was loaded: the container's uptime, one
     * clock for every script (a run read where another had left it). Lua's clock starts near 0 with the program; now it
     * is the seconds the execution has been running: a run's first reading is below the last reading of a run before it.
     */
    @Test
    public void eachRunHasItsOwnClock() {
        ExecutionResult first = engine(10_000_000, 50).run("local x = 0 for i = 1, 300000 do x = x + i end return os.clock()");
        ExecutionResult second = engine(10_000_000, 50).run("return os.clock()");
        double end = (Double) first.values().get(0);
        double start = (Double) second.values().get(0);
        assertTrue(start + " after " + end, start >= 0 && start < end && end < 30);
    }

    /**
     * E24: Luaj's lexer failed in Java on a malformed numeral ({@code 1e}, {@code 1..2}, {@code 3.4.5}, {@code 1ee2}):
     * the script's author read {@code cannot compile (internal compiler error)} a line below the numeral; and it took
     * {@code 0x}, {@code 0x1p}, {@code 0x.p1} and the {@code 0x} of {@code 0xg} for numbers. Lua 5.2 and 5.4: {@code
     * malformed number near '1e'}, at the numeral; deployed scripts and {@code load} alike. Numerals Lua reads stay.
     */
    @Test
    public void aMalformedNumeralIsNamedWhereItIs() {
        assertEquals(String.join("\n",
                "t:1: malformed number near '1e'", "t:1: malformed number near '1e+'", "t:1: malformed number near '1..2'",
                "t:1: malformed number near '3.4.5'", "t:1: malformed number near '1ee2'", "t:1: malformed number near '0x'",
                "t:1: malformed number near '0x1p'", "t:1: malformed number near '0x.p1'", "t:1: malformed number near '0x'",
                "t:1: malformed number near '.5e+'", "t:2: malformed number near '2e'",
                "8 1 inf 0.5 15 16 5 1.5 100 3"), text(String.join("\n",
                "local r = {}",
                "for _, s in ipairs({'1e', '1e+', '1..2', '3.4.5', '1ee2', '0x', '0x1p', '0x.p1', '0xg', '.5e+', '1 +\\n 2e'}) do",
                "  r[#r + 1] = select(2, load('return ' .. s, '=t'))",
                "end",
                "r[#r + 1] = all(load('return 08, 0x1., 1e400, .5, 0xe+1, 0x1p4, 5., 0x1.8, 1E2, 0x.Cp2')())",
                "return table.concat(r, '\\n')")));
        try {
            scripts.engine.compile("deployed.lua", "local x = 1\nlocal y = 12e + x\n");
            throw new AssertionError("compiled");
        } catch (org.scriptbox.api.ScriptException e) {
            assertEquals("malformed number near '12e' deployed.lua:2:11", e.error().message() + " " + e.error().location());
        }
    }

    /**
     * E25: the C locale's classes and case. Luaj's pattern classes asked Java's Unicode predicates of Latin-1
     * characters ({@code %a}/{@code %l}/{@code %u}/{@code %w} matched bytes 0xC0-0xFF, so the lead byte of a UTF-8
     * {@code é} was a letter), {@code %p} missed the punctuation after {@code @}, {@code %s} missed the vertical tab,
     * {@code %g} was unknown; {@code string.upper}/{@code lower} went through a Java string ({@code ('straße'):upper()}
     * was {@code STRASSE}, bytes that are not UTF-8 became U+FFFD). Lua: byte by byte, ASCII only.
     */
    @Test
    public void characterClassesAndCaseAreTheCLocales() {
        assertEquals("a52:4862 | l26:2847 | u26:2015 | d10:525 | x22:1527 | s6:87 | c33:623 | p32:2086 | w62:5387 | g94:7473"
                + " | 256 256 `ABCDEFGHIJKLMNOPQRSTUVWXYZ @abcdefghijklmnopqrstuvwxyz true true"
                + " | CAF\u00e9 STRA\u00dfE \u00c9cole abcdefgh x-y | <a1> <b2> 2", text(String.join("\n",
                "local r = {}",
                "local all256 = {} for i = 0, 255 do all256[#all256 + 1] = string.char(i) end",
                "local s = table.concat(all256)",
                "for _, c in ipairs({'a', 'l', 'u', 'd', 'x', 's', 'c', 'p', 'w', 'g'}) do",
                "  local hits, sum = 0, 0",
                "  for i = 0, 255 do if string.char(i):find('%' .. c) then hits = hits + 1 sum = sum + i end end",
                "  r[#r + 1] = c .. hits .. ':' .. sum",
                "end",
                "local u, l = s:upper(), s:lower()",
                "r[#r + 1] = #u .. ' ' .. #l .. ' ' .. u:sub(97, 123) .. ' ' .. l:sub(65, 91) .. ' ' .. tostring(u:sub(129) == s:sub(129)) .. ' ' .. tostring(l:sub(129) == s:sub(129))",
                "r[#r + 1] = ('café straße'):upper() .. ' ' .. ('ÉCOLE'):lower() .. ' ' .. (('a_b{c}|d~[e]^f`g\\\\h'):gsub('%p', '')) .. ' ' .. (('x\\vy'):gsub('%s', '-'))",
                "r[#r + 1] = (('a1 b2'):gsub('%g+', '<%0>')) .. ' ' .. #(('é'):gsub('%a', ''))",
                "return table.concat(r, ' | ')")));
    }

    /**
     * Held (engine-calls' typed entries, kept for the merges to come): calls of local functions with numbers whose
     * result is read as a number, in both modes with the same status, values, error, traceback and count: results
     * that are captured and changed by a closure, turn into strings, tables or nil, several results, no result, a
     * callee rebound mid-loop (to a library function, a callable table, a non-function), errors and yields inside the
     * callee, recursion to the depth limit, tail calls, arities that do not match.
     */
    @Test
    public void typedCallsAgreeWithTheInterpreter() {
        org.junit.Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        String header = String.join("\n", HEADER_LINES) + "\n";
        for (String line : TYPED_CALLS) {
            CompiledPair pair = new CompiledPair(header + line);
            pair.same("typed call", 50_000_000, 100_000, 1_000_000, 50);
        }
    }

    private static final String[] HEADER_LINES = {
            "local function f(x) if x > 100 then error('big ' .. x) end if x < 0 then local n = nil return n.f end return x * 2 end",
            "local function g(x, y) return x + y end",
            "local function h(x) if x == 3 then coroutine.yield(x) end return x + 0.5 end",
            "local function nonnum(x) if x == 1 then return 'str' elseif x == 2 then return nil elseif x == 3 then return {} end return x / 0 * 0 end",
            "local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end",
            "local log = {}",
            "local function L(v) log[#log + 1] = tostring(v) end",
            "local function R() return table.concat(log, ',') end"};

    private static final String[] TYPED_CALLS = {
            "local function f(x) local y = x * 2 local g = function() y = 'str' end if x > 2 then g() end return y end for i = 1, 4 do local ok, v = pcall(function() return f(i + 0.0) + 0 end) L(v) end return table.concat(log, ',')",
            "local function f(x) local y = x * 2 local g = function() y = y + 100 end if x > 2 then g() end return y end for i = 1, 4 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x) local y = x * 2 if x > 2 then y = {} end return y end for i = 1, 4 do local ok, v = pcall(function() return f(i + 0.0) + 0 end) L(v) end return table.concat(log, ',')",
            "local function f(x) local y = x * 2 if x > 2 then y = '5' end return y end for i = 1, 4 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x) local y = x * 2 for j = 1, 2 do y = y .. '' end return y end for i = 1, 3 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x, y) return y end for i = 1, 3 do local ok, v = pcall(function() return f(i + 0.0) + 0 end) L(v) end return table.concat(log, ',')",
            "local function f(x) return x, x end for i = 1, 3 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x) if x > 1 then return end return x end for i = 1, 3 do local ok, v = pcall(function() return f(i + 0.0) + 0 end) L(v) end return table.concat(log, ',')",
            "local function f(x) local t = {x} return t[1] end for i = 1, 3 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x) return (select(1, x, 'a')) end for i = 1, 3 do L(f(i + 0.0) + 0) end return table.concat(log, ',')",
            "local function f(x) return math.floor(x) end for i = 1, 3 do L(f(i + 0.5) + 0) end return table.concat(log, ',')",
            "local function f(x) return f end for i = 1, 2 do local ok, v = pcall(function() return f(i + 0.0) + 0 end) L(v) end return table.concat(log, ',')",
            "local s = 0 for i = 1, 200 do local ok, e = pcall(function() local y = f(i * 1.0 + 50) + 1 s = s + y end) end return s",
            "local s = 0 for i = 1, 200 do local ok, e = pcall(function() local y = f(-i) + 1 s = s + y end) if i == 200 then L(e) end end return s, table.concat(log)",
            "local s = 0 for i = 1, 120 do local ok, e = pcall(function() local y = f(i + 0.0) + 1 end) end local function d(n) if n == 0 then return 0 end return d(n - 1) + 1 end return d(45)",
            "local co = coroutine.wrap(function() local s = 0 for i = 1, 5 do s = s + h(i + 0.0) end return s end) L(co()) L(co()) return table.concat(log, ',')",
            "for i = 1, 5 do local y = nonnum(i + 0.0) L(type(y)) local z = nonnum(4.0) L(z ~= z) end return table.concat(log, ',')",
            "return fib(20)",
            "local s = 0 for i = 1, 10 do s = s + fib(i + 0.0) if i == 5 then fib = function(n) return 100 end end end return s",
            "local ff = f for i = 1, 6 do local y = ff(i + 0.0) L(y) if i == 2 then ff = math.sqrt elseif i == 3 then ff = setmetatable({}, {__call = function(self, v) return v * 10 end}) elseif i == 4 then ff = g elseif i == 5 then ff = 'notafunction' end end return table.concat(log, ',')",
            "local ff = f for i = 1, 6 do local ok, y = pcall(function() return ff(i + 0.0) + 0 end) L(y) if i == 2 then ff = nil elseif i == 3 then ff = print end end return table.concat(log, ',')",
            "local function v(a, ...) return select('#', ...) + a end for i = 1, 3 do L(v(i + 0.0) + 1) end return table.concat(log, ',')",
            "local function two(a, b) return (b or 7) + a end for i = 1, 3 do L(two(i + 0.0) + 1) L(two(i + 0.0, 2.0) + 1) end return table.concat(log, ',')",
            "local function one(a) return a + 1 end for i = 1, 3 do L(one(i + 0.0, 99.0) + 1) end return table.concat(log, ',')",
            "local function z(a) return a * -1 end for i = 1, 2 do local q = z(0.0) L(1 / q) L(tostring(q)) L(q .. '') end return table.concat(log, ',')",
            "local function ret(a) return a, 'x', 3 end for i = 1, 2 do local q = ret(i + 0.0) + 1 L(q) end return table.concat(log, ',')",
            "local function deep(n) if n == 0 then return 0 end return deep(n - 1) + 1 end return pcall(deep, 60)",
            "local function deep(n) if n == 0 then error('bottom') end return deep(n - 1) + 1 end return pcall(deep, 30)",
            "local function tail(n) if n == 0 then return 0 end return tail(n - 1) end return tail(5000) + 1",
            "local function sq(n) return n * n end local t = {} for i = 1, 5 do t[i] = sq(i + 0.5) end return table.concat(t, ',')"};

    /**
     * E20 (merge of engine-loops' ticks local and engine-robust's E13 charge at VARARG: compiled mode lost the charges)
     * and held otherwise: programs whose every instruction limit, every table-size limit from 1 to 40, string limit
     * from 1 to 120 and call depth from 1 to 30 give the same status, values, error (position, traceback) and count in
     * both modes: errors of every instruction kind caught by pcall right after quiet arithmetic (whatever charges a
     * body keeps to itself must be counted when it unwinds), the table-size and string limits met inside
     * constructors and loops, coroutines yielding from numeric loops and resumed from loops, closures over 14
     * upvalues (charged per 4), long string comparisons (charged per 16 bytes) and many values passed on as
     * {@code ...} (E13's charge).
     */
    @Test
    public void everyLimitStopsBothModesAtTheSameInstruction() {
        org.junit.Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        for (String program : SWEPT) {
            CompiledPair pair = new CompiledPair(program);
            ExecutionResult full = pair.run(true, 50_000_000, 100_000, 1_000_000, 50);
            assertEquals(full.error() + "\n" + program, ScriptStatus.COMPLETED, full.status());
            for (long limit = 1; limit <= full.instructions() + 1; limit += limit < 2_500 ? 1 : 7) {
                pair.same("limit " + limit, limit, 100_000, 1_000_000, 50);
            }
            for (int table = 1; table <= 40; table++) {
                pair.same("table size " + table, 50_000_000, table, 1_000_000, 50);
            }
            for (int string = 1; string <= 120; string++) {
                pair.same("string length " + string, 50_000_000, 100_000, string, 50);
            }
            for (int depth = 1; depth <= 30; depth++) {
                pair.same("depth " + depth, 50_000_000, 100_000, 1_000_000, depth);
            }
        }
    }

    /** One program compiled by an interpreted and an asm-strict engine, run under the same limits. */
    private static final class CompiledPair {
        private final String program;
        private final Scripts interpreted = new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
        private final Scripts compiled = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));
        private final org.scriptbox.api.engine.CompiledScript i;
        private final org.scriptbox.api.engine.CompiledScript c;

        CompiledPair(String program) {
            this.program = program;
            i = interpreted.engine.compile("test.lua", program);
            c = compiled.engine.compile("test.lua", program);
        }

        ExecutionResult run(boolean interpretedOne, long instructions, int table, int string, int depth) {
            Scripts s = interpretedOne ? interpreted : compiled;
            s.withLimits(Duration.ofSeconds(30), 256L << 20, instructions, string, table, depth, 16);
            return s.engine.execute(interpretedOne ? i : c, s.request());
        }

        void same(String what, long instructions, int table, int string, int depth) {
            DifferentialFuzz.assertSame(what + ":\n" + program, run(true, instructions, table, string, depth),
                    run(false, instructions, table, string, depth));
        }
    }

    private static final java.util.List<String> SWEPT = java.util.List.of(
            "local r = {}\n"
                    + "local function try(f, ...) local ok, e = pcall(f, ...) r[#r + 1] = ok and 'ok' or tostring(e) end\n"
                    + "local t = setmetatable({}, {__len = function() return 3 end, __concat = function(a, b) return 'c' end,\n"
                    + "  __lt = function() return true end, __index = function(t, k) return k end})\n"
                    + "for i = 1, 1 do\n"
                    + "  local x = i * 2 + 1 local y = x / 3\n"
                    + "  try(function() local a = x + y local n = nil return #n end)\n"
                    + "  try(function() local a = x * y return a .. {} end)\n"
                    + "  try(function() local a = x - y return a < {} end)\n"
                    + "  try(function() local a = y * 2 local n return n.f end)\n"
                    + "  try(function() local a = y + x local n n.f = 1 end)\n"
                    + "  try(function() local a = x local n return n:m() end)\n"
                    + "  try(function() local a = x + y for j = 1, 'x' do end end)\n"
                    + "  try(function() local a = x + y return -{} end)\n"
                    + "  try(function() local a = x + y return ('x'):rep(3) .. #t .. t end)\n"
                    + "  try(function() local a = y return t < t, t.foo end)\n"
                    + "  try(function() local a = x local up = a local f = function() return up + x + y end return f() end)\n"
                    + "  try(function() local a = x + y local q = {1, 2, 3, a, a, a} return #q end)\n"
                    + "  try(function() local a = x return nil .. 'x' end)\n"
                    + "  try(function() local a = x + y return a + nil end)\n"
                    + "  try(function() local a = x * 2 return math.floor(a) + math.sqrt(nil) end)\n"
                    + "end\n"
                    + "return table.concat(r, '|')",
            "local acc = 0\n"
                    + "local t = {}\n"
                    + "for i = 1, 12 do\n"
                    + "  local a = i * 1.5 local b = a - i acc = acc + a * b\n"
                    + "  t[i] = a\n"
                    + "  local c = {a, b, i, acc}\n"
                    + "  local d = {x = a, y = b}\n"
                    + "  local s = ('ab'):rep(i) .. i .. 'x'\n"
                    + "  acc = acc + #s + #c\n"
                    + "end\n"
                    + "local u = {}\n"
                    + "for k = 1, 5 do u[#u + 1] = {k, k + 1, {k}} end\n"
                    + "local long = ('q'):rep(30)\n"
                    + "for k = 1, 3 do long = long .. k .. long:sub(1, 5) end\n"
                    + "return acc, #t, #u, #long",
            "local gen = coroutine.wrap(function(n)\n"
                    + "  local s = 0\n"
                    + "  for i = 1, n do local a = i * 2 s = s + a coroutine.yield(s, a) local b = s / 2 s = s - b end\n"
                    + "  return 'done', s\n"
                    + "end)\n"
                    + "local out = {}\n"
                    + "local x = 0\n"
                    + "local v, w = gen(6)\n"
                    + "while v ~= 'done' do x = x + v * 0.5 out[#out + 1] = v local y = x + 1 v, w = gen() end\n"
                    + "local co = coroutine.create(function(a) local z = a for j = 1, 3 do z = z + coroutine.yield(z) end return z end)\n"
                    + "local ok, z = coroutine.resume(co, 1)\n"
                    + "for j = 1, 4 do local q = j * 3 ok, z = coroutine.resume(co, q) out[#out + 1] = tostring(ok) .. tostring(z) end\n"
                    + "for k, val in coroutine.wrap(function() for m = 1, 3 do coroutine.yield(m, m * m) end end) do x = x + k * val end\n"
                    + "return x, w, table.concat(out, ',')",
            "local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12\n"
                    + "local fs = {}\n"
                    + "for i = 1, 5 do\n"
                    + "  local q = i * 2\n"
                    + "  fs[i] = function() return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + q + i end\n"
                    + "  local m = q / 3\n"
                    + "end\n"
                    + "local s1 = ('k'):rep(200) .. 'a' local s2 = ('k'):rep(200) .. 'b'\n"
                    + "local n = 0\n"
                    + "for i = 1, 6 do\n"
                    + "  local x = i + 0.5\n"
                    + "  if s1 < s2 then n = n + x end\n"
                    + "  if s1 == s2 then n = n - 1 end\n"
                    + "  if s1 .. '' == s1 then n = n + 1 end\n"
                    + "  n = n + fs[(i % 5) + 1]()\n"
                    + "end\n"
                    + "local h = {}\n"
                    + "for i = 1, 20 do h['key' .. i] = i end\n"
                    + "for i = 1, 20 do n = n + h['key' .. i] end\n"
                    + "return n",
            "local function pass(...) local x = 1 local t = {...} x = x + #t return select('#', ...) + x end\n"
                    + "local function many(...) local a = 0 for i = 1, 3 do a = a + i * 2 local n = pass(...) a = a + n end return a end\n"
                    + "local vals = {} for i = 1, 40 do vals[i] = i end\n"
                    + "local s = 0\n"
                    + "for k = 1, 3 do local q = k * 1.5 s = s + many(table.unpack(vals)) + q end\n"
                    + "local function tail(...) return select('#', ...) end\n"
                    + "local function chain(...) local z = 2 z = z * 3 return tail(...) end\n"
                    + "s = s + chain(table.unpack(vals, 1, 30))\n"
                    + "return s");
}
