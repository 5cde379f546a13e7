package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class LuaTextTest {
    @Test
    public void numbersAsLuaPrintsThem() {
        assertEquals("25", LuaText.of(25.0));
        assertEquals("-3", LuaText.of(-3.0));
        assertEquals("0.1", LuaText.of(0.1));
        assertEquals("3.1415926535898", LuaText.of(Math.PI));
        assertEquals("1e+100", LuaText.of(1e100));
        assertEquals("1.5e-07", LuaText.of(1.5e-7));
        assertEquals("0.0001", LuaText.of(1e-4));
        assertEquals("1e+15", LuaText.of(1e15 + 0.5));
        assertEquals("nan", LuaText.of(Double.NaN));
        assertEquals("-inf", LuaText.of(Double.NEGATIVE_INFINITY));
        assertEquals("7", LuaText.of(7L));
    }

    @Test
    public void nilAndBooleansAndStrings() {
        assertEquals("nil", LuaText.of(null));
        assertEquals("true", LuaText.of(true));
        assertEquals("007", LuaText.of("007"));
    }

    @Test
    public void tablesWithAStableKeyOrder() {
        Map<Object, Object> t = new HashMap<>();
        t.put("zeta", 1.0);
        t.put("alpha", "x\"y");
        t.put(1.0, "first");
        t.put(2.0, "second");
        t.put(5.0, true);
        t.put("with space", null);
        t.put("end", 2.5);
        assertEquals("{\"first\", \"second\", [5] = true, alpha = \"x\\\"y\", [\"end\"] = 2.5, [\"with space\"] = nil, zeta = 1}",
                LuaText.of(t));
        Map<Object, Object> same = new LinkedHashMap<>();
        List<Object> keys = Arrays.asList(t.keySet().toArray());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> same.put(k, t.get(k)));
        assertEquals(LuaText.of(t), LuaText.of(same));
        assertEquals("{1, 2, {k = \"v\"}}", LuaText.of(List.of(1.0, 2.0, Map.of("k", "v"))));
        assertEquals("{}", LuaText.of(Map.of()));
    }

    @Test
    public void controlsAreEscapedAndLongTextIsCut() {
        assertEquals("{\"a\\nb\\u001b\"}", LuaText.of(List.of("a\nb\u001b")));
        String cut = LuaText.of("x".repeat(20_000));
        assertTrue(cut, cut.endsWith("[12000 more characters]"));
    }

    /** Red team C8: table keys are ordered without being written out (a table key's text is the whole table). */
    @Test
    public void tableKeysAreNeverRenderedToBeSorted() {
        java.util.concurrent.atomic.AtomicInteger rendered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Map<Object, Object> result = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            java.util.Map<Object, Object> key = new java.util.HashMap<>(java.util.Map.of(1.0, "x".repeat(10_000) + i)) {
                @Override
                public String toString() {
                    rendered.incrementAndGet();
                    return super.toString();
                }
            };
            result.put(key, (double) i);
        }
        result.put(true, 1.0);
        result.put(false, 2.0);
        result.put("b", 3.0);
        result.put(2.0, 4.0);
        String text = LuaText.of(result);
        assertEquals(0, rendered.get());
        org.junit.Assert.assertTrue(text, text.startsWith("{[2] = 4, b = 3, [false] = 2, [true] = 1, [{\"xxxx"));
        org.junit.Assert.assertTrue(text, text.endsWith(" more characters]"));
    }
}
