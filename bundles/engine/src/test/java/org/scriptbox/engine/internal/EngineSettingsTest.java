package org.scriptbox.engine.internal;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ScriptException;

/** The engine's configuration as ConfigAdmin hands it over: an update applies at once, a bad value keeps the old. */
public class EngineSettingsTest {
    private static final String TWO_KB_SOURCE = "return '" + "x".repeat(2040) + "'";

    private static void refused(LuaScriptEngine engine, String source) {
        try {
            engine.compile("big.lua", source);
            fail("compiled a source over the limit");
        } catch (ScriptException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("more than the limit of 1024"));
        }
    }

    @Test
    public void aNewSourceLimitAppliesToTheNextCompile() {
        LuaScriptEngine engine = new LuaScriptEngine(Map.of());
        assertNotNull(engine.compile("big.lua", TWO_KB_SOURCE));
        engine.modified(Map.of("max.source.bytes", "1024"));
        refused(engine, TWO_KB_SOURCE);
    }

    @Test
    public void aBadSourceLimitKeepsTheCurrentOne() {
        LuaScriptEngine engine = new LuaScriptEngine(Map.of("max.source.bytes", "1024"));
        for (String bad : new String[] {"0", "-1", "abc", "99999999999"}) {
            engine.modified(Map.of("max.source.bytes", bad));
            refused(engine, TWO_KB_SOURCE);
        }
    }
}
