package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;

/**
 * Numbers in a table's array part written and read by compiled code in numeric loops ({@code t[i] = x},
 * {@code x = t[i]} with key and number held as doubles), and every other path over the same table: {@code next}/{@code pairs},
 * {@code ipairs}, {@code rawget}, {@code #}, the {@code table.*} functions, sort, concat, unpack, metamethods, the array part
 * resized and rehashed, the table-size limit; -0 and 0, NaN, integer-valued numbers and fractions (integral or not,
 * and their text). Each program runs interpreted and {@code asm-strict} (same values, errors, positions and
 * instruction counts) and, where it prints, against lua5.4. Written for numbers kept unboxed in the array part
 * (session 11, measured slower on spectral and not kept: docs/performance-engine.md); it guards the next attempt.
 */
public class ArrayNumbersTest {
    private final Scripts interpreted = scripts("interpreted", 100_000);
    private final Scripts compiled = scripts("asm-strict", 100_000);

    private static Scripts scripts(String mode, int tableSize) {
        return new Scripts(new LuaScriptEngine(1024 * 1024, mode, 0))
                .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, 20_000_000, 100_000, tableSize, 50, 16);
    }

    private ExecutionResult same(String program) {
        ExecutionResult ref = interpreted.run(program);
        DifferentialFuzz.assertSame(program, ref, compiled.run(program));
        return ref;
    }

    /** Fills t[1..n] with numbers computed in a numeric loop (kept unboxed), read back as numbers by compiled code. */
    private static final String FILL = "local function fill(t, n, f) for i = 1, n do t[i] = 0 end"
            + " for r = 1, 2 do for i = 1, n do local x = t[i] t[i] = x * 0 + f(i) end end return t end\n";

    /** What both modes and lua5.4 print alike: numbers with kind() where it matters, joined with spaces. */
    private static final String SHOW = "local function show(v) if type(v) == 'number' then"
            + " if v ~= v then return 'nan' end if v == 0 then return (1 / v < 0) and '-0' or '0' end"
            + " if v == math.floor(v) and v > -2^53 and v < 2^53 then return string.format('%d', v) end"
            + " return string.format('%.14g', v) end return tostring(v) end\n"
            + "local function kind(v) return v == math.floor(v) and 'integral' or 'fraction' end\n";

    private static final String EDGES = "local function edge(i) local e = {0, -0.0, 0/0, 1/0, -1/0, 2^53, 0.5, -7, 3, 1e300}"
            + " return e[(i - 1) % #e + 1] * 1 end\n";

    @Test
    public void everyPathSeesTheStoredNumbers() throws Exception {
        String program = SHOW + EDGES + FILL + "local out = {} local function put(...) local p = {} for i = 1, select('#', ...) do"
                + " p[#p + 1] = show((select(i, ...))) end out[#out + 1] = table.concat(p, ',') end\n"
                + "local t = fill({}, 12, edge)\n"
                + "put(#t, rawlen(t), rawget(t, 3), t[2], t[5], select('#', table.unpack(t)))\n"
                + "for k, v in pairs(t) do put(k, v) end for i, v in ipairs(t) do put('i', i, v) end\n"
                + "local k, v = next(t) put(k, v) k, v = next(t, 11) put(k, v)\n"
                + "put(table.unpack(t, 1, 4)) put(table.concat({t[1], t[7], t[9], t[10]}, ' '))\n"
                + "local s = fill({}, 9, function(i) return (i * 7) % 9 - 4 + i / 10 end) table.sort(s) put(table.unpack(s))\n"
                + "table.sort(s, function(a, b) return a > b end) put(table.unpack(s))\n"
                + "table.insert(s, 2, 99) put(table.remove(s), table.remove(s, 1), #s, table.unpack(s))\n"
                + "local g = fill({}, 6, function(i) return i + 0.25 end) g[3] = nil put(#g == 6 or #g == 2, g[3], g[4])\n"
                + "g[20] = 1 g[7], g[8] = 7.5, 8.5 for i = 9, 40 do g[i] = i end put(g[1], g[4], g[6], g[7], #g)\n"
                + "local m = setmetatable(fill({}, 4, function(i) return i * 1.5 end), {__index = function(_, k) return 'idx' .. k end,"
                + " __newindex = function(t, k, v) rawset(t, k, v * 2) end}) m[5] = 1 m[2] = 0.25 put(m[2], m[5], m[6])\n"
                + "put(kind(t[1]), kind(t[5]), kind(t[9]), kind(t[7]), t[3] ~= t[3], 1 / t[2], 1 / t[1])\n"
                + "local w = fill({}, 5, function(i) return i * 2 end) put(kind(w[2]), tostring(w[2]), w[2] == 4, math.floor(w[2]))\n"
                + "local h = {} for i = 1, 5 do h[i] = i end for i = 1, 5 do h[i] = h[i] * 0.5 end h.x = 1 for i = 6, 9 do h[i] = i end\n"
                + "local ks = {} for k, v in pairs(h) do ks[#ks + 1] = k .. '=' .. show(v) end table.sort(ks) put(table.concat(ks, ' '))\n"
                + "return table.concat(out, '\\n')";
        ExecutionResult r = same(program);
        assertEquals(null, r.error());
        String text = (String) r.values().get(0);
        assertTrue(text, text.contains("nan"));
        String lua = lua54(program);
        if (lua != null) {
            assertEquals(lua.strip(), text.strip());
        }
    }

    @Test
    public void numbersStayUnboxedThroughCompiledReadsAndWrites() {
        // the spectral shape: vectors of fractions rewritten and read in nested numeric loops
        same("local x, y = {}, {} for i = 1, 50 do x[i] = 1 y[i] = 0 end for r = 1, 5 do for i = 1, 50 do local a = 0"
                + " for j = 1, 50 do a = a + x[j] / (i + j) end y[i] = a end for i = 1, 50 do x[i] = y[i] end end"
                + " local s = 0 for i = 1, 50 do s = s + x[i] end return s, x[1], y[50]");
        // a slot that changes type: numbers, then strings, tables, nil, back to numbers; keys that are not integers
        same("local t = {1, 2, 3, 4} local out = {} for r = 1, 6 do for i = 1, 4 do local v = t[i]"
                + " if r == 3 then t[i] = tostring(v) elseif r == 4 then t[i] = {v} elseif r == 5 then t[i] = nil else t[i] = i * 0.5 + r end"
                + " end out[#out + 1] = tostring(#t) .. ':' .. (type(t[1]) == 'table' and 'tbl' or tostring(t[1])) .. ':' .. type(t[2]) if r == 5 then t = {1, 2, 3, 4} end end"
                + " for i = 0.5, 4, 0.5 do local ok, e = pcall(function() t[i] = i * 3 return t[i] + 1 end) out[#out + 1] = tostring(e) end"
                + " return table.concat(out, ' ')");
        // errors on the generic paths: indexing a non-table, arithmetic on a string slot, a NaN key
        same("local t = {1.5, 2.5} local out = {} local ok, e = pcall(function() local u = 5 for i = 1, 2 do local x = u[i] end end)"
                + " out[1] = e ok, e = pcall(function() t[2] = 'a' for i = 1, 2 do local x = t[i] * 2 end end) out[2] = e"
                + " ok, e = pcall(function() local k = 0/0 for i = 1, 2 do t[k] = i * 0.5 end end) out[3] = e return table.concat(out, ' | ')");
    }

    @Test
    public void theTableSizeLimitCountsUnboxedNumbersAsElements() {
        String program = "local t = {} for i = 1, 30 do t[i] = i * 0.5 end for i = 1, 30 do t[i] = t[i] * 3 end"
                + " for i = 31, 100 do t[i] = i * 0.25 end return #t";
        ExecutionResult ref = scripts("interpreted", 40).run(program);
        assertTrue("the table-size limit is met: " + ref.error(), ref.error() != null);
        DifferentialFuzz.assertSame(program, ref, scripts("asm-strict", 40).run(program));
        String shrink = "local t = {} for i = 1, 32 do t[i] = i * 0.5 end for r = 1, 3 do for i = 1, 32 do t[i] = t[i] + 1 end end"
                + " for i = 1, 32 do t[i] = nil end for i = 1, 32 do t[i] = i + 0.5 end local s = 0 for k, v in pairs(t) do s = s + v end"
                + " return s, #t";
        DifferentialFuzz.assertSame(shrink, scripts("interpreted", 40).run(shrink), scripts("asm-strict", 40).run(shrink));
    }

    @Test
    public void everyInstructionLimitStopsBothModesAlike() {
        String loop = "local t = {0, 0, 0, 0} for r = 1, 3 do for i = 1, 4 do t[i] = t[i] + i * 0.5 end end return t[4]";
        long total = interpreted.run(loop).instructions();
        for (long limit = 1; limit <= total + 1; limit++) {
            ExecutionResult ref = new Scripts(new LuaScriptEngine(1024 * 1024, "interpreted", 0))
                    .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, limit, 100_000, 100_000, 50, 16).run(loop);
            ExecutionResult got = new Scripts(new LuaScriptEngine(1024 * 1024, "asm-strict", 0))
                    .withLimits(Duration.ofSeconds(30), 256L * 1024 * 1024, limit, 100_000, 100_000, 50, 16).run(loop);
            DifferentialFuzz.assertSame(loop + " (limit " + limit + ")", ref, got);
        }
    }

    /** The program's first result as lua5.4 prints it, or null without /usr/bin/lua5.4. */
    private static String lua54(String program) throws IOException, InterruptedException {
        Path lua = Path.of("/usr/bin/lua5.4");
        Assume.assumeTrue("lua5.4 installed", Files.isExecutable(lua));
        Path file = Files.createTempFile("array-numbers", ".lua");
        try {
            Files.writeString(file, "print((function() " + program + " end)())");
            Process p = new ProcessBuilder(List.of(lua.toString(), file.toString())).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue("lua5.4 ended", p.waitFor(30, TimeUnit.SECONDS));
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.delete(file);
        }
    }
}
