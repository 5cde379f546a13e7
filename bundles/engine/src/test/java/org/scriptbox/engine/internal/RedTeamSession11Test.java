package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

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
}
