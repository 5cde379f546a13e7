package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Malformed and edge patterns give lua5.4's answers (5.4.4, recorded on this machine): Lua's messages for the
 * malformed ones (red-team F1: some raised a Java ArrayIndexOutOfBoundsException), the same match otherwise.
 */
public class PatternDifferentialTest {
    private final Scripts scripts = new Scripts();

    @Test
    public void patternsAnswerAsLua54() {
        String[][] cases = {
            {"[a", "malformed pattern (missing ']')"}, {"[%", "malformed pattern (missing ']')"},
            {"[]", "malformed pattern (missing ']')"}, {"[^]", "malformed pattern (missing ']')"},
            {"[a-%]", "malformed pattern (missing ']')"}, {"%f", "missing '[' after '%f' in pattern"},
            {"x%f", "missing '[' after '%f' in pattern"}, {"%fa", "missing '[' after '%f' in pattern"},
            {"%", "malformed pattern (ends with '%')"}, {"a%", "malformed pattern (ends with '%')"},
            {"%b", "malformed pattern (missing arguments to '%b')"}, {"%bx", "malformed pattern (missing arguments to '%b')"},
            {"%b()", "4"}, {"[]]", "2"}, {"[^]]", "1"}, {"[%]]", "2"}, {"[a%]", "malformed pattern (missing ']')"},
            {"%[", "7"}, {"[%a-]", "1"}, {"[[]", "7"}, {"[a-]", "1"}, {"%f[", "malformed pattern (missing ']')"},
            {"%f[a", "malformed pattern (missing ']')"}, // (%f itself: RedTeamSession6Test)
        };
        for (String[] c : cases) {
            ExecutionResult r = scripts.run("local ok, e = pcall(string.find, 'a]b(c)[x', [==[" + c[0] + "]==])\n"
                    + "return ok and tostring(e) or e");
            assertEquals(c[0] + ": " + r.error(), ScriptStatus.COMPLETED, r.status());
            String got = String.valueOf(r.values().get(0));
            assertEquals(c[0], c[1], got.replaceFirst("^.*?: (?=malformed|missing)", ""));
        }
    }

    @Test
    public void gsubAndGmatchCheckTheirPatternsToo() {
        ExecutionResult r = scripts.run("local a = select(2, pcall(string.gsub, 'abc', '[b', 'x'))\n"
                + "local b = select(2, pcall(function() for m in ('abc'):gmatch('%f') do end end))\n"
                + "local c = select(2, pcall(string.match, 'abc', 'b%'))\nreturn a, b, c");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        List<Object> v = r.values();
        assertEquals(true, String.valueOf(v.get(0)).endsWith("malformed pattern (missing ']')"));
        assertEquals(true, String.valueOf(v.get(1)).endsWith("missing '[' after '%f' in pattern"));
        assertEquals(true, String.valueOf(v.get(2)).endsWith("malformed pattern (ends with '%')"));
    }
}
