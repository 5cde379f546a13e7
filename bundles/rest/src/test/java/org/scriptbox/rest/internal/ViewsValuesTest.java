package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ViewsValuesTest {
    @Test
    public void smallValuesAreWholeAndWholeNumbersReadAsIntegers() {
        boolean[] cut = new boolean[1];
        List<Object> v = Views.values(List.of(42.0, 1.5, "x", List.of(true), Map.of("k", 2.0)), cut);
        assertEquals("[42,1.5,\"x\",[true],{\"k\":2}]", Json.write(v));
        assertFalse(cut[0]);
    }

    /** C9 (session 7): number keys and the values JSON has no number for read as Lua writes them. */
    @Test
    public void numberKeysAndNonFiniteNumbersReadAsLuaWritesThem() {
        Map<Object, Object> table = new java.util.LinkedHashMap<>();
        table.put(2.0, "a");
        table.put(1.5, "b");
        table.put(1e100, "c");
        table.put("k", Double.NaN);
        table.put("i", Double.POSITIVE_INFINITY);
        table.put("j", Double.NEGATIVE_INFINITY);
        assertEquals("[{\"2\":\"a\",\"1.5\":\"b\",\"1e+100\":\"c\",\"k\":\"nan\",\"i\":\"inf\",\"j\":\"-inf\"}]",
                Json.write(Views.values(List.of(table), new boolean[1])));
    }

    /** Red team C7: 1,000 strings of 10,000 characters (10 MB of JSON) are cut to about a megabyte, and said so. */
    @Test
    public void aHugeResultIsCutToTheBudgetAndSaysSo() {
        List<Object> table = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            table.add("x".repeat(10_000));
        }
        boolean[] cut = new boolean[1];
        String json = Json.write(Views.values(List.of(table, "after"), cut));
        assertTrue(cut[0]);
        assertTrue(json.length() + " characters", json.length() <= Views.VALUES_CHARS + 10_000);
        assertTrue(json.length() + " characters", json.length() > Views.VALUES_CHARS / 2);
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            keys.add(Map.of("key" + i, (double) i));
        }
        cut[0] = false;
        assertTrue(Json.write(Views.values(keys, cut)).length() <= Views.VALUES_CHARS + 10_000);
        assertTrue(cut[0]);
    }
}
