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

    /**
     * Numbers the compiler keeps unboxed in table entries ({@code EngineTable.setFieldNum/getFieldNum}) read back as
     * the values the interpreter stored: integral results as integers, -0 as 0, NaN, infinities, huge numbers, in
     * {@code pairs}/{@code next}, after rehashes, through metatables and in the globals, with the same counts.
     */
    @Test
    public void numbersKeptUnboxedInEntriesReadAsTheInterpretersValues() {
        same("local ps = {} for i = 1, 20 do ps[i] = {x = i, y = 0.5, m = 2} end"
                + " for r = 1, 300 do for i = 1, 20 do local p = ps[i] p.x = p.x * 1.5 - p.y p.y = p.y + p.m * 0.25"
                + " if r % 50 == 0 then p.x = p.x - p.x * 1 p.y = -p.y * 0 end end end"
                + " local out = {} for i = 1, 20 do local p = ps[i] out[#out + 1] = tostring(p.x) .. ',' .. tostring(p.y)"
                + " .. ',' .. tostring(1 / p.y) .. ',' .. type(p.x) end"
                + " for k, v in pairs(ps[3]) do out[#out + 1] = k .. '=' .. tostring(v) end return table.concat(out, ';')");
        // NaN, infinities, 2^53 and beyond, integral values outside the int range, a value then read as a key
        same("local t = {a = 1, b = 2, c = 3, d = 4} local s = {} for i = 1, 60 do local z = i - i"
                + " t.a = z / z t.b = t.b * 2 ^ 20 t.c = -t.c * 1e300 t.d = t.d + 0.5"
                + " s[#s + 1] = tostring(t.a ~= t.a) .. tostring(t.b) .. tostring(t.c) .. tostring(t.d)"
                + " .. tostring(rawequal(t.d, t.d + 0)) .. tostring(t.b == 2 ^ 20 * (t.b / 2 ^ 20)) end"
                + " local k = {} k[t.d] = 'x' local n = 0 for key, v in next, t do n = n + 1 end"
                + " return table.concat(s, ' '), k[t.d], n, t.a == t.a, t.b > 0, math.floor(t.d)");
        // entries that move: keys added after numbers were stored (rehash), removed and set again, new keys
        same("local t = {x = 0.5} local sum = 0 for i = 1, 400 do t.x = t.x + 0.25 t['k' .. i] = t.x"
                + " if i % 37 == 0 then t.x = nil t.x = i + 0.5 end sum = sum + t.x end"
                + " local n, s2 = 0, 0 for k, v in pairs(t) do n = n + 1 s2 = s2 + v end return sum, n, s2, t.k200");
        // __index/__newindex answer where the entry is absent; numbers stored into a proxy's backing table
        same("local log = 0 local back = {v = 1.5} local proxy = setmetatable({}, {__index = back,"
                + " __newindex = function(t, k, v) log = log + 1 back[k] = v end})"
                + " for i = 1, 200 do proxy.v = proxy.v * 1.01 back.v = back.v + 0.5 end return log, back.v, proxy.v, rawget(proxy, 'v')");
        // the globals, and a field that holds a number, then a string, then a table
        same("gx = 0.5 for i = 1, 300 do gx = gx * 1.25 - 0.125 if gx > 1e6 then gx = gx / 1e6 end end"
                + " local t = {f = 1.5} for i = 1, 90 do t.f = t.f + 1 if i == 30 then t.f = '7' end if i == 60 then"
                + " t.f = 2.5 end end return gx, t.f, math.type and math.type(t.f) or type(t.f)");
        // arithmetic on a field that is not a number: the interpreter's errors and metamethods
        same("local mt = {__add = function(a, b) return 10 end} local t = {f = setmetatable({}, mt)} local s = 0"
                + " for i = 1, 50 do s = s + (t.f + 1) end t.f = 'x' return pcall(function() return t.f + 1 end), s");
    }

    /** A number stored into a field by compiled code allocates no box (nbody's {@code bj.vx = bj.vx + dx * bm}). */
    @Test
    public void numbersStoredIntoFieldsAllocateNoBoxes() {
        String program = "local p = {x = 0.5, y = 1} local i = 0 while i < 200000 do i = i + 1 p.x = p.x + 0.25"
                + " p.y = p.y * 1.0000001 end return p.x, p.y > 1";
        same(program);
        ExecutionResult r = compiled.run(program);
        // a LuaDouble per store would be 2 x 200,000 x 16 bytes (6.4 MB; 9.6 MB before, with the boxes read)
        org.junit.Assert.assertTrue("allocated " + r.allocatedBytes(), r.allocatedBytes() < 1_000_000);
    }
}
