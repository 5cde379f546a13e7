package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.Ignore;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Session-11 red team of issue 14 (engine). Expected values were recorded with lua5.4 on this machine. Runs in every
 * mode of the suite (interpreted, and again compiled strictly).
 */
public class RedTeamSession11Test {
    private final Scripts scripts = new Scripts();

    private String text(String source) {
        ExecutionResult r = scripts.run(source);
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        return String.valueOf(r.values().get(0));
    }

    /**
     * E26: a jump out of a block that holds a label closes upvalues (Lua 5.2's parser sets the JMP's A) even in a
     * function that makes no closures; the interpreter then read its absent open-upvalue list and failed with an
     * internal error. Backward gotos over locals, goto-continue in loops, gotos with closures and in coroutines.
     */
    @Test
    public void gotoShapesRunAsInLua() {
        assertEquals("3,r4,2,6,012,6,012end,w", text(String.join("\n",
                "local out = {}",
                "local n = 0 ::top:: local x = n n = n + 1 if n < 3 then goto top end out[#out+1] = n",
                "local i = 0",
                "repeat local y = i i = i + 1 if i < 5 then goto cont end out[#out+1] = 'r' .. y ::cont:: until i >= 5",
                "for k = 1, 3 do local z = k * 2 if z == 4 then goto continue end out[#out+1] = z ::continue:: end",
                "local fs = {}",
                "do local j = 0 ::again:: local c = j fs[#fs+1] = function() return c end j = j + 1 if j < 3 then goto again end end",
                "out[#out+1] = fs[1]() .. fs[2]() .. fs[3]()",
                "do local a = 1 do local b = 2 ::inner:: local d = b b = b + 1 if b < 6 then goto inner end out[#out+1] = d + a end end",
                "local co = coroutine.wrap(function() local m = 0 ::l:: local w = m m = m + 1 coroutine.yield(w) if m < 3 then goto l end return 'end' end)",
                "out[#out+1] = tostring(co()) .. tostring(co()) .. tostring(co()) .. tostring(co())",
                "while true do local q = 1 if q then goto out end end ::out::",
                "out[#out+1] = 'w'",
                "return table.concat(out, ',')")));
    }

    /**
     * E22 and chunk names: {@code load}'s chunks were named {@code (load)} where Lua 5.4 shows
     * {@code [string "first line..."]} (luaO_chunkid: {@code =name} as written, {@code @file} with its end kept), its
     * syntax errors carried the deployer's column, and a reader returning a number failed with Luaj's "attempt to
     * get length of number" (Lua takes the number as its text). One difference is left: Lua places a reader's
     * "reader function must return a string" at the line calling {@code load}; here it comes without a position.
     */
    @Test
    public void loadNamesAndErrorsAsLua() {
        assertEquals(String.join("\n",
                "nil [string \"x = \"]:1: unexpected symbol near <eof>",
                "nil [string \"x = = 1\"]:1: unexpected symbol near '='",
                "nil [string \"local a = 1...\"]:3: unexpected symbol near '+'",
                "nil [string \"mychunk\"]:1: unexpected symbol near <eof>",
                "nil mychunk:1: unexpected symbol near <eof>",
                "nil file.lua:1: unexpected symbol near <eof>",
                "nil [string \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...\"]:1: unexpected symbol near <eof>",
                "nil eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee:1: unexpected symbol near <eof>",
                "nil ...aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/end.lua:1: unexpected symbol near <eof>",
                "nil [string \"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\"]:1: unexpected symbol near <eof>",
                "nil [string \"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm...\"]:1: unexpected symbol near <eof>",
                "nil [string \"12\"]:1: unexpected symbol near <eof>",
                "fn",
                "false [string \"error('boom')\"]:1: boom",
                "false named:1: boom",
                "nil [string \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"]:1: unexpected symbol near '='",
                "nil [string \"...\"]:3: unexpected symbol near '='",
                "nil (load):1: unexpected symbol near '42'",
                "nil reader function must return a string",
                "nil test.lua:23: in reader",
                "fn",
                "42",
                "false [string \"local t = nil; return t.x\"]:1: attempt to index a nil value (local 't')"), text(String.join("\n",
                "local r = {}",
                "local function add(...) local t = table.pack(...) for i=1,t.n do t[i]= type(t[i]) == 'function' and 'fn' or tostring(t[i]) end r[#r+1] = table.concat(t, ' ') end",
                "add(load(\"x = \"))",
                "add(load(\"x = = 1\"))",
                "add(load(\"local a = 1\\nlocal b = \\n+\"))",
                "add(load(\"return 1 +\", \"mychunk\"))",
                "add(load(\"return 1 +\", \"=mychunk\"))",
                "add(load(\"return 1 +\", \"@file.lua\"))",
                "add(load(\"return 1 +\", string.rep(\"n\", 80)))",
                "add(load(\"return 1 +\", \"=\" .. string.rep(\"e\", 80)))",
                "add(load(\"return 1 +\", \"@\" .. string.rep(\"a\", 70) .. \"/end.lua\"))",
                "add(load(\"return 1 +\", string.rep(\"m\", 44)))",
                "add(load(\"return 1 +\", string.rep(\"m\", 45)))",
                "add(load(\"return 1 +\", 12))",
                "add(load(\"error('x')\"))",
                "add(pcall(load(\"error('boom')\")))",
                "add(pcall(load(\"error('boom')\", \"=named\")))",
                "add(load(string.rep(\"x\", 70) .. \" = =\"))",
                "add(load(\"\\n\\nx = =\"))",
                "local n = 0",
                "add(load(function() n = n + 1 if n == 1 then return 42 end return nil end))",
                "add(load(function() n = n + 1 if n == 3 then return {} end return nil end))",
                "add(load(function() error(\"in reader\") end))",
                "add(load(function() return nil end))",
                "local parts = {\"return \", 6, \"*\", 7}",
                "local k = 0",
                "add(load(function() k = k + 1 return parts[k] end)())",
                "add(pcall(load(\"local t = nil; return t.x\")))",
                "return table.concat(r, '\\n')")));
    }

    private static String resource(String name) throws IOException {
        try (var in = RedTeamSession11Test.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * E28: the message of a syntax error is Lua 5.4's ({@code load(p, "=t")} of ~60 malformed programs of
     * {@code parity/syntax.lua}; {@code parity/syntax.expected} is lua5.4's output, the 5.4-only attributes left out).
     */
    @Ignore("E28: Luaj's wording: '<name>' quoted, '(to close 'if' at line 1)' on the same line, 'near' after label/goto"
            + " messages, break outside loop as a goto, unfinished strings near the text, long-string start line")
    @Test
    public void syntaxErrorsAreWordedAsLuaWordsThem() throws IOException {
        String[] expected = resource("/parity/syntax.expected").split("\n", -1);
        String[] actual = text(resource("/parity/syntax.lua")).split("\n", -1);
        StringBuilder diff = new StringBuilder();
        for (int i = 0; i < Math.max(expected.length, actual.length); i++) {
            String e = i < expected.length ? expected[i] : "(none)";
            String a = i < actual.length ? actual[i] : "(none)";
            if (!e.equals(a)) {
                diff.append("\n#").append(i + 1).append(" lua5.4: ").append(e).append("\n    ours:   ").append(a);
            }
        }
        assertEquals("", diff.toString());
    }
}
