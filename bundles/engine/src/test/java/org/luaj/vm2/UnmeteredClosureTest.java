package org.luaj.vm2;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;
import org.luaj.vm2.compiler.LuaC;

/** The patched interpreter refuses to run Lua code whose globals carry no budget, instead of running it unlimited. */
public class UnmeteredClosureTest {
    @Test
    public void luaCodeWithoutABudgetFailsClosed() {
        Globals globals = new Globals();
        LoadState.install(globals);
        LuaC.install(globals);
        LuaValue chunk = globals.load("while true do end", "unmetered");
        try {
            chunk.call();
            fail("ran without a budget");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("without an execution budget"));
        }
    }
}
