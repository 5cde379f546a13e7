package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;

/**
 * Session-8 red team of issue 14 (engine): findings E8.. of /work/coord/FINDINGS.md. Expected values were
 * recorded with lua5.4 5.4.4 on this machine where Lua 5.2 and 5.4 agree (or Lua 5.2's rule, where the engine
 * follows 5.2 and says so in docs/engine.md). Runs in every mode of the suite (interpreted, and again compiled
 * strictly); the tests comparing modes set theirs. A finding not fixed yet is an {@code @Ignore}d test naming it.
 */
public class RedTeamSession8Test {
    private final Scripts scripts = new Scripts();

    private ExecutionResult completed(String source) {
        ExecutionResult r = scripts.run(source);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        return r;
    }

    private static Scripts engine(String mode, long instructions, int depth) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0)).withLimits(Duration.ofSeconds(30), 256L << 20,
                instructions, 1_000_000, 100_000, depth, 16);
    }

    private static String outcome(ExecutionResult r) {
        return r.status() + " " + r.values() + " " + r.error() + " #" + r.instructions();
    }

    /**
     * E8 (not fixed: engine-lua's VM coercion): arithmetic, unary minus and a numeric {@code for} on a numeric
     * string scan it for one instruction. A 9,991-character string (the default string limit allows 10,000) made
     * {@code s + 1} cost ~150x a plain instruction's CPU interpreted, ~400x compiled; the library doors charge the
     * same scan ({@code tonumber(s)}: one instruction per 8 bytes). Counts, not timings: the loop over the long
     * string must cost at least one instruction per 16 bytes scanned more than the loop over {@code '1'}.
     */
    @Test
    public void aLongNumericStringIsChargedByItsLengthInArithmetic() {
        for (String loop : new String[] {"x = s + 1", "x = -s", "x = s * s", "x = 2 ^ s", "for j = s, 1 do end",
            "local ok = pcall(function() return (s .. 'z') + 1 end)"}) { // (.. binds less than +: the long text's scan)
            String program = "local x for i = 1, 100 do " + loop + " end return x";
            long short1 = completed("local s = '1' " + program).instructions();
            long long1 = completed("local s = ('0'):rep(9990) .. '1' " + program).instructions();
            // the setting-up of the long string (rep, ..) costs ~1,900 of it; the 100 scans at least 100 * 9991 / 16
            assertTrue(loop + ": " + short1 + " vs " + long1, long1 - short1 > 2_000 + 100L * 9991 / 16);
        }
    }

    /**
     * E13 (fixed: {@code Meter.passed}, the VARARG of both modes; see also ManyValuesChargeTest): values passed on as
     * {@code ...} cost one instruction however many there are: {@code x = {...}} with 990 values (the table limit
     * allows 1,000) took ~1.1 us per charged instruction in both modes (~80-200x a plain one), {@code type(...)}
     * 90-600 ns, {@code select('#', ...)}, {@code math.max(...)}, {@code pcall(f, ...)} 5-11x at load 15. Counts:
     * with 900 values the loop must cost at least one instruction per 8 values more than with one (the setting-up
     * of the values, measured with {@code x = 1}, taken off).
     */
    @Test
    public void manyValuesThroughVarargsAreChargedByTheirNumber() {
        for (String expr : new String[] {"{...}", "type(...)", "select('#', ...)", "math.max(...)"}) {
            long extra = count(900, expr) - count(1, expr) - (count(900, "1") - count(1, "1"));
            assertTrue(expr + ": " + extra, extra >= 100L * 900 / 8);
        }
    }

    private long count(int values, String expr) {
        return completed("local function run(...) local x for i = 1, 100 do x = " + expr + " end return x end"
                + " local t = {} for k = 1, " + values + " do t[k] = k end return (run(table.unpack(t)))").instructions();
    }

    /**
     * E9: Luaj's matcher recursed without a bound: {@code pcall(string.find, s, ('a?'):rep(4000))} ended the run
     * FAILED "call depth limit exceeded (Java stack overflow)", uncatchable, while the same call inside a coroutine
     * (another Java thread) succeeded. Lua 5.2 (and 5.4) bound the nesting at 200 matcher calls: "pattern too
     * complex", an ordinary error. Lua 5.2's rule: a {@code *} item that matches nothing nests too (5.4 does not).
     */
    @Test
    public void aDeepPatternIsTooComplexNotAJavaStackOverflow() {
        ExecutionResult r = completed(String.join("\n",
                "local s = ('a'):rep(300)",
                "local r = {}",
                "r[1] = select(2, pcall(function() return s:find(('a?'):rep(250)) end))",
                "r[2] = select(2, pcall(function() local x = s:match(('(a?)'):rep(20) .. ('a?'):rep(250)) return x end))",
                "r[3] = select(2, pcall(string.find, s, ('a?'):rep(4000)))",
                "local n = 0",
                "for a in s:gmatch(('a?'):rep(199)) do n = n + 1 end",
                "r[4] = n",
                "r[5] = select(2, pcall(function() for a in s:gmatch(('a?'):rep(250)) do end end))",
                "r[6] = select('#', s:find(('a?'):rep(199)))",
                "r[7] = select(2, pcall(string.gsub, s, ('a?'):rep(250), 'x'))",
                "r[8] = select(2, pcall(function() return ('x'):rep(3):find(('x*'):rep(300)) end))",
                "r[9] = select(2, pcall(function() return ('x'):rep(300):find(('x-'):rep(199) .. '$') end))",
                "r[10] = select(2, pcall(function() return ('x'):rep(300):find(('x-'):rep(201) .. '$') end))",
                "r[11] = select(2, pcall(function() return ('x'):rep(300):find(('(x)'):rep(32)) end))",
                "local co = coroutine.wrap(function() return pcall(string.find, ('a'):rep(9000), ('a?'):rep(4000)) end)",
                "r[12] = select(2, co())",
                "local function rec(k) if k == 0 then return 0 end return 1 + rec(k - 1) end",
                "r[13] = rec(45)",
                "return table.concat(r, ' | ')"));
        assertEquals("test.lua:3: pattern too complex | test.lua:4: pattern too complex | pattern too complex | 2"
                + " | test.lua:9: pattern too complex | 2 | pattern too complex | test.lua:12: pattern too complex | 1"
                + " | test.lua:14: pattern too complex | 1 | pattern too complex | 45", r.values().get(0));
    }

    /**
     * E10: {@code gsub} of a literal pattern (session 7's fast path, said to charge exactly as the matcher) charged
     * its steps in batches of 1,024: under an instruction limit of 3,000 it stopped at 3,077 where the matcher's
     * path ({@code '[a]b'}, the same steps) stops at 3,000. Every limit over a run of both: the same outcome.
     */
    @Test
    public void aLiteralGsubStopsAtEveryLimitWhereTheMatcherStops() {
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        String program = "local s = ('x'):rep(300) .. ('ab'):rep(30) .. ('x'):rep(40) .. 'a'\n"
                + "local r, n = s:gsub(%s, 'QQQQQQQQQQQQQQQQQQQQ')\nreturn #r, n";
        Scripts s = engine("interpreted", 5_000_000, 50);
        CompiledScript literal = s.engine.compile("test.lua", String.format(program, "'ab'"));
        CompiledScript matcher = s.engine.compile("test.lua", String.format(program, "'[a]b'"));
        ExecutionResult full = s.engine.execute(literal, s.request());
        assertEquals(List.of(941.0, 30.0), full.values());
        for (long limit = 1; limit <= full.instructions() + 1; limit++) {
            s.withInstructions(limit);
            assertEquals("limit " + limit, outcome(s.engine.execute(matcher, s.request())),
                    outcome(s.engine.execute(literal, s.request())));
        }
    }

    /**
     * E11: {@code coroutine.yield} outside a coroutine said Luaj's {@code test.lua:3: cannot yield main thread}; Lua
     * (5.2 and 5.4): {@code attempt to yield from outside a coroutine}, without a position.
     */
    @Test
    public void aYieldOutsideACoroutineSaysSoAsLuaDoes() {
        ExecutionResult r = completed(String.join("\n",
                "local r = {}",
                "r[1] = select(2, pcall(coroutine.yield, 1))",
                "r[2] = select(2, pcall(function() coroutine.yield(1) end))",
                "r[3] = select(2, xpcall(function() coroutine.yield(1) end, function(m) return 'H:' .. m end))",
                "r[4] = tostring(coroutine.isyieldable())",
                "local co = coroutine.wrap(function() r[5] = tostring(coroutine.isyieldable()) coroutine.yield() end) co()",
                "return table.concat(r, ' | ')"));
        assertEquals("attempt to yield from outside a coroutine | attempt to yield from outside a coroutine"
                + " | H:attempt to yield from outside a coroutine | false | true", r.values().get(0));
        ExecutionResult uncaught = scripts.run("local x = 1\ncoroutine.yield(x)");
        assertEquals(ScriptStatus.FAILED, uncaught.status());
        assertEquals("attempt to yield from outside a coroutine", uncaught.error().message());
    }

    /**
     * E12: {@code load}'s argument errors had Luaj's text, {@code bad argument: String expected, got table} (no
     * number, no name, Java's capital). lua5.4: {@code bad argument #3 to 'load' (string expected, got table)}.
     */
    @Test
    public void loadsArgumentErrorsNameTheArgument() {
        ExecutionResult r = completed("local r = {} r[1] = select(2, pcall(load, 'return 1', 't', {}))"
                + " r[2] = select(2, pcall(load, 'return 1', {})) r[3] = type(load('return 1', 5, 't', {}))"
                + " r[4] = select(2, load('return 1', 'n', 'b')) return table.concat(r, ' | ')");
        assertEquals("bad argument #3 to 'load' (string expected, got table) | bad argument #2 to 'load' (string expected,"
                + " got table) | function | attempt to load a text chunk (mode is 'b')", r.values().get(0));
    }

    /**
     * Held (kept so that it keeps holding, and for engine-speed's block charging and direct calls): hand-written
     * programs whose every instruction limit from 1 to their count, and every call-depth limit from 1 to 50, give
     * the same status, values, error (position, traceback) and count in both modes: calls and errors in the middle
     * of straight-line code (an error caught by an outer pcall after its block was entered), yields in the middle of
     * a block, a NumberFunction call at the depth limit, field caches, concatenation and gsub inside loops.
     */
    @Test
    public void everyLimitStopsBothModesAtTheSameInstruction() {
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        for (String program : SWEPT) {
            Scripts interpreted = engine("interpreted", 5_000_000, 50);
            Scripts compiled = engine("asm-strict", 5_000_000, 50);
            CompiledScript i = interpreted.engine.compile("test.lua", program);
            CompiledScript c = compiled.engine.compile("test.lua", program);
            ExecutionResult full = interpreted.engine.execute(i, interpreted.request());
            assertEquals(full.error() + "\n" + program, ScriptStatus.COMPLETED, full.status());
            for (long limit = 1; limit <= full.instructions() + 1; limit++) {
                interpreted.withInstructions(limit);
                compiled.withInstructions(limit);
                DifferentialFuzz.assertSame("limit " + limit + ":\n" + program, interpreted.engine.execute(i, interpreted.request()),
                        compiled.engine.execute(c, compiled.request()));
            }
            for (int depth = 1; depth <= 50; depth++) {
                Scripts di = engine("interpreted", 5_000_000, depth);
                Scripts dc = engine("asm-strict", 5_000_000, depth);
                DifferentialFuzz.assertSame("depth " + depth + ":\n" + program, di.engine.execute(i, di.request()),
                        dc.engine.execute(c, dc.request()));
            }
        }
    }

    private static final List<String> SWEPT = List.of(
            "local t = {x = 1.5, y = 2}\nlocal s = 0\nlocal function g(v) if v > 3 then error({v = v}) end return v * 2 end\n"
                    + "for i = 1, 6 do\n  t.x = t.x * 1.01 + math.sqrt(t.y) local a = i + 1 local ok, e = pcall(g, i) a = a * 2\n"
                    + "  s = s + math.floor(t.x) + (ok and e or e.v) + a\n  if i == 4 then t.y = '4' end\nend\n"
                    + "local co = coroutine.wrap(function(a) local b = a + 1 b = b * coroutine.yield(b) b = b - 1 return b end)\n"
                    + "local y1 = co(3) local y2 = co(5)\n"
                    + "local function f(n) if n == 0 then return math.sqrt(2) end local r = f(n - 1) + math.floor(n / 2) return r end\n"
                    + "local okf, ef = pcall(f, 12)\n"
                    + "local txt = ('ab'):rep(5):gsub('b', 'c') .. tostring(s) .. 1/3\n"
                    + "return s, t.x, y1, y2, okf, ef, txt",
            "local function inner(n) local a = n * 2 if n == 3 then local q = nil return q.f end return a + 1 end\n"
                    + "local function outer(n) local x = 1 x = x + inner(n) x = x * 2 return x end\n"
                    + "local r = {}\nfor i = 1, 5 do local ok, v = pcall(outer, i) r[#r + 1] = tostring(v) end\n"
                    + "local ok2, e2 = xpcall(outer, function(m) return 'H:' .. m end, 3)\n"
                    + "local p = setmetatable({}, {__index = function(t, k) return k .. '!' end, __add = function(a, b) return 7 end})\n"
                    + "local z = p + 1 local w = p.k .. p.j\n"
                    + "return table.concat(r, ','), e2, z, w");

    /**
     * Held: coroutines whose frames are compiled and interpreted by turns ({@code asm} mode: a function too large
     * for one JVM method stays interpreted, the rest compiles): yields from inside the interpreted one, resumed by
     * compiled code, errors of every type raised in it and caught by pcall/xpcall in compiled frames, a yield from
     * outside a coroutine. The interpreter's values, errors and count.
     */
    @Test
    public void coroutinesCrossingCompiledAndInterpretedFramesAgree() {
        Assume.assumeTrue(System.getProperty(LuaScriptEngine.COMPILE_PROPERTY) == null);
        StringBuilder big = new StringBuilder("local t = {a = 1.5, b = 2}\nlocal log = {}\nlocal function big(n, ...)\n  local x = 0\n");
        for (int i = 0; i < 1000; i++) { // twice what one JVM method holds
            big.append("  x = x + t.a * ").append(i).append(" - t.b / 3 if x > 1e9 then x = 0 end\n");
            if (i % 200 == 0) {
                big.append("  log[#log + 1] = coroutine.yield(x, ").append(i).append(") or 'nil'\n");
            }
            if (i == 700) {
                big.append("  if n == 1 then error({tag = 'big'}) elseif n == 2 then error('big failed') elseif n == 3 then"
                        + " local q = nil; q.f = 1 elseif n == 4 then error(42) elseif n == 5 then error() end\n");
            }
        }
        big.append("  return x, select('#', ...)\nend\n"
                + "local function small(n)\n  local co = coroutine.create(big)\n  local out = {}\n"
                + "  local ok, a, b = coroutine.resume(co, n, 1, nil)\n"
                + "  while coroutine.status(co) == 'suspended' do out[#out + 1] = tostring(a) .. ':' .. tostring(b)"
                + " ok, a, b = coroutine.resume(co, 'r' .. #out) end\n"
                + "  out[#out + 1] = tostring(ok) .. ':' .. (type(a) == 'table' and a.tag or tostring(a)) .. ':' .. tostring(b)\n"
                + "  return table.concat(out, ' ')\nend\n"
                + "local r = {}\nfor n = 0, 5 do r[#r + 1] = small(n) end\n"
                + "local w = coroutine.wrap(function() for i = 1, 3 do local ok, e = pcall(big, 3) coroutine.yield(tostring(ok) .. tostring(e)) end end)\n"
                + "r[#r + 1] = w() r[#r + 1] = w()\n"
                + "local ok, e = pcall(function() return big(2) end)\nr[#r + 1] = tostring(ok) .. tostring(e)\n"
                + "local ok2, e2 = xpcall(big, function(m) return 'H' .. tostring(m) end, 2)\nr[#r + 1] = tostring(ok2) .. tostring(e2)\n"
                + "return table.concat(r, '\\n'), table.concat(log, ',')\n");
        String program = big.toString();
        ExecutionResult reference = engine("interpreted", 5_000_000, 50).run(program);
        assertEquals(reference.error() + "", ScriptStatus.COMPLETED, reference.status());
        Scripts mixed = engine("asm", 5_000_000, 50);
        LuaCompiledScript script = (LuaCompiledScript) mixed.engine.compile("test.lua", program);
        assertTrue("the main chunk runs compiled", script.runsAsJvmBytecode());
        try {
            engine("asm-strict", 5_000_000, 50).engine.compile("test.lua", program);
            throw new AssertionError("big() should be too large for one JVM method");
        } catch (org.scriptbox.api.ScriptException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("test.lua:3: too large for one JVM method"));
        }
        DifferentialFuzz.assertSame(program, reference, mixed.engine.execute(script, mixed.request()));
        String text = String.valueOf(reference.values().get(0));
        assertTrue(text, text.contains("false:test.lua:710: attempt to index a nil value:nil"));
        assertTrue(text, text.contains("false:42:nil") && text.contains("false:big:nil") && text.contains("false:nil:nil"));
        assertTrue(text, text.contains("falseattempt to yield from outside a coroutine"));
    }
}
