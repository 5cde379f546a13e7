package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Issue 11, classes 2-5 and the engine part of 11: limits hold inside library functions (CPU, string
 * length, call depth), no Java exception reaches a script, integer arguments do not wrap. Runs in both
 * engine modes (the suite runs twice).
 */
public class LibraryLimitsTest {
    private final Scripts scripts = new Scripts();

    private static void assertLimit(ExecutionResult r, String limitText) {
        assertEquals(r.error() + "", ScriptStatus.FAILED, r.status());
        assertEquals(r.error() + "", ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains(limitText));
    }

    private static void assertDepthLimit(ExecutionResult r) {
        assertLimit(r, "call depth limit of 50 exceeded");
        assertFalse(r.error().message(), r.error().message().contains("Java"));
    }

    // ---- class 4: call depth counts every Lua -> Java -> Lua re-entry ------------------------------

    @Test
    public void tostringThroughFormatInATailCallMeetsTheDepthLimit() {
        assertDepthLimit(scripts.run("local mt = {}\nmt.__tostring = function(x) return string.format('%s', x) end\n"
                + "return tostring(setmetatable({}, mt))"));
    }

    @Test
    public void tailCallsIntoLibraryFunctionsCount() {
        assertDepthLimit(scripts.run("local function f() return pcall(f) end\nreturn f()"));
        assertDepthLimit(scripts.run("local function f() return select(2, xpcall(f, print)) end\nreturn f()"));
    }

    @Test
    public void sortComparatorsGsubCallbacksAndMetamethodsCount() {
        assertDepthLimit(scripts.run("local function c(a, b) table.sort({2, 1}, c) return a < b end\n"
                + "table.sort({3, 2, 1}, c)"));
        assertDepthLimit(scripts.run("local function r(s) return (string.gsub('a', 'a', r)) end\nreturn r('a')"));
        assertDepthLimit(scripts.run("local mt = {}\nmt.__lt = function(a, b) table.sort({a, b}) return true end\n"
                + "table.sort({setmetatable({}, mt), setmetatable({}, mt)})"));
        assertDepthLimit(scripts.run("local mt = {}\nmt.__index = function(t, k) return rawget(t, k) or t[k] end\n"
                + "return setmetatable({}, mt).x"));
    }

    @Test
    public void depthErrorIsNotCaughtAsSuccessByPcall() {
        ExecutionResult r = scripts.run("local mt = {}\nmt.__tostring = function(x) return string.format('%s', x) end\n"
                + "local ok, e = pcall(tostring, setmetatable({}, mt))\nreturn 'survived', ok, e");
        assertDepthLimit(r);
    }

    @Test
    public void legitimateNestingOfLibraryCallsStillRuns() {
        ExecutionResult r = scripts.run("local function f(n) if n == 0 then return 0 end\n"
                + "  return select(2, pcall(f, n - 1)) + 1 end\nreturn f(20)");
        assertEquals(r.error() + "", List.of(20.0), r.values());
    }

    // ---- class 3: every string a library function returns is held to the limit ----------------------

    @Test
    public void osDateResultIsHeldToTheStringLimit() {
        scripts.withInstructions(100_000_000);
        assertLimit(scripts.run("return os.date(string.rep('%c', 4000))"), "string length limit of 10000");
        assertLimit(scripts.run("return os.date(string.rep('%Y', 4000))"), "string length limit of 10000");
    }

    @Test
    public void everyStringResultIsCheckedWhereverItWasMade() {
        assertLimit(scripts.run("return string.format('%099d%099d' .. string.rep('%099d', 200), 1, 2, "
                + "table.unpack((function() local t = {} for i = 1, 200 do t[i] = i end return t end)()))"),
                "string length limit of 10000");
        assertLimit(scripts.run("local s = string.rep('a', 9000)\nreturn (s:gsub('a', '%0%0'))"),
                "string length limit of 10000");
    }

    // ---- class 2: CPU inside library functions is charged to the budget -----------------------------

    @Test
    public void plainFindIsChargedPerByteCompared() {
        // 9,000 start positions, each comparing ~1,000 bytes: ~9 M comparisons in one call.
        ExecutionResult r = scripts.withInstructions(500_000).run(
                "local s = string.rep('a', 9999)\nlocal p = string.rep('a', 999) .. 'b'\n"
                        + "for i = 1, 100 do string.find(s, p, 1, true) end");
        assertLimit(r, "instruction limit of 500000");
        // Patterns without specials take the same path.
        r = scripts.withInstructions(500_000).run(
                "local s = string.rep('a', 9999)\nlocal p = string.rep('a', 999) .. 'b'\n"
                        + "for i = 1, 100 do s:find(p) end");
        assertLimit(r, "instruction limit of 500000");
    }

