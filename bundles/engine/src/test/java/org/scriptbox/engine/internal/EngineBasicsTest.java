package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;

public class EngineBasicsTest {
    private final Scripts scripts = new Scripts();

    @Test
    public void returnsValuesConvertedToJava() {
        ExecutionResult r = scripts.run("local a, b = ... return a + b, 'x', true, nil, {1, 2}, {k = 'v'}", 2, 3.5);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(5.5, r.values().get(0));
        assertEquals("x", r.values().get(1));
        assertEquals(true, r.values().get(2));
        assertNull(r.values().get(3));
        assertEquals(List.of(1.0, 2.0), r.values().get(4));
        assertEquals(Map.of("k", "v"), r.values().get(5));
        assertTrue(r.instructions() > 0);
        assertTrue(r.allocatedBytes() > 0);
    }

    @Test
    public void printGoesToTheRequestLog() {
        ExecutionResult r = scripts.run("print('hello', 42, nil)");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("INFO hello\t42\tnil"), scripts.log);
    }

    @Test
    public void globalsAreFreshInEveryExecution() {
        CompiledScript s = scripts.engine.compile("g.lua", "local before = counter; counter = (counter or 0) + 1; "
                + "string.extra = 1; return before, counter");
        ExecutionResult first = scripts.engine.execute(s, scripts.request());
        ExecutionResult second = scripts.engine.execute(s, scripts.request());
        assertNull(first.values().get(0));
        assertNull(second.values().get(0));
        assertEquals(1.0, second.values().get(1));
    }

    @Test
    public void runtimeErrorCarriesFileLineAndTraceback() {
        ExecutionResult r = scripts.run("local function f()\n  local x = nil\n  return x.y\nend\nlocal r = f()\nreturn r\n");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.RUNTIME, r.error().kind());
        assertEquals("test.lua", r.error().file());
        assertEquals(3, r.error().line());
        assertTrue(r.error().message(), r.error().message().contains("index"));
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:3: in local 'f'"));
        assertTrue(r.error().traceback(), r.error().traceback().contains("test.lua:5: in main chunk"));
    }

    @Test
    public void pcallSeesLuaStyleMessageWithoutTraceback() {
        ExecutionResult r = scripts.run("local ok, e = pcall(error, 'boom') local ok2, e2 = pcall(function() error('bang') end)\n"
                + "return ok, e, ok2, e2");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(false, r.values().get(0));
        assertEquals("boom", r.values().get(1));
        assertEquals("test.lua:1: bang", r.values().get(3));
    }

    @Test
    public void coroutineAndXpcallMessagesHaveLuaFormWithoutTraceback() {
        ExecutionResult r = scripts.run("local ok, e = coroutine.resume(coroutine.create(function()\n error('inner')\nend))\n"
                + "local ok2, e2 = xpcall(function() error('x') end, function(m) return 'handled ' .. m end)\n"
                + "local ok3, e3 = pcall(coroutine.wrap(function() error('wrapped') end))\n"
                + "return e, e2, e3");
        assertEquals(r.error() + "", List.of("test.lua:2: inner", "handled test.lua:4: x", "test.lua:5: wrapped"),
                r.values());
    }

    @Test
    public void sharedSubtablesCannotBlowUpConversion() {
        ExecutionResult r = scripts.run("local t = {}\nfor level = 1, 20 do\n  local n = {}\n"
                + "  for i = 1, 10 do n[i] = t end\n  t = n\nend\nreturn t");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().contains("too large to convert"));
    }

    @Test
    public void compileErrorHasLineColumnAndToken() {
        try {
            scripts.engine.compile("bad.lua", "local a = 1\nlocal b = = 2\n");
            fail();
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.kind());
            assertEquals("bad.lua:2:11: unexpected symbol near '='", e.error().toString());
        }
    }

    @Test
    public void compileErrorAtEndOfFile() {
        try {
            scripts.engine.compile("eof.lua", "function f()\n  return 1\n");
            fail();
        } catch (ScriptException e) {
            assertEquals(3, e.error().line());
            assertTrue(e.getMessage(), e.getMessage().endsWith("near <eof>"));
        }
    }

    @Test
    public void libraryFunctionsAreGlobalsWithConvertedValues() {
        ScriptFunction add = (scope, args) -> ((Double) args[0]) + ((Double) args[1]);
        ScriptFunction echo = (scope, args) -> new Object[] {args[0], List.of("a", "b"), scope.scriptName()};
        ScriptFunction refuse = (scope, args) -> {
            scope.permissionDenied("device.write");
            throw new ScriptCallException(ErrorKind.PERMISSION, "permission device.write not granted");
        };
        scripts.withLibrary("t", Map.of("add", add, "echo", echo, "refuse", refuse));
        ExecutionResult r = scripts.run("local t, l, n = echo({x = 1}) local ok, e = pcall(function() refuse() end)\n"
                + "return add(1, 2), t.x, l[2], n, ok, e");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(3.0, 1.0, "b", "test", false, "test.lua:1: permission device.write not granted"),
                r.values());
        assertEquals(1, r.permissionDenials());

        ExecutionResult uncaught = scripts.run("refuse()");
        assertEquals(ErrorKind.PERMISSION, uncaught.error().kind());
        assertEquals(1, uncaught.error().line());
    }

    @Test
    public void requireRunsModuleOnceInTheSameExecution() {
        CompiledScript lib = scripts.engine.compile("lib.lua", "loads = (loads or 0) + 1 return {twice = function(x) return 2 * x end}");
        scripts.modules = name -> "lib".equals(name) ? Optional.of(lib) : Optional.empty();
        ExecutionResult r = scripts.run("local a = require('lib') local b = require('lib')\n"
                + "local ok, e = pcall(require, 'nope') return a.twice(21), a == b, loads, ok, e");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(42.0, true, 1.0, false, "module 'nope' not found"), r.values());
    }
}
