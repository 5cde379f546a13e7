package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/** One test per attack class: each asserts the specific error and that the bound held. */
public class SandboxAttacksTest {
    private final Scripts scripts = new Scripts();

    private static void assertLimit(ExecutionResult r, String limitText) {
        assertEquals(r.error() + "", ScriptStatus.FAILED, r.status());
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains(limitText));
    }

    @Test
    public void runawayLoopStopsAtTheInstructionBudgetWithPosition() {
        ExecutionResult r = scripts.withInstructions(100_000).run("local x = 0\nwhile true do\n  x = x + 1\nend");
        assertLimit(r, "instruction limit of 100000");
        assertEquals("test.lua", r.error().file());
        assertTrue(r.error().line() >= 2 && r.error().line() <= 4);
        assertTrue(r.instructions() >= 100_000 && r.instructions() <= 100_000 + Budget.CHECK_INTERVAL);
    }

    @Test
    public void runawayLoopStopsAtTheDeadline() {
        ExecutionResult r = scripts.withInstructions(Long.MAX_VALUE / 2).withTime(Duration.ofMillis(200))
                .run("while true do end");
        assertEquals(ScriptStatus.TIMEOUT, r.status());
        assertEquals(ErrorKind.TIMEOUT, r.error().kind());
        // The check runs every ~4,096 instructions: a loop that missed its deadline would burn CPU past it. CPU
        // is the bound that holds under load (a descheduled thread's wall time grows, its CPU does not); the
        // wall time bound is generous, for a machine shared with other builds.
        assertTrue("cpu " + r.cpuTime().toMillis() + " ms", r.cpuTime().toMillis() < 200 + 100);
        assertTrue(r.duration().toString(), r.duration().toMillis() < 200 + 5_000);
    }

    @Test
    public void cancelFromAnotherThreadEndsTheRun() throws Exception {
        scripts.withInstructions(Long.MAX_VALUE / 2);
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run("while true do end"));
        Thread.onSpinWait();
        scripts.cancellation.cancel("operator");
        ExecutionResult r = run.get(5, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertTrue(r.error().message().contains("operator"));
    }

    @Test
    public void pcallCannotCatchALimit() {
        ExecutionResult r = scripts.withInstructions(50_000).run(
                "local n = 0\nfor i = 1, 100 do\n  pcall(function() while true do end end)\n  n = n + 1\nend\nreturn n");
        assertLimit(r, "instruction limit");
        assertTrue(r.instructions() < 50_000 + 2 * Budget.CHECK_INTERVAL);
    }

    @Test
    public void xpcallHandlerCannotCatchALimit() {
        ExecutionResult r = scripts.withInstructions(50_000).run(
                "return xpcall(function() while true do end end, function(e) return 'caught' end)");
        assertLimit(r, "instruction limit");
    }

    @Test
    public void loopInsideCoroutineIsCounted() {
        ExecutionResult r = scripts.withInstructions(50_000).run(
                "local co = coroutine.create(function() while true do end end)\n"
                        + "local ok, e = coroutine.resume(co)\nreturn ok, e");
        assertLimit(r, "instruction limit");
    }

    @Test
    public void deepRecursionHitsTheCallDepthLimit() {
        ExecutionResult r = scripts.run("local function f(n) return 1 + f(n + 1) end\nreturn f(1)");
        assertLimit(r, "call depth limit of 50");
        assertEquals(1, r.error().line());
    }

    @Test
    public void deepRecursionInsideACoroutineIsNotSuccess() {
        ExecutionResult r = scripts.run("local function f(n) return 1 + f(n + 1) end\n"
                + "local ok, e = coroutine.resume(coroutine.create(function() return f(1) end))\nreturn ok, e");
        assertLimit(r, "call depth limit");
    }

    @Test
    public void coroutinesAreBoundedAndTheirThreadsEnd() {
        ExecutionResult r = scripts.run("local all = {}\nfor i = 1, 100 do\n"
                + "  local co = coroutine.create(function() coroutine.yield() end)\n"
                + "  coroutine.resume(co)\n  all[i] = co\nend");
        assertLimit(r, "coroutine limit of 16");
        assertNoCoroutineThreadsLeft();
    }

    @Test
    public void suspendedCoroutineThreadsEndWithTheExecution() {
        ExecutionResult r = scripts.run("for i = 1, 10 do\n"
                + "  local co = coroutine.create(function() coroutine.yield() end)\n  coroutine.resume(co)\nend\n"
                + "return 'done'");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertNoCoroutineThreadsLeft();
    }

    private static void assertNoCoroutineThreadsLeft() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("Coroutine-"))) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("coroutine threads still alive");
    }

    @Test
    public void memoryBudgetIsMeasured() {
        ExecutionResult r = scripts.withMemory(2_000_000).run(
                "local t = {}\nfor i = 1, 200000 do t[i % 500 + 1] = {i, i, i, i} end");
        assertLimit(r, "memory limit of 1.9 MB exceeded");
        assertTrue(r.allocatedBytes() > 2_000_000 && r.allocatedBytes() < 20_000_000);
    }

    @Test
    public void memoryAllocatedInsideCoroutinesCounts() {
        ExecutionResult r = scripts.withMemory(2_000_000).run("local co = coroutine.wrap(function()\n"
                + "  local t = {}\n  for i = 1, 200000 do t[i % 500 + 1] = {i, i, i, i} end\nend)\nco()\n"
                + "return 'survived'");
        assertLimit(r, "memory limit of 1.9 MB exceeded");
        assertTrue(r.allocatedBytes() > 2_000_000 && r.allocatedBytes() < 20_000_000);
    }

    @Test
    public void stringRepIsCheckedBeforeAllocating() {
        ExecutionResult r = scripts.run("return string.rep('x', 1e9, ',')");
        assertLimit(r, "string length limit of 10000");
        assertTrue(r.allocatedBytes() < 5_000_000);
    }

    @Test
    public void concatenationChainIsChecked() {
        ExecutionResult r = scripts.run("local s = 'xxxxxxxxxx'\nfor i = 1, 40 do\n  s = s .. s\nend\nreturn #s");
        assertLimit(r, "string length limit");
        assertEquals(3, r.error().line());
        assertTrue(r.allocatedBytes() < 5_000_000);
    }

    @Test
    public void formatWidthsCannotBlowUp() {
        ExecutionResult r = scripts.run("local s = string.rep('x', 9000)\n"
                + "return string.format(string.rep('%s', 100), " + "s, ".repeat(99) + "s)");
        assertLimit(r, "string length limit");
    }

    @Test
    public void tableConcatIsChecked() {
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 900 do t[i] = string.rep('y', 100) end\n"
                + "return table.concat(t, ',')");
        assertLimit(r, "string length limit");
    }

    @Test
    public void unpackWithHugeCountsIsChecked() {
        ExecutionResult r = scripts.run("return table.unpack({}, 1, 1e8)");
        assertLimit(r, "table size limit of 1000");
        assertTrue(r.allocatedBytes() < 5_000_000);
    }

    @Test
    public void gsubResultIsChecked() {
        ExecutionResult r = scripts.run("local s = string.rep('a', 5000)\nreturn s:gsub('a', 'aaaa')");
        assertLimit(r, "string length limit");
    }

    @Test
    public void backtrackingPatternRunsOutOfBudget() {
        ExecutionResult r = scripts.run("local s = string.rep('a', 5000)\n"
                + "return string.find(s, '.-.-.-.-.-.-b')");
        assertLimit(r, "instruction limit of 1000000");
        assertTrue(r.duration().toMillis() < 5000);
    }

    @Test
    public void tableInsertHoldsTheTableSize() {
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 5000 do table.insert(t, i) end");
        assertLimit(r, "table size limit of 1000");
    }

    @Test
    public void tableGrowthByAssignmentIsBounded() {
        ExecutionResult index = scripts.run("local t = {}\nfor i = 1, 100000 do t[i] = i end");
        assertLimit(index, "table size limit of 1000");
        assertEquals(2, index.error().line());
        // Exact: the store of element 1001 is the one refused.
        assertTrue(index.error().message(), index.error().message().endsWith("(1001 elements)"));
        ExecutionResult keys = scripts.run("local t = {}\nfor i = 1, 100000 do t['k' .. i] = i end");
        assertLimit(keys, "table size limit of 1000");
        assertTrue(keys.error().message(), keys.error().message().endsWith("(1001 elements)"));
        ExecutionResult mixed = scripts.run("local t = {}\nfor i = 1, 600 do t[i] = i end\n"
                + "for i = 1, 100000 do t[-i] = i end");
        assertTrue(mixed.error().message(), mixed.error().message().endsWith("(1001 elements)"));
        ExecutionResult raw = scripts.run("local t = {}\nfor i = 1, 100000 do rawset(t, i, i) end");
        assertLimit(raw, "table size limit of 1000");
        ExecutionResult list = scripts.run("local t = {string.byte(string.rep('x', 5000), 1, -1)}\nreturn #t");
        assertLimit(list, "table size limit of 1000");
        ExecutionResult fits = scripts.run("local t = {}\nfor i = 1, 1000 do t[i] = i end\nreturn #t");
        assertEquals(List.of(1000.0), fits.values());
    }

    @Test
    public void tableSizeCountsWhatIsInTheTableNow() {
        // Elements removed make room again, in the array part and in the hash part.
        ExecutionResult r = scripts.run("local t = {}\nfor round = 1, 5 do\n"
                + "  for i = 1, 1000 do t[i] = i end\n  for i = 1, 1000 do t[i] = nil end\n"
                + "  for i = 1, 1000 do t['k' .. i] = i end\n  for i = 1, 1000 do t['k' .. i] = nil end\n"
                + "end\nfor i = 1, 999 do t[i] = i end\nt.last = true\nlocal n = 0\n"
                + "for _ in pairs(t) do n = n + 1 end\nreturn n");
        assertEquals(String.valueOf(r.error()), List.of(1000.0), r.values());
        ExecutionResult raw = scripts.run("local t = {}\nfor i = 1, 1000 do t[i] = i end\n"
                + "for i = 1, 1000 do t[i] = nil end\nfor i = 1, 1000 do rawset(t, 'k' .. i, i) end\n"
                + "local n = 0\nfor _ in pairs(t) do n = n + 1 end\nreturn n");
        assertEquals(String.valueOf(raw.error()), List.of(1000.0), raw.values());
        ExecutionResult over = scripts.run("local t = {}\nfor i = 1, 1000 do t[i] = i end\nt.x = 1");
        assertLimit(over, "table size limit of 1000");
        assertEquals(3, over.error().line());
    }

    @Test
    public void emptyStringRepDoesNotSpin() {
        ExecutionResult r = scripts.run("return #string.rep('', 1e9)");
        assertEquals(List.of(0.0), r.values());
        assertTrue(r.duration().toMillis() < 1000);
    }

    @Test
    public void metamethodLoopsAreBudgeted() {
        ExecutionResult idx = scripts.withInstructions(100_000).run(
                "local t = setmetatable({}, {__index = function(t, k) return t[k .. ''] end})\nreturn t.x");
        assertLimit(idx, "limit");
        ExecutionResult str = scripts.run(
                "local t = setmetatable({}, {__tostring = function(s) return tostring(s) end})\nreturn tostring(t)");
        assertLimit(str, "call depth limit");
        ExecutionResult cat = scripts.withInstructions(100_000).run(
                "local mt = {}\nmt.__concat = function(a, b) while true do end end\n"
                        + "return setmetatable({}, mt) .. 'x'");
        assertLimit(cat, "instruction limit");
    }

    @Test
    public void recursionThroughJavaAloneIsStopped() {
        ExecutionResult call = scripts.run("local t = setmetatable({}, {})\ngetmetatable(t).__call = t\nreturn t()");
        assertEquals(ScriptStatus.FAILED, call.status());
        assertEquals(ErrorKind.LIMIT, call.error().kind());
        ExecutionResult inCoroutine = scripts.run("local t = setmetatable({}, {__tostring = tostring})\n"
                + "local ok, e = coroutine.resume(coroutine.create(function() return tostring(t) end))\n"
                + "return 'finished', ok, e");
        assertLimit(inCoroutine, "call depth limit");
    }

    @Test
    public void printIsOneBoundedString() {
        ExecutionResult r = scripts.run("local s = string.rep('p', 9000)\nprint(s, s)");
        assertLimit(r, "string length limit");
        assertTrue(scripts.log.isEmpty());
    }

    @Test
    public void formatQuotedCountsEscapes() {
        ExecutionResult r = scripts.run("local s = string.rep('\\n', 6000)\nreturn string.format('%q', s)");
        assertLimit(r, "string length limit");
        assertEquals(2, r.error().line());
    }

    @Test
    public void unsafeLibrariesAreAbsent() {
        ExecutionResult r = scripts.run("return io, luajava, package, dofile, loadfile, string.dump, "
                + "os.execute, os.exit, os.getenv, os.remove, module, loadstring, debug.sethook, debug.getlocal, "
                + "debug.getupvalue, debug.setupvalue, debug.getinfo, debug.getregistry, debug.setmetatable");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        for (Object v : r.values()) {
            assertEquals(null, v);
        }
        // the debug library is its traceback only
        assertEquals(List.of(List.of("traceback")), scripts.run("local k = {} for name in pairs(debug) do k[#k + 1] = name end"
                + " return k").values());
        ExecutionResult ok = scripts.run("return type(os.time()), type(os.clock()), type(os.date('%Y')), "
                + "collectgarbage('count') > 0");
        assertEquals(List.of("number", "number", "string", true), ok.values());
        assertEquals(ErrorKind.RUNTIME, scripts.run("collectgarbage('collect')").error().kind());
    }

    @Test
    public void loadIsTextOnlyAndBudgeted() {
        ExecutionResult binary = scripts.run("return load('\\27Lua junk')");
        assertEquals(null, binary.values().get(0));
        assertTrue(binary.values().get(1).toString().contains("binary"));
        ExecutionResult env = scripts.withInstructions(100_000).run("local f = load('while true do end', 'x', 't', {})\n"
                + "f()");
        assertLimit(env, "instruction limit");
        ExecutionResult sum = scripts.run("return load('return 1 + ...')(41)");
        assertEquals(List.of(42.0), sum.values());
    }

    @Test
    public void sharedStringMetatableIsReadOnly() {
        ExecutionResult r = scripts.run("local mt = getmetatable('')\n"
                + "local ok1 = pcall(function() mt.__index.upper = function() return 'pwned' end end)\n"
                + "local ok2 = pcall(function() rawset(mt, '__index', {}) end)\n"
                + "local ok3 = pcall(setmetatable, mt, {})\n"
                + "return ok1, ok2, ok3, ('a'):upper()");
        assertEquals(r.error() + "", List.of(false, false, false, "A"), r.values());
    }

    @Test
    public void scriptsNeverReachJavaObjects() {
        ExecutionResult r = scripts.run("return getmetatable(print), getmetatable(coroutine.running()), "
                + "type(coroutine.running())");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(null, r.values().get(0));
        assertEquals("thread", r.values().get(2));
    }
}
