package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Positions and tracebacks are collected from the interpreter's frames while an error unwinds (nothing is
 * recorded per instruction): they must still name the right line of every frame.
 */
public class ErrorPositionsTest {
    private final Scripts scripts = new Scripts();

    @Test
    public void limitBrokenInsideALibraryCallHasTheCallersLine() {
        ExecutionResult r = scripts.run("local function build(n)\n  local pad = 1\n"
                + "  return string.rep('x', n) .. '!'\nend\nlocal s = build(10)\ns = build(50000)\nreturn s");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().startsWith("string length limit of 10000"));
        assertEquals(3, r.error().line());
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:3: in function <test.lua:1>"));
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:6: in main chunk"));
    }

    @Test
    public void limitInsideACoroutineShowsTheCoroutinesFramesOnly() {
        ExecutionResult r = scripts.withInstructions(50_000).run("local function spin()\n  while true do end\nend\n"
                + "local co = coroutine.create(function() spin() end)\n"
                + "local ok = coroutine.resume(co)\nreturn ok");
        assertTrue(r.error().message(), r.error().message().startsWith("instruction limit of 50000"));
        assertEquals(2, r.error().line());
        String tb = r.error().traceback();
        assertTrue(tb, tb.contains("test.lua:2: in function <test.lua:1>"));
        assertTrue(tb, tb.contains("test.lua:4: in function <test.lua:4>"));
        assertFalse("the resumer's frames are not part of it: " + tb, tb.contains("main chunk"));
    }

    @Test
    public void deepRuntimeErrorTracebackIsCutAfterTwentyFrames() {
        ExecutionResult r = scripts.run("local function f(n)\n  if n == 0 then error('deep') end\n"
                + "  return 1 + f(n - 1)\nend\nreturn f(40)");
        assertEquals("deep", r.error().message());
        assertEquals(2, r.error().line());
        String tb = r.error().traceback();
        assertTrue(tb, tb.startsWith("stack traceback:\n\ttest.lua:2: in upvalue 'f'"));
        assertEquals(tb, 20, tb.split("\n\ttest.lua:", -1).length - 1);
        assertTrue(tb, tb.endsWith("\n\t..."));
    }

    @Test
    public void errorsCaughtAndRaisedAgainKeepTheirOwnPositions() {
        ExecutionResult r = scripts.run("local ok, e = pcall(function()\n  error('first')\nend)\n"
                + "local function again()\n  error('second: ' .. e)\nend\nagain()");
        assertEquals("second: test.lua:2: first", r.error().message());
        assertEquals(5, r.error().line());
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:5: in local 'again'"));
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:7: in main chunk"));
        assertFalse(r.error().traceback(), r.error().traceback().contains("test.lua:2:"));
    }

    @Test
    public void xpcallHandlerSeesTheMessageAtTheErrorPoint() {
        ExecutionResult r = scripts.run("local function boom()\n  error('x')\nend\n"
                + "return xpcall(boom, function(m) return 'handled ' .. m end)");
        assertEquals(List.of(false, "handled test.lua:2: x"), r.values());
    }
}
