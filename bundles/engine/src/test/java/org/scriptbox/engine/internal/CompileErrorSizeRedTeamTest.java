package org.scriptbox.engine.internal;

import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.scriptbox.api.ScriptException;

/**
 * Issue 11 classes 8/9 red-team: a compile error message quotes the token "near" which it stopped. The
 * token is the script author's: it must not make an error (logged at deploy, kept as last error, shown in
 * script:list) as long as the source.
 */
public class CompileErrorSizeRedTeamTest {
    private static String error(String source) {
        try {
            new LuaScriptEngine().compile("c.lua", source);
            return "";
        } catch (ScriptException e) {
            return e.error().message();
        }
    }

    @Test
    public void hugeTokensAreNotQuotedWhole() {
        String[] sources = {
            "x = 'unfinished " + "a".repeat(500_000),
            "x = [[unfinished " + "a".repeat(500_000),
            "x = " + "1".repeat(500_000) + "z",
            "local " + "v".repeat(500_000) + " = = 1",
            "x = \"" + "\\u{41}".repeat(1) + "a".repeat(500_000) + "\\q\"",
        };
        StringBuilder report = new StringBuilder();
        boolean ok = true;
        for (String s : sources) {
            String m = error(s);
            report.append(m.length()).append(" characters: ").append(m, 0, Math.min(100, m.length())).append(" | ");
            ok &= m.length() < 2_000;
        }
        assertTrue(report.toString(), ok);
    }
}