    @Test
    public void longLiteralPatternsBracketClassesAndBalancesAreCharged() {
        scripts.withInstructions(500_000);
        assertLimit(scripts.run("local s = string.rep('a', 9999)\nlocal p = string.rep('a', 999) .. '$'\n"
                + "for i = 1, 100 do s:match(p) end"), "instruction limit of 500000");
        assertLimit(scripts.run("local s = string.rep('b', 9999)\nlocal p = '[' .. string.rep('a', 5000) .. ']'\n"
                + "for i = 1, 100 do s:find(p) end"), "instruction limit of 500000");
        assertLimit(scripts.run("local s = string.rep('(', 9999)\nfor i = 1, 100 do s:find('%b()') end"),
                "instruction limit of 500000");
    }

    @Test
    public void sortIsChargedPerComparison() {
        // 1,000 sorts of 1,000 elements: ~10 M comparisons, a few thousand VM instructions.
        ExecutionResult r = scripts.withInstructions(1_000_000).run(
                "local t = {}\nfor i = 1, 1000 do t[i] = (i * 7919) % 1000 end\n"
                        + "for k = 1, 1000 do table.sort(t) table.sort(t, function(a, b) return a > b end) end");
        assertLimit(r, "instruction limit of 1000000");
    }

    @Test
    public void osDateIsChargedPerConversion() {
        ExecutionResult r = scripts.withInstructions(1_000_000).run(
                "local f = string.rep('%c', 300)\nfor i = 1, 100 do os.date(f) end");
        assertLimit(r, "instruction limit of 1000000");
    }

    @Test
    public void deadlineHoldsInsideOneLongLibraryCall() {
        // One find of 2 M start positions x 1 M bytes each: hours of work in one call before the fix.
        ExecutionResult r = scripts.withLimits(Duration.ofMillis(300), 200_000_000L, Long.MAX_VALUE / 2,
                4_000_000, 1000, 50, 16).run("local s = string.rep('a', 3000000)\n"
                        + "local p = string.rep('a', 1000000) .. 'b'\nreturn s:find(p, 1, true)");
        assertEquals(r.error() + "", ScriptStatus.TIMEOUT, r.status());
        // Without the check inside the search this call ran for hours; the bound is loose because it is wall
        // time on a shared machine (530 ms seen at a load average of 16 on 2 cores). The tight figure (well
        // under 10 ms on an idle machine) is measured in the benchmark, not here.
        assertTrue(r.duration().toString(), r.duration().toMillis() < 300 + 2_000);
    }

    @Test
    public void cancelHoldsInsideOneLongLibraryCall() throws Exception {
        scripts.withLimits(Duration.ofSeconds(60), 200_000_000L, Long.MAX_VALUE / 2, 4_000_000, 1000, 50, 16);
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> scripts.run(
                "local s = string.rep('a', 3000000)\nlocal p = string.rep('a', 1000000) .. 'b'\n"
                        + "print('searching')\nreturn s:find(p, 1, true)"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!scripts.log.contains("INFO searching") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue("the script reached the search", scripts.log.contains("INFO searching"));
        long cancelledAt = System.nanoTime();
        scripts.cancellation.cancel("operator");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelledAt);
        assertEquals(r.error() + "", ScriptStatus.CANCELLED, r.status());
        assertTrue(tookMs + " ms", tookMs < 500);
    }

    // ---- class 5: no Java exception reaches a script ----------------------------------------------

