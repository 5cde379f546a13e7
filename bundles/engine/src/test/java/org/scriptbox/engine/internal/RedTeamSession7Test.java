package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Ignore;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Session-7 red team of issue 14 (engine): findings E1.. of /work/coord/FINDINGS.md, expected values recorded
 * with lua5.4 5.4.4 on this machine where Lua 5.2 and 5.4 agree. Runs in every mode of the suite (interpreted,
 * and again compiled strictly). A finding not fixed yet is an {@code @Ignore}d test naming it.
 */
public class RedTeamSession7Test {
    private final Scripts scripts = new Scripts();

    private ExecutionResult completed(String source) {
        ExecutionResult r = scripts.run(source);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        return r;
    }

    /**
     * E1: an error raised inside a coroutine reached {@code resume} and {@code wrap}'s caller as its text: {@code
     * error({code = 7})} came back as the string {@code "table: 5930820"} (its address: the run's instruction count
     * then varied by the address text's length, 1-3 instructions between runs of the same script), {@code error(42)}
     * as {@code "42"}, {@code error(nil)} as {@code "nil"}. Lua hands back the value itself.
     */
    @Test
    public void anErrorValueCrossesACoroutineAsItIs() {
        ExecutionResult r = completed(String.join("\n",
                "local out = {}",
                "for _, e in ipairs({{code = 7}, 42, -1.5, false, true, print}) do",
                "  local ok, v = coroutine.resume(coroutine.create(function() error(e) end))",
                "  local ok3, x = pcall(coroutine.wrap(function() error(e) end))",
                "  out[#out + 1] = tostring(ok) .. type(v) .. tostring(rawequal(v, e)) .. type(x) .. tostring(rawequal(x, e))",
                "end",
                "local ok, v = coroutine.resume(coroutine.create(function() error(nil) end))",
                "local ok2, w = pcall(coroutine.wrap(function() error() end))",
                "local dead = coroutine.create(function() error({}) end)",
                "coroutine.resume(dead)",
                "local ok3, again = coroutine.resume(dead)",
                "return table.concat(out, ' '), v == nil, select('#', ok, v), w == nil, type(again), again"));
        assertEquals("falsetabletruetabletrue falsenumbertruenumbertrue falsenumbertruenumbertrue"
                + " falsebooleantruebooleantrue falsebooleantruebooleantrue falsefunctiontruefunctiontrue",
                r.values().get(0));
        assertEquals(List.of(true, 2.0, true, "string", "cannot resume dead coroutine"), r.values().subList(1, 6));
    }

    /** E1: a string error keeps its position, a runtime error its message; the instruction count does not vary. */
    @Test
    public void aCoroutinesErrorCountsTheSameEveryRun() {
        String source = "local ok, e = coroutine.resume(coroutine.create(function() error({}) end))\n"
                + "local ok2, s = coroutine.resume(coroutine.create(function() error('boom') end))\n"
                + "local ok3, t = pcall(coroutine.wrap(function() local x = nil return x.y end))\n"
                + "return type(e), s, t";
        ExecutionResult first = completed(source);
        assertEquals(List.of("table", "test.lua:2: boom", "test.lua:3: attempt to index a nil value (local 'x')"),
                first.values());
        for (int i = 0; i < 20; i++) {
            assertEquals(first.instructions(), scripts.run(source).instructions());
        }
    }

    /**
     * E2: a script holding the string constant {@code '0x'} (or {@code ' 0X '}) did not compile: Luaj's number scan
     * threw {@code ArrayIndexOutOfBoundsException} out of {@code compile} (PrototypeSize asked each constant whether
     * it was a number), so {@code tonumber('0x')} in any script broke its deploy with a Java exception.
     */
    @Test
    public void aScriptHoldingTheConstant0xCompiles() {
        ExecutionResult r = completed("local a, b = '0x', ' 0X ' return #a, #b");
        assertEquals(List.of(2.0, 4.0), r.values());
    }

