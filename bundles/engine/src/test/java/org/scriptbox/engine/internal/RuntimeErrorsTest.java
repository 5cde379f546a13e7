package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;

/**
 * What the Lua 5.4 comparison ({@link LuaErrorParityTest}) cannot show: debug.traceback, the
 * instruction count and memory units of failed runs, and the work the error path is charged for.
 */
public class RuntimeErrorsTest {
    private final Scripts scripts = new Scripts();

    @Test
    public void debugTracebackInAnXpcallHandlerListsTheErrorsNamedFrames() {
        ExecutionResult r = scripts.run("local function inner()\n  local t\n  return t.x\nend\n"
                + "local function outer()\n  inner()\n  return 1\nend\n"
                + "local ok, tb = xpcall(outer, debug.traceback)\nreturn tb");
        assertEquals(List.of("test.lua:3: attempt to index a nil value (local 't')\nstack traceback:"
                + "\n\ttest.lua:3: in upvalue 'inner'\n\ttest.lua:6: in function <test.lua:5>"), r.values());
    }

    @Test
    public void debugTracebackElsewhereSaysItHasNoFramesAndPassesNonStrings() {
        ExecutionResult r = scripts.run("local t = {}\nreturn debug.traceback('here'), debug.traceback(t) == t, debug.traceback()");
        assertEquals("here\nstack traceback:\n\t(frames are listed only in an xpcall handler)", r.values().get(0));
        assertEquals(true, r.values().get(1));
        assertTrue(String.valueOf(r.values().get(2)).startsWith("stack traceback:"));
    }

    @Test
    public void debugTracebackIsChargedAndHeldToTheStringLimit() {
        ExecutionResult cheap = scripts.run("return 1");
        ExecutionResult r = scripts.run("for i = 1, 100 do debug.traceback('x') end");
        assertTrue(r.instructions() + " instructions", r.instructions() - cheap.instructions() > 100 * ErrorFunctions.TRACEBACK_COST);
        ExecutionResult big = scripts.withLimits(java.time.Duration.ofSeconds(5), 64L << 20, 1_000_000, 1000, 1000, 50, 4)
                .run("return debug.traceback(string.rep('x', 990))");
        assertEquals(ErrorKind.LIMIT, big.error().kind());
        assertTrue(big.error().message(), big.error().message().startsWith("string length limit of 1000"));
    }

    @Test
    public void theDebugLibraryIsItsTracebackOnly() {
        assertEquals(List.of(1.0, "function"), scripts.run("local n = 0 for _ in pairs(debug) do n = n + 1 end"
                + " return n, type(debug.traceback)").values());
    }

    @Test
    public void aRunEndedByALimitInItsFirstInstructionsCountsOnlyWhatRan() {
        ExecutionResult r = scripts.run("local s = string.rep('x', 100000)");
        assertEquals(ErrorKind.LIMIT, r.error().kind());
        assertTrue(r.instructions() + " instructions, the check block is " + Budget.CHECK_INTERVAL,
                r.instructions() < 1000);
        ExecutionResult limit = scripts.withInstructions(10_000).run("while true do end");
        assertTrue(limit.instructions() + "", limit.instructions() >= 10_000 && limit.instructions() < 10_000 + 64);
    }

    @Test
    public void aRuntimeErrorCountsTheInstructionsThatRan() {
        ExecutionResult r = scripts.run("local x = 0\nfor i = 1, 10 do x = x + i end\nerror('stop')");
        assertEquals("stop", r.error().message());
        assertTrue(r.instructions() + "", r.instructions() > 30 && r.instructions() < 200);
    }

    @Test
    public void memoryInMessagesIsInReadableUnits() {
        assertEquals("812 bytes", Sizes.readable(812));
        assertEquals("12.3 KB", Sizes.readable(12_595));
        assertEquals("50.0 MB", Sizes.readable(50L << 20));
        assertEquals("2.0 GB", Sizes.readable(2L << 30));
        ExecutionResult r = scripts.withMemory(4L << 20).run("for i = 1, 1e8 do local t = {i, i, i} end");
        assertTrue(r.error().message(), r.error().message().matches("memory limit of 4\\.0 MB exceeded \\(\\d+\\.\\d MB allocated\\)"));
    }

    @Test
    public void namingTheCulpritIsChargedForTheCodeItReads() {
        // a pcall loop over an error in a long function reads that function's code per error: paid for
        StringBuilder src = new StringBuilder("local function f(t)\n  local v = 0\n");
        for (int i = 0; i < 2000; i++) {
            src.append("  v = ").append(i).append("\n");
        }
        src.append("  return t.x\nend\nfor i = 1, 200 do pcall(f) end");
        ExecutionResult r = scripts.run(src.toString());
        assertFalse(r.error() + "", r.error() != null);
        assertTrue(r.instructions() + "", r.instructions() > 200 * (2000 / org.scriptbox.engine.errors.ErrorTrace.SCANNED_PER_UNIT));
    }

    /** Red team R9: a name is as long as the source allows; messages and tracebacks stay small. */
    @Test
    public void culpritNamesAreCut() {
        ExecutionResult r = scripts.run("g" + "x".repeat(200_000) + "()");
        assertTrue(r.error().message().length() + "", r.error().message().length() < 300);
        assertTrue(r.error().message(), r.error().message().endsWith("xx...')"));
        ExecutionResult c = scripts.run("local ok, e = pcall(function() " + "g".repeat(200_000) + "() end) return #e");
        assertEquals(c.error() + "", org.scriptbox.api.ScriptStatus.COMPLETED, c.status());
        ExecutionResult k = scripts.run("local t = {}\nt['" + "k".repeat(9_000) + "']()");
        assertTrue(k.error().message().length() + "", k.error().message().length() < 300);
        String n = "f" + "y".repeat(100_000);
        ExecutionResult tb = scripts.run("local " + n + "\n" + n + " = function(k) if k == 0 then error('boom') end return 1 + "
                + n + "(k - 1) end\nreturn " + n + "(30)");
        assertEquals("boom", tb.error().message());
        assertTrue(tb.error().traceback().length() + "", tb.error().traceback().length() < 20 * 120);
    }
}
