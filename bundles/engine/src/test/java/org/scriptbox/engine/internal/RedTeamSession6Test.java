package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptFunction;

/**
 * Session-6 red team of issue 11 (engine side): new attacks of its classes (/work/coord/FINDINGS.md, C-numbers).
 * Runs in every mode of the suite (interpreted, and again compiled strictly).
 */
public class RedTeamSession6Test {
    private final Scripts scripts = new Scripts();

    /**
     * C1: {@code rawset(t, 0/0, v)} stored a NaN key (a table store checks its key, rawset did not). Every later
     * {@code next}/{@code pairs} over that table raised {@code invalid key to 'next'}, and so did the conversion of a
     * result or of a host call's argument holding it: {@code return rawset({}, 0/0, 1)} ended FAILED with that
     * text and no position. Now refused as Lua refuses it, catchably.
     */
    @Test
    public void rawsetRefusesNanAndNilKeysAsLuaDoes() {
        ExecutionResult r = scripts.run(String.join("\n",
                "local t = {}",
                "local ok1, e1 = pcall(rawset, t, 0/0, 1)",
                "local ok2, e2 = pcall(rawset, t, nil, 1)",
                "rawset(t, 'k', 2)",
                "local n = 0 for _ in pairs(t) do n = n + 1 end",
                "return ok1, e1, ok2, e2, n, rawset(t, 1, 'one')"));
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(Boolean.FALSE, r.values().get(0));
        assertEquals("table index is NaN", r.values().get(1));
        assertEquals(Boolean.FALSE, r.values().get(2));
        assertEquals("table index is nil", r.values().get(3));
        assertEquals(1.0, ((Number) r.values().get(4)).doubleValue(), 0.0);
        assertEquals(Map.of("k", 2.0, 1.0, "one"), r.values().get(5));
    }

    /** The table-size limit still counts what rawset stores. */
    @Test
    public void rawsetStillCountsTowardsTheTableSizeLimit() {
        ExecutionResult r = scripts.run("local t = {} for i = 1, 2000 do rawset(t, 'k' .. i, i) end return 1");
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error() + "", r.error().message().contains("table size limit of 1000 exceeded"));
    }

    /** The same from the Java side: a host value (a map with a NaN key) becomes a table that next() can walk. */
    @Test
    public void aHostMapWithANanKeyGivesAWalkableTable() {
        Map<Object, Object> m = new HashMap<>();
        m.put(Double.NaN, "lost");
        m.put("kept", 1.0);
        scripts.withLibrary("host", Map.of("odd", (ScriptFunction) (scope, args) -> m));
        ExecutionResult r = scripts.run("local t = odd() local n = 0 for k in pairs(t) do n = n + 1 end return n, t");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(1.0, ((Number) r.values().get(0)).doubleValue(), 0.0);
        assertEquals(Map.of("kept", 1.0), r.values().get(1));
        assertFalse(String.valueOf(r.values()).contains("java"));
    }
}
