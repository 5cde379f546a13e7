package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * A tail call of a table with a function {@code __call} is a tail call (red team E5): the handler's own tail calls do
 * not grow the call depth, as in Lua; a table {@code __call} and a non-tail call still count their levels, and both
 * modes give the same values, errors, positions and counts.
 */
public class TailCallThroughCallTest {
    private final Scripts scripts = new Scripts(); // the mode the build's execution selects
    private final Scripts interpreted = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0)));
    private final Scripts compiled = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)));

    private static Scripts limits(Scripts s) {
        return s.withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 20_000_000, 100_000, 100_000, 50, 16);
    }

    private void same(String program) {
        DifferentialFuzz.assertSame(program, interpreted.run(program), compiled.run(program));
    }

    private static final String COUNTDOWN = "local cl = setmetatable({}, {__call = function(self, n) if n > 0 then"
            + " return self(n - 1) end return 'called' end}) return cl(N)";

    @Test
    public void aTailCallThroughCallIsATailCall() {
        ExecutionResult r = scripts.run(COUNTDOWN.replace("N", "20000"));
        assertTrue(String.valueOf(r.error()), r.succeeded());
        assertEquals("called", r.values().get(0));
        same(COUNTDOWN.replace("N", "3000"));
        // through a function that tail calls the table, and the table tail calling a function
        same("local t t = setmetatable({}, {__call = function(self, n, acc) if n == 0 then return acc end"
                + " return (function(m) return t(m, acc + 1) end)(n - 1) end}) return t(2000, 0)");
    }

    @Test
    public void nonTailCallsAndTableHandlersStillCountTheirLevels() {
        same("local cl = setmetatable({}, {__call = function(self, n) if n > 0 then return 1 + self(n - 1) end return 0 end})"
                + " return pcall(cl, 30), select(2, pcall(cl, 60))");
        same("local t = {} setmetatable(t, {__call = t}) return pcall(function() return t(1) end)");
        same("local inner = setmetatable({}, {__call = function(self, x) return x * 2 end})"
                + " local outer = setmetatable({}, {__call = inner}) local function f(x) return outer(x) end return pcall(f, 21)");
        // errors inside the handler reached by a tail call: position and traceback as the interpreter's
        same("local cl = setmetatable({}, {__call = function(self, n) if n == 0 then error('bottom') end return self(n - 1) end})"
                + " local ok, e = pcall(cl, 5) return ok, e, debug.traceback('x')");
        same("local cl = setmetatable({}, {__call = function(self, n) if n == 0 then local x = nil return x.y end"
                + " return self(n - 1) end}) return cl(4)");
        same("local cl = setmetatable({}, {}) local function f() return cl(1) end return pcall(f)");
    }
}
