package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * Library argument errors where lua5.4 cannot be the reference (LuaErrorParityTest covers the rest): the engine's own
 * refusals get Lua's form too, with the script's position and the argument's number.
 */
public class LibraryArgumentErrorsTest {
    private final Scripts scripts = new Scripts();

    @Test
    public void aNumberBeyondTheIntegerRangeIsRefusedAtItsArgumentWithTheScriptsLine() {
        ExecutionResult r = scripts.run("local n = 2^32 + 2\nreturn string.rep('x', n)\n");
        assertEquals("test.lua:2: bad argument #2 to 'rep' (number has no integer representation (4294967298 is outside"
                + " the integer range))", String.valueOf(r.error()));
        r = scripts.run("local s = 'x'\nlocal r = s:rep(2^32 + 2)\n");
        assertEquals("test.lua:2: bad argument #1 to 'rep' (number has no integer representation (4294967298 is outside"
                + " the integer range))", String.valueOf(r.error()));
        r = scripts.run("return pcall(string.sub, 'hello', '4294967298')\n");
        assertEquals("[false, bad argument #2 to 'string.sub' (number has no integer representation (4294967298 is"
                + " outside the integer range))]", String.valueOf(r.values()));
    }
}