    /**
     * E2 (not fixed: engine-text's string-to-number conversion): at run time the same Luaj scan throws. {@code
     * tonumber('0x')} ended the run as {@code bad argument to 'pcall' (invalid arguments)}, uncatchable; {@code '0x'
     * + 1} read {@code internal error of the engine}. lua5.4: nil, and the arithmetic error on a string value.
     */
    @Ignore("E2: Luaj's LuaString.scannumber throws on '0x' at run time (tonumber, coercions, library arguments)")
    @Test
    public void textThatIsAlmostAHexNumberIsNotANumber() {
        ExecutionResult r = completed(String.join("\n",
                "local s = '0' .. 'x'",
                "local ok1, n = pcall(tonumber, s)",
                "local ok2, e = pcall(function() return s + 1 end)",
                "local ok3, e3 = pcall(string.rep, 'a', s)",
                "local ok4, e4 = pcall(function() for i = 1, s do end end)",
                "return ok1, n, ok2, e, ok3, e3, ok4, tonumber(' 0X ')"));
        assertEquals(true, r.values().get(0));
        assertEquals(null, r.values().get(1));
        assertEquals(false, r.values().get(2));
        assertEquals("test.lua:3: attempt to perform arithmetic on a string value (upvalue 's')", r.values().get(3));
        assertEquals(false, r.values().get(4));
        assertTrue(r.values().get(5) + "", String.valueOf(r.values().get(5)).contains("number expected, got string"));
        assertEquals(false, r.values().get(6));
        assertEquals(null, r.values().get(8));
    }

    /**
     * E3 (not fixed): a call in tail position that fails, inside a function called from Java (pcall, a coroutine),
     * had Luaj's bare text: {@code attempt to call table}, no position, no variable; a library function's refusal
     * there {@code bad argument #1 to 'string.rep' (...)} without position. lua5.4: {@code test.lua:2: attempt to
     * call a table value (upvalue 't')}, {@code test.lua:4: bad argument #1 to 'rep' (...)}. The same call not in tail
     * position, or the main chunk's own tail call (session 6), has both.
     */
    @Ignore("E3: a failed tail call under pcall/coroutine loses its position and variable name")
    @Test
    public void aFailedTailCallUnderPcallNamesItsPosition() {
        ExecutionResult r = completed(String.join("\n",
                "local t = {}",
                "local function g() return t(1) end",
                "local ok, e = pcall(g)",
                "local ok2, e2 = pcall(function() return string.rep() end)",
                "local ok3, e3 = pcall(coroutine.wrap(function() return t(1) end))",
                "return e, e2, e3"));
        assertEquals(List.of("test.lua:2: attempt to call a table value (upvalue 't')",
                "test.lua:4: bad argument #1 to 'rep' (string expected, got no value)",
                "test.lua:5: attempt to call a table value (upvalue 't')"), r.values());
    }

    /**
     * E4 (not fixed: engine-text's conversion): {@code tonumber} and coercion of text read Luaj's rules, not Lua's:
     * {@code tonumber('-')} is 0 (Lua: nil); {@code tonumber('\t5\n')} is nil (Lua: 5, any space around a numeral);
     * hexadecimal fractions and exponents ({@code '0x1p4'}, {@code '0x.8'}, Lua 5.2 and 5.4: 16, 0.5) are nil.
     */
    @Ignore("E4: tonumber/coercion of '-', tabs and newlines around a numeral, hex floats differ from Lua")
    @Test
    public void textToNumberFollowsLua() {
        ExecutionResult r = completed("return tonumber('-'), tonumber('\\t5\\n'), tonumber('0x1p4'), tonumber('0x.8'),"
                + " '\\n7' + 0, tonumber('- 1'), tonumber('1e'), tonumber('.')");
        assertEquals(java.util.Arrays.asList(null, 5.0, 16.0, 0.5, 7.0, null, null, null), r.values());
    }

    /**
     * E5 (not fixed): a tail call to a table with {@code __call} grows the call depth (both modes): a callable
     * object's state machine {@code return self(n - 1)} stops at the depth limit of 50 with a LIMIT error, where Lua
     * (5.2 and 5.4) makes it a proper tail call (lua5.4 runs 200,000 of them).
     */
    @Ignore("E5: a tail call through __call counts towards the call depth limit")
    @Test
    public void aTailCallThroughCallIsATailCall() {
        ExecutionResult r = completed("local cl = setmetatable({}, {__call = function(self, n)"
                + " if n > 0 then return self(n - 1) end return 'called' end}) return cl(200)");
        assertEquals(List.of("called"), r.values());
    }

    /** Attacks of session 7 that held in both modes (kept so that they keep holding). */
    @Test
    public void tailCallsDeeperThanTheDepthLimitRunInBothModes() {
        ExecutionResult r = completed("local function f(n, ...) if n == 0 then return select('#', ...), ... end"
                + " return f(n - 1, ...) end return f(500, nil, 2, nil)");
        assertEquals(java.util.Arrays.asList(3.0, null, 2.0, null), r.values());
        assertFalse(r.values().isEmpty());
    }
}
