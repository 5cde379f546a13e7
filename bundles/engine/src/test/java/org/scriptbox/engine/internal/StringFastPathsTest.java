package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * The string program's fast paths (session 7) give the matcher's and Luaj's results and charge exactly what the
 * general paths charge: {@code gsub} of a literal pattern by a literal replacement, {@code ..} built in one copy,
 * {@code string.format}'s own conversions.
 */
public class StringFastPathsTest {
    private final Scripts scripts = new Scripts();

    /** {@code 'ab%%'} takes the matcher's path, {@code 'abc'} the literal one: the same text length, the same count. */
    @Test
    public void aLiteralGsubChargesWhatTheMatcherCharges() {
        String subject = "local s = string.rep('item1,itemitem;iteitem', 40) .. 'ite'\n";
        for (String call : new String[] {"s:gsub('item', %s)", "s:gsub('item', %s, 7)", "s:gsub('it', %s)", "s:gsub('e', %s, 0)",
            "s:gsub(';', %s)", "s:gsub('ite', %s)", "('aaaaaaaaaaaaaaaaaaaaaaaaa'):rep(30):gsub('aa', %s)"}) {
            ExecutionResult matcher = scripts.run(subject + "local r, n = " + String.format(call, "'ab%%'")
                    + " return (r:gsub('%%', 'c')), n");
            ExecutionResult literal = scripts.run(subject + "local r, n = " + String.format(call, "'abc'") + " return (r:gsub('%%', 'c')), n");
            assertEquals(call + " " + matcher.error(), ScriptStatus.COMPLETED, matcher.status());
            assertEquals(call, matcher.values(), literal.values());
            // (the runs above differ in their second gsub: compare the two calls alone)
            long m = scripts.run(subject + "local r, n = " + String.format(call, "'ab%%'")).instructions();
            long l = scripts.run(subject + "local r, n = " + String.format(call, "'abc'")).instructions();
            assertEquals(call, m, l);
        }
    }

    /** 400 random subjects and literal patterns: the literal path's text and count are the matcher's. */
    @Test
    public void aLiteralGsubReplacesWhatTheMatcherReplaces() {
        SplittableRandom random = new SplittableRandom(11);
        StringBuilder src = new StringBuilder("local cases = {\n");
        for (int n = 0; n < 400; n++) {
            int max = random.nextInt(4) == 0 ? random.nextInt(-1, 5) : 1000;
            src.append("{'").append(word(random, random.nextInt(0, 40))).append("', '").append(word(random, random.nextInt(1, 4)))
                    .append("', ").append(max).append("},\n");
        }
        src.append("}\nlocal out = {}\nfor _, c in ipairs(cases) do\n"
                + "  local a, an = c[1]:gsub(c[2], 'XY', c[3])\n"
                + "  local b, bn = c[1]:gsub(c[2], function() return 'XY' end, c[3])\n"
                + "  if a ~= b or an ~= bn then out[#out + 1] = c[1] .. '/' .. c[2] end\nend\n");
        ExecutionResult r = scripts.withLimits(java.time.Duration.ofSeconds(20), 50L << 20, 10_000_000, 10_000, 1_000, 50, 16)
                .run(src.append("return table.concat(out, ' ')").toString());
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals("", r.values().get(0));
    }

    private static String word(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append("ab".charAt(random.nextInt(2)));
        }
        return sb.toString();
    }

    /** The literal path holds the string-length limit as the matcher did (checked at each replacement). */
    @Test
    public void aLiteralGsubMeetsTheStringLimit() {
        ExecutionResult r = scripts.run("return (('a'):rep(5000):gsub('a', 'aaa'))");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error() + "", r.error().message().contains("string length limit"));
        r = scripts.run("return (('ab'):rep(3000):gsub('b', 'bb'))");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(9_000, ((String) r.values().get(0)).length());
    }

    /** {@code ..} of strings and whole numbers charges the copy, 24 bytes per number besides, and its length exactly. */
    @Test
    public void aConcatenationIsChargedByItsRealLength() {
        String setUp = "local a = ('x'):rep(1000) local b = a:sub(1, 10)\n";
        long shortText = scripts.run(setUp + "for i = 1, 1000 do local s = b .. b .. b end").instructions();
        long longText = scripts.run(setUp + "for i = 1, 1000 do local s = a .. a .. a end").instructions();
        // 3,000 bytes per concatenation, one instruction per 16: 187 more per iteration than 30 bytes' 1
        assertEquals(1000L * (3000 / 16 - 30 / 16), longText - shortText);
        ExecutionResult r = scripts.run("local a = ('x'):rep(5000) return #(a .. 1e100 .. a)");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error() + "", r.error().message().contains("(10006 characters)"));
        assertEquals(List.of("9992"), scripts.run("local a = ('x'):rep(4985) return tostring(#(a .. 1e100 .. a .. 1/3))").values());
    }
}