    @Test
    public void sortWithAComparatorThatMutatesTheTableIsSafe() {
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 100 do t[i] = i end\n"
                + "local ok, e = pcall(table.sort, t, function(a, b) t[#t] = nil t[#t + 5] = 1 return a < b end)\n"
                + "return ok");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        r = scripts.run("local t = {}\nfor i = 1, 100 do t[i] = i end\n"
                + "table.sort(t, function(a, b) for k = 1, #t do t[k] = nil end return a < b end)\nreturn #t");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
    }

    @Test
    public void sortWithAnInconsistentComparatorGivesSomeOrder() {
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 200 do t[i] = i end\n"
                + "table.sort(t, function(a, b) return true end)\nlocal n = 0\nfor _ in pairs(t) do n = n + 1 end\n"
                + "return n");
        assertEquals(r.error() + "", List.of(200.0), r.values());
    }

    @Test
    public void sortSortsAndReportsComparisonErrorsAsLuaErrors() {
        ExecutionResult r = scripts.run("local t = {5, 3, 9, 1, 7, 2}\ntable.sort(t)\nlocal d = {5, 3, 9, 1}\n"
                + "table.sort(d, function(a, b) return a > b end)\nreturn table.concat(t, ','), table.concat(d, ',')");
        assertEquals(r.error() + "", List.of("1,2,3,5,7,9", "9,5,3,1"), r.values());
        r = scripts.run("return pcall(table.sort, {1, 'x', 2})");
        assertEquals(Boolean.FALSE, r.values().get(0));
        assertTrue(r.values() + "", String.valueOf(r.values().get(1)).contains("attempt to compare"));
    }

    // ---- 11 (engine part): integer arguments beyond the int range are errors ------------------------

    @Test
    public void sizeAndIndexArgumentsBeyondTheIntegerRangeAreErrors() {
        String[] calls = {"string.rep('x', 2^32 + 2)", "string.sub('hello', 2^32 + 2)", "string.byte('hello', 2^32 + 1)",
            "table.unpack({1, 2, 3}, 2^32 + 1, 2^32 + 2)", "table.concat({1, 2, 3}, ',', 2^32 + 1, 2^32 + 3)",
            "table.insert({1, 2, 3}, 2^32 + 1, 5)", "table.remove({1, 2, 3}, 2^32 + 1)", "string.char(2^32 + 65)",
            "('x'):rep(-2^32 + 2)", "string.sub('hello', 0/0)", "string.rep('x', 1/0)", "select(2^32 + 1, 'a')",
            "string.format('%c', 2^32 + 65)", "math.random(2^32 + 1)"};
        for (String call : calls) {
            ExecutionResult r = scripts.run("return pcall(function() return " + call + " end)");
            assertEquals(call + " " + r.error(), ScriptStatus.COMPLETED, r.status());
            assertEquals(call + " " + r.values(), Boolean.FALSE, r.values().get(0));
            assertTrue(call + " " + r.values(), String.valueOf(r.values().get(1)).contains("no integer representation"));
        }
    }

    /**
     * Numeric strings as integer arguments give the same error as numbers (Lua converts them alike);
     * {@code os.time}'s table fields wrapped ({@code year = '4294967297'} was year 1).
     */
    @Test
    public void numericStringsBeyondTheIntegerRangeAreTheSameErrors() {
        String[] calls = {"string.rep('x', '1e10')", "('x'):sub('4294967297')", "('hello'):sub(2, '4294967298')",
            "string.byte('x', '4294967297')", "string.char('4294967362')", "table.concat({'a', 'b'}, ',', '1', '4294967298')",
            "select('4294967298', 'a', 'b')", "table.unpack({1, 2}, '1', '4294967298')", "table.insert({1}, '4294967298', 5)",
            "table.remove({1}, '4294967297')", "string.find('abc', 'b', '4294967298')", "math.random('4294967297')",
            "string.format('%c', '4294967362')", "string.rep('ab', '0x100000002')", "('abc'):byte('-4294967295')",
            "string.format('%d', 1e100)"};
        for (String call : calls) {
            ExecutionResult r = scripts.run("return pcall(function() return " + call + " end)");
            assertEquals(call + " " + r.error(), ScriptStatus.COMPLETED, r.status());
            assertEquals(call + " " + r.values(), Boolean.FALSE, r.values().get(0));
            assertTrue(call + " " + r.values(), String.valueOf(r.values().get(1)).contains("no integer representation"));
            assertFalse(call + " " + r.values(), String.valueOf(r.values().get(1)).contains("Infinity"));
        }
        // os.time's fields, as lua5.4's getfield words it (a number and a numeric string alike)
        String[][] fields = {{"year = '4294967297', month = 1, day = 1", "year"}, {"year = 2^40, month = 1, day = 1", "year"},
            {"year = 2026, month = '1e10', day = 1", "month"}, {"year = 2026, month = 1, day = 1, sec = '-4294967297'", "sec"}};
        for (String[] f : fields) {
            ExecutionResult r = scripts.run("return pcall(os.time, {" + f[0] + "})");
            assertEquals(f[0] + " " + r.values(), List.of(false, "field '" + f[1] + "' is out-of-bound"), r.values());
        }
    }

    /** The Lua 5.2 rule, for numbers and numeric strings alike: an integral argument is truncated toward zero. */
    @Test
    public void nonIntegralArgumentsAreTruncatedAsInLua52() {
        ExecutionResult r = scripts.run("return ('x'):rep(2.5), ('x'):rep('2.9'), ('hello'):sub('2.5'), ('hello'):sub(-2.5),"
                + " os.time({year = '2026', month = '1', day = '1.5', hour = 12}) == os.time({year = 2026, month = 1, day = 1, hour = 12})");
        assertEquals(r.error() + "", List.of("xx", "xx", "ello", "lo", true), r.values());
    }

    @Test
    public void tostringInsistsOnAStringFromTostringMetamethods() {
        ExecutionResult r = scripts.run("local t = setmetatable({}, {__tostring = function() return {} end})\n"
                + "local ok, e = pcall(tostring, t)\nreturn ok, e, tostring(setmetatable({}, {__tostring = function() return 'me' end}))");
        assertEquals(r.error() + "", List.of(false, "'__tostring' must return a string", "me"), r.values());
    }

    @Test
    public void integerArgumentsInRangeStillWork() {
        ExecutionResult r = scripts.run("return string.rep('ab', 3.0), ('hello'):sub(2, 2^31 - 1), #table.pack(table.unpack({1, 2, 3}, 1.0, 3))");
        assertEquals(r.error() + "", List.of("ababab", "ello", 3.0), r.values());
    }
}
