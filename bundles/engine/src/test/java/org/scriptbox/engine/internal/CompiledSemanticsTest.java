package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Compiled mode (the engine's compiler) must compute and count what the interpreter does: tricky constructs (upvalues in
 * loops, varargs, tail calls, goto, metamethods, multiple results) run in both modes and are compared.
 */
public class CompiledSemanticsTest {
    private final Scripts interpreted = new Scripts(new LuaScriptEngine(1024 * 1024, false));
    private final Scripts compiled = new Scripts(new LuaScriptEngine(1024 * 1024, true));

    private static final List<String> PROGRAMS = List.of(
            // an upvalue opened inside a loop (a LuaJC bug in some forks)
            "local out = {}\nfor i = 1, 2 do\n  local ca\n  for v = 1, 2 do if v then ca = v end end\n"
                    + "  out[i] = (function() return ca end)()\nend\nreturn out[1], out[2]",
            // an upvalue reassigned in a branch inside a loop
            "local up\nlocal function get() return up end\nlocal n = 0\nwhile n < 3 do\n"
                    + "  if n == 1 then up = 'set' else for k = 1, 2 do for _, v in ipairs({1, 2}) do n = n + 0 end end end\n"
                    + "  n = n + 1\nend\nreturn get(), n",
            "local fs = {}\nfor i = 1, 3 do fs[i] = function() return i end end\nlocal j = 0\nwhile j < 3 do j = j + 1\n"
                    + "  local k = j * 10\n  fs[#fs + 1] = function() k = k + 1 return k end\nend\n"
                    + "return fs[1](), fs[2](), fs[3](), fs[4](), fs[4](), fs[6]()",
            "local function f(...) local a, b = ...\n  return select('#', ...), a, b, ... end\n"
                    + "local t = {f(1, nil, 3)}\nreturn #t, t[1], t[2], t[5], select('#', f())",
            "local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end\nreturn loop(10000, 0)",
            "local s = 0\nfor i = 1, 10 do\n  if i % 2 == 0 then goto continue end\n  s = s + i\n  ::continue::\nend\nreturn s",
            "local mt = {__index = function(t, k) return k .. '!' end, __add = function(a, b) return 42 end,\n"
                    + "  __concat = function(a, b) return 'cat' end, __call = function(self, x) return x * 2 end}\n"
                    + "local o = setmetatable({}, mt)\nreturn o.foo, o + 1, o .. 'x', 'x' .. o, o(21)",
            "local i = 0\nlocal fs = {}\nrepeat\n  local v = i\n  fs[#fs + 1] = function() return v end\n  i = i + 1\n"
                    + "until v >= 3\nreturn #fs, fs[1](), fs[4]()",
            "local a = {}\nfor x = 1, 0, -0.25 do a[#a + 1] = x end\nfor x = 10, 1, -3 do a[#a + 1] = x end\n"
                    + "return table.concat(a, ',')",
            "local t = {b = 2, a = 1, c = 3}\nlocal keys = {}\nfor k, v in pairs(t) do keys[#keys + 1] = k .. v end\n"
                    + "table.sort(keys)\nlocal s = 0\nfor i, v in ipairs({5, 6, 7}) do s = s + i * v end\n"
                    + "return table.concat(keys, ' '), s",
            "return math.floor(7 / 2), math.floor(-7 / 2), 7 % -3, -7 % 3, 2 ^ 10, 7 / 2, 1e300 * 1e10, -(0/0) ~= -(0/0)",
            "local function counter() local n = 0\n  local function inc() n = n + 1 return n end\n"
                    + "  local function get() return n end\n  return inc, get end\n"
                    + "local inc, get = counter()\ninc() inc()\nlocal before = get()\ninc()\nreturn before, get()",
            "local function many() return 1, 2, 3 end\nlocal t = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n"
                    + " 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, many()}\n"
                    + "return #t, t[51], t[54]",
            "local a, b, c\nlocal d = nil\nreturn a, b, c, d, select('#', a, b, c)",
            "local Acc = {}\nAcc.__index = Acc\nfunction Acc.new(v) return setmetatable({v = v}, Acc) end\n"
                    + "function Acc:add(x) self.v = self.v + x return self end\nreturn Acc.new(1):add(2):add(3).v",
            "local x = nil and 1 or 2\nlocal y = false or nil\nlocal z = 0 and 'zero'\nreturn x, y, z, not nil, 1 == 1.0",
            "local s = 'hello'\nreturn #s, s:upper(), ('x'):rep(3), s:sub(2, 3), string.format('%5.2f|%d', 3.14159, 42)",
            "local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end return 'end' end)\n"
                    + "return gen(), gen(), gen(), gen()",
            "local ok, e = pcall(function() local t = nil; return t.x end)\nlocal ok2, e2 = pcall(error, {code = 1})\n"
                    + "return ok, e, ok2, type(e2), e2.code",
            "local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) end})\nt.a = 1\n"
                    + "local n = 0\nwhile true do n = n + 1 if n > 5 then break end end\nreturn t.a, n",
            "local function outer()\n  local x = 1\n  local function mid()\n    local function inner() x = x + 1 return x end\n"
                    + "    return inner\n  end\n  return mid()\nend\nlocal f = outer()\nf()\nreturn f()",
            "local function va(...) return ... end\nlocal function count(...) return select('#', ...) end\n"
                    + "return count(va()), count(va(nil, nil)), count(va(1, 2, 3), 4), count((va(1, 2, 3)))",
            "local s = ''\nfor i = 1, 5 do s = s .. i .. ',' end\nreturn s, 1 .. 2, 'a' .. 1.5",
            "local t = {}\nt[1.0] = 'a'\nt[2] = 'b'\nreturn t[1], #t, next({}), rawlen({1, 2}), rawequal(t, t)",
            "error('plain failure at line 1')",
            "local t = {}\nlocal function g() return t.a.b end\nlocal v = g()\nreturn v",
            "return ('x'):bad()");

