package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;

/**
 * Red-team of the compiled path (the engine's own compiler, org.scriptbox.engine.compiler, with the budget
 * emitted into the classes): one test per attack, each asserting the bound that must hold. Every script here
 * runs as JVM classes ({@code asm-strict}: a function that would stay interpreted is a compile error, not a
 * silent fallback), whatever the surefire execution, and with exactly the interpreter's instruction count.
 * See docs/performance-engine.md, "Red-team of compiled mode".
 */
public class CompiledAttacksTest {
    /** The instruction budget of most attacks: small, so that an escape shows as a slow or completed run. */
    private static final long BUDGET = 200_000;

    final Scripts scripts;
    final Scripts interpreted = new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0));
    /** The same compiler without strictness: what cannot be compiled runs interpreted. */
    final String lenientMode = "asm";
    /** What a strict refusal says. */
    private final String refusal = "stay interpreted";

    public CompiledAttacksTest() {
        this.scripts = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0));
    }

    ExecutionResult run(String source) {
        LuaCompiledScript s = (LuaCompiledScript) scripts.engine.compile("attack.lua", source);
        assertNotNull("runs as JVM classes", s.compiled());
        return scripts.engine.execute(s, scripts.request());
    }

    /** The run failed with a limit whose message starts with {@code prefix}, promptly and within the budget. */
    private static void assertLimit(ExecutionResult r, String prefix) {
        assertEquals(r.error() + " " + r.values(), ScriptStatus.FAILED, r.status());
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().startsWith(prefix));
        assertTrue(r.duration().toString(), r.duration().toMillis() < 5_000);
    }

    private void assertInstructionLimit(String source) {
        scripts.withInstructions(BUDGET);
        ExecutionResult r = run(source);
        try {
            assertLimit(r, "instruction limit of " + BUDGET);
            assertTrue(r.instructions() + "", r.instructions() >= BUDGET && r.instructions() <= BUDGET + Budget.CHECK_INTERVAL);
        } catch (AssertionError e) {
            throw new AssertionError(source + "\n" + e.getMessage(), e);
        }
    }

    ExecutionResult runInterpreted(String source) {
        return interpreted.engine.execute(interpreted.engine.compile("attack.lua", source), interpreted.request());
    }

    /** The compiled run gives the interpreter's status, values, error and exactly its instruction count. */
    void assertCountsExactlyAsTheInterpreter(String source) {
        ExecutionResult c = run(source);
        ExecutionResult i = runInterpreted(source);
        DifferentialFuzz.assertSame(source, i, c);
    }

    // ---- loops the block charging could under-count --------------------------------------------------

    static final String[] LOOPS = {
        // while with break in nested ifs
        "local i, n = 0, 0\nwhile true do\n  i = i + 1\n  if i > 5 then\n    if i % 2 == 0 then\n"
                + "      if i > LIMIT then break end\n    else n = n + 1 end\n  end\nend\nreturn n",
        // repeat with a complex condition
        "local i, n = 0, 0\nrepeat\n  i = i + 1\n  if i % 3 == 0 then n = n + 1 end\n"
                + "until (i > LIMIT and n > 0) or (i ~= i) or (n < 0 and i > 1)\nreturn n",
        // numeric for: float, negative steps
        "local n = 0\nfor x = 0.5, LIMIT, 0.5 do n = n + 1 end\nfor x = LIMIT, 1, -1 do n = n - 1 end\nreturn n",
        // generic for with a custom iterator
        "local function it(s, c) if c < LIMIT then return c + 1 end end\nlocal n = 0\n"
                + "for v in it, nil, 0 do n = n + v end\nreturn n",
        // goto back to a label in the middle of a block
        "local i, n = 0, 0\ndo\n  n = n + 1\n  ::again::\n  i = i + 1\n  if i < LIMIT then goto again end\n  n = n + i\nend\nreturn n",
        // a body that is only a call / only a conditional jump
        "local c = 0\nlocal function f() c = c + 1 end\nwhile c < LIMIT do f() end\nlocal x\n"
                + "for i = 1, LIMIT do if x then end end\nreturn c",
        // and/or chains (TESTSET, LOADBOOL jumps)
        "local n = 0\nfor i = 1, LIMIT do\n  local b = (i % 2 == 0) and (i % 3 == 0) or not (i < 5)\n"
                + "  if b then n = n + 1 end\nend\nreturn n",
    };

    @Test
    public void finiteLoopsCountExactlyTheInterpretersInstructions() {
        for (String loop : LOOPS) {
            assertCountsExactlyAsTheInterpreter(loop.replace("LIMIT", "2000"));
        }
    }

    @Test
    public void unboundedVersionsOfEveryLoopShapeAreStopped() {
        for (String loop : LOOPS) {
            assertInstructionLimit(loop.replace("LIMIT", "1e15"));
        }
    }

    @Test
    public void numericForWithZeroHugeAndNegativeStepsIsStopped() {
        // step 0 runs forever in Lua 5.2; Luaj's FORLOOP ends it at once, the same in both modes
        ExecutionResult zero = run("local n = 0 for i = 1, 10, 0 do n = n + 1 end return n");
        assertEquals(runInterpreted("local n = 0 for i = 1, 10, 0 do n = n + 1 end return n").values(), zero.values());
        assertInstructionLimit("local n = 0 for i = 10, 1, 0 do n = n + 1 end return n");
        assertInstructionLimit("local n = 0 for i = 1, math.huge do n = n + 1 end");
        assertInstructionLimit("for i = 0, -math.huge, -0.25 do end");
        assertInstructionLimit("for i = 1, 1e300, 1e-300 do end"); // i + step == i: never advances
    }

    @Test
    public void infiniteGenericForAndGotoLoopsAreStopped() {
        assertInstructionLimit("for x in function() return 1 end do end");
        assertInstructionLimit("local t = setmetatable({}, {__call = function() return 1 end})\nfor x in t do end");
        assertInstructionLimit("local i = 0\n::a:: i = i + 1\n::b:: if i % 2 == 0 then goto a end\ngoto b");
    }

    @Test
    public void loopsWhoseBackEdgeGoesToTheFirstInstructionAreStopped() {
        // a branch to pc 0 lands after the prologue (enter) but must still pass the block's charge
        assertInstructionLimit("::top:: goto top");
        assertInstructionLimit("::top:: local x = 1 goto top");
        assertInstructionLimit("while true do end");
        assertInstructionLimit("repeat until false");
        assertInstructionLimit("local function f() ::a:: goto a end\nf()");
        assertInstructionLimit("local function f(...) while true do end end\nf(1, 2)");
        assertInstructionLimit("coroutine.wrap(function() ::a:: goto a end)()");
    }

    @Test
    public void aLoopThatOnlyCallsALibraryFunctionIsStopped() {
        assertInstructionLimit("local type = type\nwhile true do type(1) end");
        assertInstructionLimit("while true do local _ = ('x'):len() end");
    }

    // ---- recursion the depth count could miss ---------------------------------------------------------

    @Test
    public void mutualRecursionOfLocalFunctionsHitsTheDepthLimit() {
        assertLimit(run("local f, g\nfunction f(n) return 1 + g(n) end\nfunction g(n) return 1 + f(n) end\nreturn f(1)"),
                "call depth limit");
    }

    @Test
    public void recursionThroughMetamethodsHitsTheDepthLimit() {
        String[] attacks = {
            "local t = setmetatable({}, {__index = function(t, k) return t[k] end})\nreturn t.x",
            "local t\nt = setmetatable({}, {__call = function(self) return 1 + self() end})\nreturn t()",
            "local mt = {}\nmt.__lt = function(a, b) return a < b end\nlocal a = setmetatable({}, mt)\nreturn a < a",
            "local mt = {}\nmt.__le = function(a, b) return a <= b end\nlocal a = setmetatable({}, mt)\nreturn a <= a",
            "local mt = {}\nmt.__concat = function(a, b) return a .. b end\nlocal a = setmetatable({}, mt)\nreturn a .. 'x'",
            "local mt = {}\nmt.__eq = function(a, b) return a == b end\n"
                    + "local a, b = setmetatable({}, mt), setmetatable({}, mt)\nreturn a == b",
            "local mt = {}\nmt.__add = function(a, b) return a + b end\nreturn setmetatable({}, mt) + 1",
            "local mt = {}\nmt.__newindex = function(t, k, v) t[k] = v end\nsetmetatable({}, mt).x = 1",
            "local mt = {}\nmt.__tostring = function(t) return tostring(t) end\nreturn tostring(setmetatable({}, mt))",
            "local mt = {}\nmt.__len = function(t) return #t end\nreturn #setmetatable({}, mt)",
            "local mt = {}\nmt.__unm = function(t) return -t end\nreturn -setmetatable({}, mt)",
        };
        for (String attack : attacks) {
            ExecutionResult r = run(attack);
            assertEquals(attack + ": " + r.error(), ErrorKind.LIMIT, r.error().kind());
            assertTrue(attack + ": " + r.error(), r.error().message().startsWith("call depth limit"));
        }
    }

    @Test
    public void recursionThroughJavaAloneEndsAsALimitEvenUnderPcallOrInACoroutine() {
        // __call is the table itself: Luaj recurses in Java without entering a Lua function (no depth check)
        String[] attacks = {
            "local t = {}\nsetmetatable(t, {__call = t})\nreturn t()",
            "local t = {}\nsetmetatable(t, {__call = t})\nreturn pcall(t)",
            "local t = {}\nsetmetatable(t, {__call = t})\nreturn coroutine.wrap(function() return pcall(t) end)()",
            "local t = {}\nsetmetatable(t, {__call = t})\nreturn xpcall(t, function(e) return e end)",
        };
        for (String attack : attacks) {
            ExecutionResult r = run(attack);
            assertEquals(attack + ": " + r.error() + " " + r.values(), ErrorKind.LIMIT, r.error() == null ? null : r.error().kind());
        }
        // the engine works normally afterwards
        assertEquals(List.of(3.0), run("local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end\nreturn f(3)").values());
    }

    @Test
    public void recursionThroughPcallAndXpcallHitsTheDepthLimit() {
        assertLimit(run("local function f() pcall(f) end\nf()\nreturn 'escaped'"), "call depth limit");
        assertLimit(run("local function f() xpcall(f, function(e) return e end) end\nf()\nreturn 'escaped'"),
                "call depth limit");
        assertLimit(run("local function f() return select(2, pcall(f)) end\nreturn f()"), "call depth limit");
    }

    @Test
    public void endlessTailCallsAreStoppedByTheBudget() {
        assertInstructionLimit("local function f(n) return f(n + 1) end\nreturn f(1)");
        assertInstructionLimit("local f, g\nfunction f(n) return g(n) end\nfunction g(n) return f(n) end\nreturn f(1)");
        assertInstructionLimit("local function f(...) return f(...) end\nreturn f(1, 2, 3, 4, 5)");
    }

    @Test
    public void recursionInsideCoroutinesHitsTheDepthLimit() {
        assertLimit(run("return coroutine.wrap(function()\n  local function f() return 1 + f() end\n  return f()\nend)()"),
                "call depth limit");
        // coroutine.wrap recursion: each level a new coroutine; the coroutine count or depth stops it
        ExecutionResult r = run("local function f(n) return coroutine.wrap(function() return f(n + 1) end)() end\nreturn f(1)");
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.duration().toString(), r.duration().toMillis() < 5_000);
    }

    // ---- error handling ---------------------------------------------------------------------------------

    @Test
    public void anXpcallHandlerThatLoopsIsStopped() {
        scripts.withInstructions(BUDGET);
        ExecutionResult r = run("local ok, e = xpcall(function() error('x') end, function(e) while true do end end)\n"
                + "return 'escaped', ok, e");
        assertLimit(r, "instruction limit");
    }

    @Test
    public void anXpcallHandlerThatRecursesIsStoppedOrReportsErrorInErrorHandling() {
        ExecutionResult r = run("local function h(e) error(e) end\nlocal ok, e = xpcall(function() error('x') end, h)\n"
                + "return ok, e");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(false, r.values().get(0));
    }

    @Test
    public void errorWithATableValueIsCaughtOrFailsCleanly() {
        ExecutionResult r = run("local ok, e = pcall(error, {code = 7})\nlocal ok2, e2 = pcall(function() error({code = 8}) end)\n"
                + "return e.code, e2.code");
        assertEquals(r.error() + "", List.of(7.0, 8.0), r.values());
        ExecutionResult uncaught = run("error({code = 9})");
        assertEquals(ScriptStatus.FAILED, uncaught.status());
        assertEquals(ErrorKind.RUNTIME, uncaught.error().kind());
        // an error value whose __tostring loops: the message is built without running it, or under the budget
        scripts.withInstructions(BUDGET);
        ExecutionResult tostr = run("error(setmetatable({}, {__tostring = function() while true do end end}))");
        assertEquals(ScriptStatus.FAILED, tostr.status());
        assertTrue(tostr.duration().toString(), tostr.duration().toMillis() < 5_000);
    }

    @Test
    public void errorsInsideMetamethodsOfArithCompareAndConcatHaveTheirPosition() {
        String[] ops = {"a + 1", "a < a", "a .. 'x'", "'x' .. 'y' .. a", "a[1]", "#a", "a == b"};
        for (String op : ops) {
            ExecutionResult r = run("local mt = {}\nfor _, k in ipairs({'__add', '__lt', '__concat', '__index', '__len', '__eq'}) do\n"
                    + "  mt[k] = function() error('boom') end\nend\nlocal a, b = setmetatable({}, mt), setmetatable({}, mt)\n"
                    + "local ok, e = pcall(function()\n  return " + op + "\nend)\nreturn ok, e");
            assertEquals(op + ": " + r.error(), List.of(false, "attack.lua:3: boom"), r.values());
        }
    }

    @Test
    public void pcallCannotCatchLimitsAndTheDepthStaysBalanced() {
        scripts.withInstructions(BUDGET);
        ExecutionResult r = run("local n = 0\nfor i = 1, 100 do\n  local ok = pcall(function() while true do end end)\n"
                + "  n = n + 1\nend\nreturn n");
        assertLimit(r, "instruction limit");
        assertLimit(run("local function f() return 1 + f() end\nfor i = 1, 10 do pcall(f) end\nreturn 'escaped'"),
                "call depth limit");
        // the same engine and script class afterwards: normal behaviour, and the full depth is available
        scripts.withInstructions(10_000_000);
        ExecutionResult after = run("local function f(n) if n % 2 == 0 then error('x') end return n end\n"
                + "local ok = 0\nfor i = 1, 2000 do if pcall(f, i) then ok = ok + 1 end end\n"
                + "for i = 1, 200 do pcall(function() local t = setmetatable({}, {__index = function() error('y') end}) return t.x end) end\n"
                + "local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end\nreturn ok, deep(45)");
        assertEquals(after.error() + "", List.of(1000.0, 45.0), after.values());
    }

    // ---- memory and sizes ---------------------------------------------------------------------------------

    @Test
    public void concatenationInLoopsHitsTheStringLimit() {
        assertLimit(run("local s = ''\nfor i = 1, 1e6 do s = s .. 'x' .. i .. 'y' .. 1.5 end"), "string length limit");
        assertLimit(run("local s = 'ab'\nwhile true do s = 1 .. s .. s end"), "string length limit");
        assertLimit(run("local s = string.rep('x', 9000)\nreturn s .. s .. s"), "string length limit");
    }

    /**
     * A __concat metamethod among the operands of one '..' expression must not switch the length check
     * off for the strings around it: otherwise {@code s .. s .. ... .. t} builds up to 200 times the limit,
     * and feeding that into the next expression grows without bound (hole found; fixed in Budget.concat and
     * in the concatenation of compiled code and of the interpreter).
     */
    @Test
    public void aConcatMetamethodCannotHideTheStringsAroundIt() {
        String amplify = "local t = setmetatable({}, {__concat = function(a, b) return '' end})\n"
                + "local s = string.rep('x', 9000)\nfor i = 1, 4 do\n"
                + "  s = s .. s .. s .. s .. s .. s .. s .. s .. s .. s .. t\nend\nreturn #s";
        assertLimit(run(amplify), "string length limit");
        assertLimit(runInterpreted(amplify), "string length limit");
        // the metamethod's own result is checked once joined with the strings before it
        String joined = "local t = setmetatable({}, {__concat = function(a, b) return string.rep('y', 9000) end})\n"
                + "local s = string.rep('x', 9000)\nlocal r = s .. 'z' .. t\nreturn #r";
        assertLimit(run(joined), "string length limit");
        assertLimit(runInterpreted(joined), "string length limit");
        // legitimate use still works
        String legit = "local t = setmetatable({}, {__concat = function(a, b) return type(a) .. type(b) end})\n"
                + "return 'a' .. 'b' .. t, 1 .. t .. 'z', t .. 'x' .. 2";
        ExecutionResult ok = run(legit);
        assertEquals(ok.error() + "", List.of("astringtable", "1tablestring", "tablestring"), ok.values());
        assertEquals(runInterpreted(legit).values(), ok.values());
    }

    @Test
    public void hugeTableConstructorsFromMultipleResultsHitTheTableLimit() {
        assertLimit(run("local s = string.rep('x', 5000)\nlocal t = {string.byte(s, 1, -1)}\nreturn #t"), "table size limit");
        assertLimit(run("local t = {}\nfor i = 1, 1000 do t[i] = i end\nlocal u = {1, 2, table.unpack(t)}\nreturn #u"),
                "table size limit");
        assertLimit(run("local function f(...) return {...} end\nreturn #f(string.byte(string.rep('x', 5000), 1, -1))"),
                "table size limit");
    }

    @Test
    public void manyVarargsAreCountedNotMultiplied() {
        ExecutionResult r = run("local s = string.rep('x', 9000)\nlocal function n(...) return select('#', ...) end\n"
                + "local total = 0\nfor i = 1, 20 do total = total + n(string.byte(s, 1, -1)) end\nreturn total");
        assertEquals(r.error() + "", List.of(180_000.0), r.values());
        scripts.withInstructions(BUDGET);
        ExecutionResult loop = run("local s = string.rep('x', 9000)\nlocal function n(...) return select('#', ...) end\n"
                + "while true do n(string.byte(s, 1, -1)) end");
        assertEquals(loop.error() + "", ErrorKind.LIMIT, loop.error().kind());
    }

    @Test
    public void stringRepInsideCompiledCodeHitsTheStringLimit() {
        assertLimit(run("local n = 10\nwhile true do local s = string.rep('x', n) n = n * 2 end"), "string length limit");
        assertLimit(run("return ('ab'):rep(1e9, ',')"), "string length limit");
    }

    @Test
    public void libraryFunctionsCalledFromCompiledCodeKeepTheirLimits() {
        assertLimit(run("local t = {}\nfor i = 1, 100 do t[i] = string.rep('x', 9000) end\nreturn #table.concat(t)"),
                "string length limit");
        ExecutionResult unpack = run("return select('#', table.unpack({}, 1, 1e8))");
        assertEquals(unpack.error() + "", ErrorKind.LIMIT, unpack.error().kind());
        assertLimit(run("local s = string.rep('x', 5000)\nreturn #(s:gsub('x', '%0%0%0'))"), "string length limit");
    }

    @Test
    public void codeLoadedAtRunTimeFromCompiledCodeIsMetered() {
        assertInstructionLimit("local f = load('local n = 0 while true do n = n + 1 end')\nf()");
        assertLimit(run("local f\nf = load('local g = ... return 1 + g(g)')\nreturn f(f)"), "call depth limit");
    }

    @Test
    public void recursionThroughLibraryCallbacksInACoroutineHitsALimit() {
        // each level: compiled Lua -> gsub (Java) -> compiled Lua, on a coroutine thread's smaller stack
        ExecutionResult r = run("local function f(s) return (s:gsub('.', f)) end\n"
                + "return coroutine.wrap(function() return f('abc') end)()");
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        ExecutionResult sort = run("local t = {3, 2, 1}\nlocal function cmp(a, b) table.sort({2, 1}, cmp) return a < b end\n"
                + "table.sort(t, cmp)");
        assertEquals(sort.error() + "", ErrorKind.LIMIT, sort.error().kind());
    }

    @Test
    public void cancelFromAnotherThreadEndsACompiledLoop() throws Exception {
        scripts.withInstructions(Long.MAX_VALUE / 2);
        java.util.concurrent.CompletableFuture<ExecutionResult> r = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> run("local n = 0\nwhile true do n = n + 1 if n % 3 == 0 then n = n - 1 end end"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!r.isDone() && System.nanoTime() < deadline) {
            scripts.cancellation.cancel("red team");
            Thread.onSpinWait();
        }
        assertEquals(ScriptStatus.CANCELLED, r.get(5, TimeUnit.SECONDS).status());
    }

    // ---- class-generation abuse -------------------------------------------------------------------------

    @Test
    public void thousandsOfTinyFunctionsCompileAndRun() {
        // 3,000 functions in 30 groups: 3,031 classes, each method small
        StringBuilder src = new StringBuilder("local t = {}\n");
        for (int g = 0; g < 30; g++) {
            src.append("do local function group()\n");
            for (int i = 0; i < 100; i++) {
                src.append("  t[#t + 1] = function() return ").append(g * 100 + i).append(" end\n");
            }
            src.append("end group() end\n");
        }
        src.append("local s = 0 for i = 1, #t do s = s + t[i]() end return s");
        scripts.withLimits(Duration.ofSeconds(30), 50L * 1024 * 1024, 10_000_000, 10_000, 10_000, 50, 16);
        ExecutionResult r = run(src.toString());
        assertEquals(r.error() + "", List.of(2999.0 * 3000 / 2), r.values());
    }

    @Test
    public void thousandsOfFunctionsInOneChunkAreRefusedCleanlyOrRunInterpreted() {
        // flat: the main chunk's JVM method passes 64 KB (woven code is ~14 bytes per Lua instruction)
        StringBuilder src = new StringBuilder("local t = {}\n");
        for (int i = 0; i < 3000; i++) {
            src.append("t[").append(i + 1).append("] = function() return ").append(i).append(" end\n");
        }
        src.append("local s = 0 for i = 1, #t do s = s + t[i]() end return s");
        scripts.withLimits(Duration.ofSeconds(30), 50L * 1024 * 1024, 10_000_000, 10_000, 10_000, 50, 16);
        try {
            scripts.engine.compile("flat.lua", src.toString());
            fail("strict mode refuses what the compiler leaves to the interpreter");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.error().kind());
            assertTrue(e.getMessage(), e.getMessage().contains(refusal));
        }
        LuaScriptEngine now = new LuaScriptEngine(1024 * 1024, lenientMode, 0);
        LuaCompiledScript s = (LuaCompiledScript) now.compile("flat.lua", src.toString());
        assertNull(s.compiled());
        ExecutionResult r = now.execute(s, scripts.request());
        assertEquals(r.error() + "", List.of(2999.0 * 3000 / 2), r.values());
    }

    /**
     * Luaj's LuaJC (removed) named inner classes after where a closure is stored, so names collided across
     * nesting levels: one function ran another's code, or a NoSuchFieldError escaped engine.execute() into the
     * caller's thread. The engine's compiler names classes by position in the prototype tree; the shapes stay
     * here as a test (and LuaScriptEngine.execute still ends a run on a LinkageError).
     */
    @Test
    public void innerFunctionsInSameNamedGroupsRunTheirOwnCode() {
        String wrong = "local t = {}\n"
                + "do local function group()\n  t[#t + 1] = function() return 1 end\n  t[#t + 1] = function() return 2 end\nend group() end\n"
                + "do local function group()\n  t[#t + 1] = function() return 3 end\n  t[#t + 1] = function() return 4 end\nend group() end\n"
                + "return t[1](), t[2](), t[3](), t[4]()";
        ExecutionResult r = run(wrong);
        assertEquals(r.error() + "", List.of(1.0, 2.0, 3.0, 4.0), r.values());
        String crash = "local t, a, b = {}, 1, 2\nlocal k = 1\n"
                + "do local function group() t[k] = function() return 0 end t[k + 1] = function() return a + b + k + #t end end group() end\n"
                + "do local function group() t[k + 2] = function() return 3 end end group() end\n"
                + "return t[1](), t[2](), t[3]()";
        ExecutionResult c = run(crash);
        assertEquals(c.error() + "", List.of(0.0, 7.0, 3.0), c.values());
        assertEquals(runInterpreted(crash).values(), c.values());
    }

    /**
     * Found by a differential fuzz run against Luaj's LuaJC (removed): it typed an upvalue field differently
     * from the class that declares it (a NoSuchFieldError mid-run). The engine's compiler compiles the program
     * and computes the interpreter's result, with the same count.
     */
    @Test
    public void aProgramWhoseUpvalueFieldsLuajcMistypedCompilesAndIsRight() throws Exception {
        String src = resource("/redteam/luajc-upvalue-field.lua");
        assertNotNull(((LuaCompiledScript) scripts.engine.compile("attack.lua", src)).compiled());
        DifferentialFuzz.assertSame(src, runInterpreted(src), run(src));
    }

    /**
     * The reproducers of LuaJC's miscompiles found by the differential fuzzer (closures created in loops: a
     * stale copy of a captured local, seeds 20261184 and 20261378; a captured loop counter holding a function,
     * seed 20262191), compiled, with exact results; and a closure per iteration of both loop kinds.
     */
    @Test
    public void closuresCreatedInLoopsAreCompiledAndRight() throws Exception {
        for (String name : new String[] {"/redteam/luajc-stale-upvalue.lua", "/redteam/luajc-loop-counter-type.lua"}) {
            String src = resource(name);
            DifferentialFuzz.assertSame(name, runInterpreted(src), run(src));
        }
        assertEquals(List.of(2.0, 12.0, 5.0), run(resource("/redteam/luajc-stale-upvalue.lua")).values());
        String perIteration = "local fs = {}\nfor i = 1, 3 do local j = i * 10 fs[i] = function() j = j + 1 return i, j end end\n"
                + "local k = 0\nwhile k < 3 do k = k + 1 local c = k fs[#fs + 1] = function() c = c + 100 return c end end\n"
                + "local out = {}\nfor _, f in ipairs(fs) do local a, b = f() out[#out + 1] = tostring(a) .. ':' .. tostring(b) end\n"
                + "for _, f in ipairs(fs) do out[#out + 1] = tostring((f())) end\nreturn table.concat(out, ' ')";
        ExecutionResult r = run(perIteration);
        DifferentialFuzz.assertSame(perIteration, runInterpreted(perIteration), r);
        assertEquals(r.error() + "", "1:11 2:21 3:31 101:nil 102:nil 103:nil 1 2 3 201 202 203", r.values().get(0));
    }

    /** Comparisons of long strings are charged per byte compared (containment): the same charges compiled. */
    @Test
    public void longStringComparisonsAreChargedAsInTheInterpreter() {
        String src = "local a = string.rep('x', 5000) .. 'a'\nlocal b = string.rep('x', 5000) .. 'b'\n"
                + "local n = 0\nfor i = 1, 200 do\n  if a < b then n = n + 1 end\n  if a <= b then n = n + 1 end\n"
                + "  if a == b .. '' then n = n + 1 end\n  if a ~= a .. '' then n = n + 1 end\nend\nreturn n";
        ExecutionResult r = run(src);
        ExecutionResult i = runInterpreted(src);
        DifferentialFuzz.assertSame(src, i, r);
        assertTrue(r.instructions() + "", r.instructions() > 200 * 4 * 5000 / 16);
    }

    /**
     * The instruction limit trips at the interpreter's instruction, whatever the budget: every budget from
     * 1 to 400 lands the check on another instruction of the groups charged at once (the slow path), and
     * the status, message, line, traceback and count must be the interpreter's.
     */
    @Test
    public void theInstructionLimitTripsAtTheInterpretersInstructionForEveryBudget() {
        String src = "local up, t = 0, {}\nlocal function f(a, b)\n  local x, y, z = a, b, nil\n  up = x\n"
                + "  local g = function() return up + x end\n  return g() + (y or 0)\nend\n"
                + "for i = 1, 1e9 do\n  local p, q = i, not i\n  t[i % 7] = f(p, 2) + (q and 1 or 0)\nend";
        for (long budget = 1; budget <= 400; budget++) {
            scripts.withInstructions(budget);
            interpreted.withInstructions(budget);
            ExecutionResult c = run(src);
            ExecutionResult i = runInterpreted(src);
            DifferentialFuzz.assertSame("budget " + budget, i, c);
            assertEquals(c.error().traceback(), i.error().traceback(), c.error().traceback());
            assertEquals(ErrorKind.LIMIT, c.error().kind());
        }
    }

    /**
     * Red team R12: making a closure over 190 locals was one instruction for ~200-400 plain ones' CPU. It is
     * charged per upvalue (1 per {@value org.scriptbox.engine.vm.Meter#UPVALUES_PER_UNIT}), the same count
     * interpreted and compiled; and the limit trips at the interpreter's instruction when such a charge
     * reaches the check, for every budget.
     */
    @Test
    public void closuresOverManyLocalsAreChargedPerUpvalueAlikeInBothModes() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 190; i++) {
            s.append("local u").append(i).append(" = ").append(i).append('\n');
        }
        s.append("for i = 1, 1000 do local f = function() return u0");
        for (int i = 1; i < 190; i++) {
            s.append(" + u").append(i);
        }
        s.append(" end end return 1");
        ExecutionResult c = run(s.toString());
        ExecutionResult i = runInterpreted(s.toString());
        assertEquals(c.error() + "", ScriptStatus.COMPLETED, c.status());
        DifferentialFuzz.assertSame("190 upvalues", i, c);
        assertTrue("1,000 closures of 190 upvalues charged " + c.instructions(), c.instructions() >= 1000 * 190 / 4);
        String nine = "local a, b, c, d, e, f, g, h, k = 1, 2, 3, 4, 5, 6, 7, 8, 9\nlocal n = 0\n"
                + "while true do\n  local fn = function() return a + b + c + d + e + f + g + h + k end\n  n = n + fn()\nend";
        for (long budget = 1; budget <= 120; budget++) {
            scripts.withInstructions(budget);
            interpreted.withInstructions(budget);
            ExecutionResult cc = run(nine);
            ExecutionResult ii = runInterpreted(nine);
            DifferentialFuzz.assertSame("budget " + budget, ii, cc);
            assertEquals(cc.error().traceback(), ii.error().traceback(), cc.error().traceback());
        }
    }

    private String resource(String name) throws Exception {
        return new String(getClass().getResourceAsStream(name).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    public void deeplyNestedClosuresCompileAndRun() {
        int depth = 60;
        String src = "return " + "(function() return ".repeat(depth) + "42" + " end)()".repeat(depth);
        ExecutionResult r = run(src);
        assertEquals(r.error() + "", List.of(42.0), r.values());
    }

    @Test
    public void manyConstantsAndUpvaluesCompileAndRun() {
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            src.append("local v").append(i).append(" = ").append(i).append("\n");
        }
        src.append("local function f()\n  return 0");
        for (int i = 0; i < 150; i++) {
            src.append(" + v").append(i);
        }
        src.append("\nend\nlocal k = {}\n");
        for (int i = 0; i < 800; i++) {
            src.append("k['c").append(i).append("'] = ").append(i).append(".25\n");
        }
        src.append("return f()");
        ExecutionResult r = run(src.toString());
        assertEquals(r.error() + "", List.of(150.0 * 149 / 2), r.values());
    }

    @Test
    public void aFunctionTooBigForOneJvmMethodIsRefusedCleanly() {
        String big = "local x = 0\n" + "x = x + 1.5\n".repeat(20_000) + "return x";
        try {
            scripts.engine.compile("big.lua", big);
            fail("strict mode must refuse it");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.error().kind());
        }
        // not strict: the interpreter runs it, and the engine keeps working
        LuaScriptEngine now = new LuaScriptEngine(1024 * 1024, lenientMode, 0);
        LuaCompiledScript s = (LuaCompiledScript) now.compile("big.lua", big);
        assertNull(s.compiled());
        assertEquals(List.of(30_000.0), now.execute(s, scripts.request()).values());
        assertEquals(List.of(2.0), run("return 1 + 1").values());
    }

    @Test
    public void weirdChunkNamesGiveWorkingClassesAndKeepTheNameInMessages() {
        String[] names = {"../../etc/passwd", "C:\\x\\y.lua", "skript-ä-中文-🙂.lua", "a\u0000b", "a\u200bb\u00adc",
                "x".repeat(10_000), "", " ", "java.lang.String", "lua_attack", "$", "1.lua", "a/b.c$d",
                "\ud800", "\u0001\u0002\u007f", "${jndi:ldap://x}"};
        for (String name : names) {
            LuaCompiledScript s;
            try {
                s = (LuaCompiledScript) scripts.engine.compile(name, "local function f() error('bad') end\nf()");
            } catch (ScriptException e) {
                throw new AssertionError("chunk name " + name.length() + " chars " + escape(name) + ": " + e.getMessage(), e);
            }
            assertNotNull(escape(name), s.compiled());
            ExecutionResult r = scripts.engine.execute(s, scripts.request());
            assertEquals(escape(name), ErrorKind.RUNTIME, r.error().kind());
            assertTrue(escape(name) + ": " + r.error().message(), r.error().message().contains("bad"));
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.substring(0, Math.min(40, s.length())).toCharArray()) {
            sb.append(c < 32 || c > 126 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    // ---- the adaptive switch ----------------------------------------------------------------------------

    @Test
    public void aScriptNearTheBudgetStopsAtTheSameInstructionCompiledAsInterpreted() {
        // Compiled code counts exactly as the interpreter does: a script's limits mean the same once it is hot.
        String src = "local n = 0\nfor i = 1, 1e9 do if i % 7 == 0 then n = n + 1 end end\nreturn n";
        scripts.withInstructions(BUDGET);
        interpreted.withInstructions(BUDGET);
        ExecutionResult c = run(src);
        ExecutionResult i = runInterpreted(src);
        assertLimit(c, "instruction limit");
        assertLimit(i, "instruction limit");
        DifferentialFuzz.assertSame(src, i, c);
    }

    @Test
    public void concurrentExecutionsCrossingTheThresholdAllAgree() throws Exception {
        LuaScriptEngine engine = new LuaScriptEngine(1024 * 1024, "adaptive", 20_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Scripts adaptive = new Scripts(engine);
            String src = "local t = {}\nfor i = 1, 300 do t[#t + 1] = (i * 7) % 13 end\n"
                    + "local s = 0\nfor _, v in ipairs(t) do s = s + v end\n"
                    + "local ok, e = pcall(function() local x = nil; return x.y end)\nreturn s, ok, #tostring(e) > 0";
            LuaCompiledScript script = (LuaCompiledScript) engine.compile("hot.lua", src);
            List<Future<List<ExecutionResult>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    List<ExecutionResult> mine = new ArrayList<>();
                    for (int k = 0; k < 60; k++) {
                        mine.add(engine.execute(script, adaptive.request()));
                    }
                    return mine;
                }));
            }
            List<Object> expected = null;
            for (Future<List<ExecutionResult>> f : runs) {
                for (ExecutionResult r : f.get(60, TimeUnit.SECONDS)) {
                    assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
                    if (expected == null) {
                        expected = r.values();
                    }
                    assertEquals(expected, r.values());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (script.compiled() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertNotNull("classes built", script.compiled());
            assertEquals(expected, engine.execute(script, adaptive.request()).values());
        } finally {
            pool.shutdownNow();
            engine.deactivate();
        }
    }

    @Test
    public void aHotScriptTheCompilerCannotCompileKeepsRunningInterpreted() throws Exception {
        LuaScriptEngine engine = new LuaScriptEngine(1024 * 1024, "adaptive", 1);
        try {
            Scripts adaptive = new Scripts(engine);
            LuaCompiledScript big = (LuaCompiledScript) engine.compile("big.lua",
                    "local x = 0\n" + "x = x + 1.5\n".repeat(20_000) + "return x");
            for (int i = 0; i < 20; i++) {
                ExecutionResult r = engine.execute(big, adaptive.request());
                assertEquals(r.error() + "", List.of(30_000.0), r.values());
            }
            assertTrue(big.jvmBuildAsked());
            assertNull(big.compiled());
        } finally {
            engine.deactivate();
        }
    }

    @Test
    public void deactivateWhileBuildsAreQueuedLeavesScriptsRunnable() {
        LuaScriptEngine engine = new LuaScriptEngine(1024 * 1024, "adaptive", 0);
        Scripts adaptive = new Scripts(engine);
        List<LuaCompiledScript> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            LuaCompiledScript s = (LuaCompiledScript) engine.compile("s" + i + ".lua",
                    "local s = 0 for i = 1, 100 do s = s + i end return s + " + i);
            all.add(s);
            assertEquals(List.of(5050.0 + i), engine.execute(s, adaptive.request()).values()); // queues a build
        }
        engine.deactivate();
        for (int i = 0; i < all.size(); i++) {
            ExecutionResult r = engine.execute(all.get(i), adaptive.request());
            assertEquals(r.error() + "", List.of(5050.0 + i), r.values());
        }
        // compiles and hot scripts after deactivate: still run (interpreted), no exception
        LuaCompiledScript late = (LuaCompiledScript) engine.compile("late.lua", "return 7");
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(7.0), engine.execute(late, adaptive.request()).values());
        }
        engine.deactivate(); // twice: harmless
    }

    // ---- coroutines in compiled code ----------------------------------------------------------------------

    @Test
    public void anInfiniteLoopInACoroutineResumedFromCompiledCodeIsStoppedByTheDeadline() {
        scripts.withInstructions(Long.MAX_VALUE / 2).withTime(Duration.ofMillis(300));
        ExecutionResult r = run("local co = coroutine.wrap(function() while true do end end)\n"
                + "local ok = pcall(co)\nreturn 'escaped'");
        assertEquals(r.error() + "", ScriptStatus.TIMEOUT, r.status());
        assertTrue(r.duration().toString(), r.duration().toMillis() < 300 + 1_000);
    }

    @Test
    public void yieldAcrossPcallGivesTheInterpretersResults() {
        String src = "local co = coroutine.create(function(a)\n"
                + "  local ok, v = pcall(function() local b = coroutine.yield(a + 1) return b * 2 end)\n"
                + "  local ok2, e = pcall(function() coroutine.yield('again') error('late') end)\n"
                + "  return ok, v, ok2, e\nend)\n"
                + "local r1 = {coroutine.resume(co, 1)}\nlocal r2 = {coroutine.resume(co, 10)}\n"
                + "local r3 = {coroutine.resume(co)}\nreturn r1[2], r2[2], r3[2], r3[3], r3[4], r3[5]";
        ExecutionResult c = run(src);
        assertEquals(c.error() + "", runInterpreted(src).values(), c.values());
        assertEquals(List.of(2.0, "again", true, 20.0, false, "attack.lua:3: late"), c.values());
    }

    @Test
    public void coroutinesNeverResumedAgainAreCleanedUp() throws Exception {
        String src = "local function body() coroutine.yield(1) while true do end end\n"
                + "for i = 1, 16 do\n  local co = coroutine.create(body)\n  coroutine.resume(co)\nend\nreturn 'done'";
        int before = Thread.activeCount();
        for (int k = 0; k < 10; k++) {
            ExecutionResult r = run(src);
            assertEquals(r.error() + "", List.of("done"), r.values());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Thread.activeCount() > before + 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(Thread.activeCount() + " threads, " + before + " before", Thread.activeCount() <= before + 4);
        // more live coroutines than allowed in one run: a limit, not a leak
        ExecutionResult many = run("local all = {}\nfor i = 1, 100 do\n  local co = coroutine.create(function() coroutine.yield() end)\n"
                + "  coroutine.resume(co)\n  all[i] = co\nend");
        assertEquals(many.error() + "", ErrorKind.LIMIT, many.error().kind());
    }
}
