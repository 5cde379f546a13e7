package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/**
 * Session-5 red team of issue 11 (engine side): attacks that are neither the nor the earlier red teams'
 * (/work/coord/FINDINGS.md). Runs in every mode of the suite (interpreted, and again compiled strictly).
 */
public class RedTeamSession5Test {
    private final Scripts scripts = new Scripts();

    /** 98 tables, each the {@code __index} (or {@code __newindex}) of the next: what one lookup walks. */
    private static final String CHAIN = "local t = {}\n"
            + "for i = 1, 98 do t = setmetatable({}, {__index = t, __newindex = t}) end\n";

    /**
     * R1: Luaj walks up to 100 metatables inside one GETTABLE/SETTABLE, each a rawget plus a metatable lookup, and
     * the budget saw one instruction: 1M instructions of {@code t.missing} through 98 tables cost 27-65x the CPU of
     * the plain loop (the stated bound is 10x). Every hop past the first few is charged; counted, not timed.
     */
    @Test
    public void everyHopOfAMetatableChainIsCharged() {
        ExecutionResult get = scripts.run(CHAIN + "for i = 1, 1000 do local v = t.missing end return 1");
        assertEquals(get.error() + "", ScriptStatus.COMPLETED, get.status());
        assertTrue("1,000 lookups through 98 tables charged " + get.instructions(), get.instructions() >= 1000 * 90);

        ExecutionResult set = scripts.run(CHAIN + "for i = 1, 1000 do t.x = nil end return 1");
        assertEquals(set.error() + "", ScriptStatus.COMPLETED, set.status());
        assertTrue("1,000 stores through 98 tables charged " + set.instructions(), set.instructions() >= 1000 * 90);

        ExecutionResult self = scripts.run(CHAIN + "local n = 0 for i = 1, 1000 do n = n + (t.x == nil and 1 or 0) end return n");
        assertEquals(1000.0, ((Number) self.values().get(0)).doubleValue(), 0.0);
        assertTrue(self.instructions() + "", self.instructions() >= 1000 * 90);
    }

    /** The charge changes no answer: values found down the chain, functions at its end, stores where Lua puts them. */
    @Test
    public void metatableChainsAnswerAsBefore() {
        ExecutionResult r = scripts.run(String.join("\n",
                "local base = {x = 1}",
                "local t = base",
                "for i = 1, 10 do t = setmetatable({}, {__index = t}) end",
                "local f = setmetatable({}, {__index = function(_, k) return k .. '!' end})",
                "local mid = setmetatable({}, {__index = f})",
                "local s = setmetatable({}, {__index = 'abc'})",   // a string's own metatable ends the walk
                "local store = {}",
                "local w = setmetatable({}, {__newindex = setmetatable({}, {__newindex = store})})",
                "w.k = 5",
                "local ok, e = pcall(function() local l = {} setmetatable(l, {__index = l}) return l.nope end)",
                "return t.x, t.y, mid.q, s.len == string.len, store.k, rawget(w, 'k'), ok, e"));
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(1.0, ((Number) r.values().get(0)).doubleValue(), 0.0);
        assertEquals(null, r.values().get(1));
        assertEquals("q!", r.values().get(2));
        assertEquals(Boolean.TRUE, r.values().get(3));
        assertEquals(5.0, ((Number) r.values().get(4)).doubleValue(), 0.0);
        assertEquals(null, r.values().get(5));
        assertEquals(Boolean.FALSE, r.values().get(6));
        assertTrue(r.values() + "", String.valueOf(r.values().get(7)).contains("loop in gettable"));
        assertFalse(r.values() + "", String.valueOf(r.values()).contains("java"));
    }

    /**
     * R11: {@code next} finds the next entry by scanning slots; in a table whose keys were deleted but one, every
     * {@code next(t)} scans its whole capacity for one charged call: 1M instructions of it took 810-966 ms of CPU
     * against 7-10 ms for the plain loop (~100x). The slots scanned are charged; counted, not timed.
     */
    @Test
    public void nextIsChargedForTheSlotsItScans() {
        String sparse = "local t = {}\n"
                + "for i = 1, 1000 do t['k' .. i] = i end\n"
                + "local keep\nfor k in pairs(t) do keep = k end\n"
                + "for k in pairs(t) do if k ~= keep then t[k] = nil end end\n";
        ExecutionResult hash = scripts.run(sparse + "local before = 0\n"
                + "for i = 1, 1000 do local k = next(t) end return 1");
        assertEquals(hash.error() + "", ScriptStatus.COMPLETED, hash.status());
        ExecutionResult base = scripts.run(sparse + "return 1");
        assertTrue("1,000 scans of ~1,000 empty slots charged " + (hash.instructions() - base.instructions()),
                hash.instructions() - base.instructions() >= 1000 * 100);

        ExecutionResult array = scripts.run("local t = {}\nfor i = 1, 1000 do t[i] = i end\n"
                + "for i = 1, 999 do t[i] = nil end\nfor i = 1, 1000 do local k = next(t) end return next(t)");
        assertEquals(1000.0, ((Number) array.values().get(0)).doubleValue(), 0.0);
        assertTrue(array.instructions() + "", array.instructions() >= 1000 * 100);
    }

    /** pairs over a dense table stays as cheap as before: a step that finds its entry in the next slots is free. */
    @Test
    public void pairsOverADenseTableIsNotChargedExtra() {
        ExecutionResult r = scripts.run("local t = {}\nfor i = 1, 900 do t['k' .. i] = i end\n"
                + "local n = 0\nfor r = 1, 10 do for k, v in pairs(t) do n = n + v end end return n");
        assertEquals(r.error() + "", ScriptStatus.COMPLETED, r.status());
        assertEquals(10 * 900 * 901 / 2.0, ((Number) r.values().get(0)).doubleValue(), 0.0);
        assertTrue(r.instructions() + "", r.instructions() < 120_000);
    }
}