    @Test
    public void compiledResultsEqualInterpretedResults() {
        int built = 0;
        for (String program : PROGRAMS) {
            // Every program runs as JVM classes (closures created in loops included), with the interpreter's results.
            if (((LuaCompiledScript) compiled.engine.compile("test.lua", program)).compiled() != null) {
                built++;
            }
            ExecutionResult a = interpreted.run(program);
            ExecutionResult b = compiled.run(program);
            boolean meantToFail = program.startsWith("error(") || program.contains("t.a.b") || program.contains(":bad()");
            assertEquals(program + " " + a.error(), meantToFail ? ScriptStatus.FAILED : ScriptStatus.COMPLETED, a.status());
            assertEquals(program, a.status(), b.status());
            assertEquals(program, a.values(), b.values());
            assertEquals(program, String.valueOf(a.error()), String.valueOf(b.error()));
            assertEquals(program, a.error() == null ? null : a.error().traceback(),
                    b.error() == null ? null : b.error().traceback());
            assertEquals(program, a.instructions(), b.instructions());
        }
        assertEquals(built + " of " + PROGRAMS.size() + " compiled to JVM classes", PROGRAMS.size(), built);
    }

    @Test
    public void aLoopLeftByBreakIsCountedInFull() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            body.append("x = x + 1\n");
        }
        // Each outer iteration runs ~300 instructions inside a loop that is left by 'break' (it never takes
        // its back-edge): the budget must count them, so both modes stop after about as many iterations.
        String program = "local x = 0\nwhile true do\n  while x >= 0 do\n" + body + "    break\n  end\n  lap()\nend";
        AtomicInteger interpretedLaps = new AtomicInteger();
        AtomicInteger compiledLaps = new AtomicInteger();
        ExecutionResult a = interpreted.withInstructions(300_000)
                .withLibrary("laps", Map.of("lap", (scope, args) -> interpretedLaps.incrementAndGet())).run(program);
        ExecutionResult b = compiled.withInstructions(300_000)
                .withLibrary("laps", Map.of("lap", (scope, args) -> compiledLaps.incrementAndGet())).run(program);
        assertEquals(a.error() + "", ErrorKind.LIMIT, a.error().kind());
        assertEquals(b.error() + "", ErrorKind.LIMIT, b.error().kind());
        assertTrue(interpretedLaps + " vs " + compiledLaps, interpretedLaps.get() > 900);
        assertTrue(interpretedLaps + " vs " + compiledLaps, compiledLaps.get() <= interpretedLaps.get() + 20);
    }
}
