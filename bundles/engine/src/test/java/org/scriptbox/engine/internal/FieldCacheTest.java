package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * The compiler's field caches ({@code EngineTable.getField/setField}: a remembered entry per instruction with a
 * constant string key) give the interpreter's values, errors and exact instruction counts, also where the
 * interpreter's lookup is charged (long chains, long colliding keys), where metatables answer, where the entry moves
 * (rehash, removal, keys set in another order) and where one site sees many tables.
 */
public class FieldCacheTest {
    private final Scripts interpreted = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0)));
    private final Scripts compiled = limits(new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0)));

    private static Scripts limits(Scripts s) {
        return s.withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 50_000_000, 200_000, 100_000, 50, 16);
    }

    private void same(String program) {
        ExecutionResult reference = interpreted.run(program);
        ExecutionResult r = compiled.run(program);
        DifferentialFuzz.assertSame(program, reference, r);
    }

    @Test
    public void objectsBuiltAlikeShareTheirEntries() {
        same("local ps = {} for i = 1, 50 do ps[i] = {x = i, y = -i, vx = 0.5, vy = 0.25} end"
                + " for step = 1, 200 do for i = 1, 50 do local p = ps[i] p.x = p.x + p.vx p.y = p.y + p.vy end end"
                + " local s = 0 for i = 1, 50 do s = s + ps[i].x + ps[i].y end return s");
        // the same keys set in other orders, other keys in between, fields removed and set again
        same("local ps = {} for i = 1, 40 do local p = {} if i % 2 == 0 then p.a = i p.b = 1 else p.b = 2 p.c = 0 p.a = i end"
                + " ps[i] = p end local s = 0 for r = 1, 100 do for i = 1, 40 do local p = ps[i]"
                + " s = s + p.a + p.b if r % 7 == 0 then p.b = nil end if p.b == nil then p.b = r end end end return s");
    }

    @Test
    public void metatablesAndMissingFieldsAnswerAsInTheInterpreter() {
        same("local Base = {hello = function(self) return self.name end, n = 0} Base.__index = Base"
                + " local Mid = setmetatable({}, Base) Mid.__index = Mid local o = setmetatable({name = 'o'}, Mid)"
                + " local s = 0 for i = 1, 300 do s = s + #o:hello() + Base.n if i == 150 then Mid.hello = function() return 'xy' end end"
                + " o.missing = nil Base.n = Base.n + 1 end return s, o.missing, rawget(o, 'hello')");
        same("local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k rawset(t, k, v) end,"
                + " __index = function(t, k) return 'dflt' end}) for i = 1, 100 do t.a = i t.b = t.a t.a = nil end"
                + " return #log, t.a, t.b, t.c");
        same("local t = {} for i = 1, 100 do t.k = i t.k = nil end return t.k");
        same("local s = 'abc' local n = 0 for i = 1, 100 do n = n + #s:upper() + (s.len and 1 or 0) end return n");
    }

    @Test
    public void chargedLookupsAreChargedAlike() {
        // Long strings with one sampled hash (Luaj hashes 32 of their bytes): one long chain of colliding keys.
        same("local base = string.rep('a', 600) local t = {} for i = 1, 40 do t[base .. string.format('%04d', i) .. base] = i end"
                + " t.near = 1 local s = 0 for r = 1, 200 do s = s + t.near t.near = r end return s");
        same("local t = {} local base = string.rep('b', 64) local key = base .. '1' .. base t[key] = 1"
                + " for i = 2, 12 do t[base .. i .. base] = i end local s = 0 for r = 1, 300 do"
                + " s = s + (t[key] or 0) t.plain = r s = s + t.plain end return s");
        // 64-byte keys differing only in a byte Luaj's hash does not sample (it reads every third byte from the end):
        // one hash, one length, so every lookup of a late one walks the chain comparing bytes: charged. The constant
        // key of the loop is one of them, inserted last.
        String k = "a".repeat(62) + "Z" + "a";
        same("local base = string.rep('a', 62) local t = {} for i = 1, 12 do t[base .. string.char(64 + i) .. 'a'] = i end"
                + " t['" + k + "'] = 0 local s = 0 for r = 1, 300 do s = s + t['" + k + "'] t['" + k + "'] = r end return s");
        same("local base = string.rep('a', 62) local t = {} t['" + k + "'] = 0 for i = 1, 12 do t[base .. string.char(64 + i) .. 'a'] = i end"
                + " local s = 0 for r = 1, 300 do s = s + t['" + k + "'] + (t.other or 0) t.other = r end return s");
        // a table that keeps growing while a site reads it (rehashes move the entries)
        same("local t = {first = 1} local s = 0 for i = 1, 5000 do t['k' .. i] = i s = s + t.first + (t.k1 or 0) end return s");
        // the globals are a table too
        same("counter = 0 for i = 1, 2000 do counter = counter + 1 _G['g' .. (i % 50)] = i end return counter, g7");
    }

    /** Keys held unboxed by the compiler ({@code t[i]} in numeric loops) index as their numbers do, boxed or not. */
    @Test
    public void unboxedNumericKeysIndexAsTheirNumbers() {
        same("local t = {} for i = 1, 300 do t[i] = i * 2 end local s = 0 for i = 1, 300 do s = s + t[i] end"
                + " for i = 0.5, 10, 0.5 do t[i] = i end for i = -3, 3 do t[i * 1.0] = (t[i] or 0) + 1 end"
                + " local n = 0 for k, v in pairs(t) do n = n + 1 end return s, n, t[1.5], t[0], t[-0.0], t[2^40], #t");
        same("local log = 0 local t = setmetatable({}, {__index = function(t, k) log = log + k return k end,"
                + " __newindex = function(t, k, v) log = log + 1 rawset(t, k, v) end})"
                + " for i = 1, 200 do local v = t[i] t[i + 0.25] = v t[i] = v end return log, t[3], t[3.25], t[1e300]");
        same("local t = {} for i = 1, 3 do local z = i - i t[z / z] = 1 end");
        same("local t = {} local s = 0 for i = 2^31 - 3, 2^31 + 3 do t[i] = i s = s + t[i] end for i = -2^31 - 2, -2^31 + 2 do t[i] = 1 end"
                + " local n = 0 for k in pairs(t) do n = n + 1 end return s, n");
    }
}
