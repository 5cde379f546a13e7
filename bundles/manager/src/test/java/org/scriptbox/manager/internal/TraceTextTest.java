package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class TraceTextTest {
    @Test
    public void writesValuesAsLuaWould() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("mode", "fast");
        m.put(1.0, true);
        m.put("not a name", null);
        assertEquals("(\"motor1\", 25, 0.5, nil, {mode = \"fast\", [1] = true, [\"not a name\"] = nil}, {1, 2})",
                TraceText.arguments(java.util.Arrays.asList("motor1", 25.0, 0.5, null, m, List.of(1.0, 2.0)), 300));
        assertEquals("nil", TraceText.result(null, 300));
        assertEquals("1, \"two\"", TraceText.result(new Object[] {1.0, "two"}, 300));
        assertEquals("nil", TraceText.result(new Object[0], 300));
        assertEquals("nan, inf, -inf", TraceText.result(new Object[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, 300));
        // as Lua's tostring writes them, not Java's 1.0E20
        assertEquals("1e+20, 1.5e-05, 1000000000000000", TraceText.result(new Object[] {1e20, 1.5e-5, 1e15}, 300));
    }

    @Test
    public void quotesAndControlCharactersCannotBreakTheLine() {
        String s = TraceText.result("a\"b\\c\n\u001b[2J\u202e", 300);
        assertFalse(s.contains("\n"));
        assertFalse(s.contains("\u001b"));
        assertFalse(s.contains("\u202e"));
        assertTrue(s, s.startsWith("\"a\\\"b\\\\c\\n"));
    }

    /** A hostile value costs what its first characters cost: the walk stops at the bound. */
    @Test
    public void hugeValuesAreCutWithoutWalkingThem() {
        Map<Object, Object> big = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            big.put((double) i, "x".repeat(10));
        }
        List<Object> deep = new ArrayList<>();
        List<Object> at = deep;
        for (int i = 0; i < 10_000; i++) {
            List<Object> next = new ArrayList<>();
            at.add(next);
            at = next;
        }
        String huge = "y".repeat(5_000_000);
        long t0 = System.nanoTime();
        String a = TraceText.arguments(List.of(big, deep, huge), 300);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(a.length() <= 303);
        assertTrue(a, a.endsWith("..."));
        assertTrue("rendering took " + ms + " ms", ms < 1000);
        assertEquals("({{{{{...}}}}})", TraceText.arguments(List.of(deep), 300));
        assertTrue(TraceText.result(huge, 300).length() <= 303);
    }
}
