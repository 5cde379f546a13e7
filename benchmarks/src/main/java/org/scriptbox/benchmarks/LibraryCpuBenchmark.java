package org.scriptbox.benchmarks;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Library CPU (issue 11, class 2): the CPU of 1,000,000 budget instructions spent in loops of library
 * calls, each loop the worst case of one function we know of, against the CPU of 1,000,000 plain VM
 * instructions. Every program runs until the instruction limit ends it; the ratio of CPU per counted
 * instruction to the plain loop's is the multiple stated in docs/engine.md and docs/performance.md.
 * Thread CPU (the execution's threads), wall time and whole-process CPU are all reported.
 *
 * <p>Every row is warmed, then measured in rounds that run each row once, in a shuffled order: a row's figure is the
 * median of its runs over all rounds ({@code --runs N} rounds, 9 by default, fewer if they pass {@code --seconds S},
 * 100 by default; at least 3), so that the worst row is a row's cost, not one stretch of JIT state.
 *
 * <pre>java -cp benchmarks/target/scriptbox-benchmarks.jar org.scriptbox.benchmarks.LibraryCpuBenchmark [--runs N] [--seconds S]</pre>
 */
public final class LibraryCpuBenchmark {
    private static final long INSTRUCTIONS = 1_000_000;

    /** name -> program; each is a setup and an endless loop. The first is the reference. */
    static Map<String, String> programs() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("plain VM loop", "local x = 0\nwhile true do x = x + 1 end");
        p.put("plain VM calls", "local function f(a) return a end\nwhile true do f(1) end");
        String t1000 = "local t = {}\nfor i = 1, 1000 do t[i] = (i * 7919) % 1000 end\n";
        String s = "local s = string.rep('a', 9999)\n";
        p.put("find plain, n*m", s + "local q = string.rep('a', 999) .. 'b'\nwhile true do s:find(q, 1, true) end");
        p.put("find no specials", s + "local q = string.rep('a', 99) .. 'b'\nwhile true do s:find(q) end");
        p.put("match backtracking", s + "while true do s:match('a*a*b') end");
        p.put("match literal run", s + "local q = string.rep('a', 999) .. '$'\nwhile true do s:match(q) end");
        p.put("find big class", "local s = string.rep('b', 9999)\nlocal q = '[' .. string.rep('a', 5000) .. ']'\n"
                + "while true do s:find(q) end");
        p.put("find %b", "local s = string.rep('(', 9999)\nwhile true do s:find('%b()') end");
        p.put("gsub callback", s + "local f = function(c) return c end\nwhile true do s:gsub('a', f) end");
        p.put("gsub captures", "local s = string.rep('ab', 2000)\nwhile true do s:gsub('(a)(b)', '%2%1') end");
        p.put("gmatch", s + "while true do for w in s:gmatch('a') do end end");
        p.put("sort", t1000 + "while true do table.sort(t) end");
        p.put("sort comparator", t1000 + "local c = function(a, b) return a > b end\nwhile true do table.sort(t, c) end");
        p.put("sort __lt", "local mt = {__lt = function(a, b) return a.v < b.v end}\nlocal t = {}\n"
                + "for i = 1, 1000 do t[i] = setmetatable({v = (i * 7919) % 1000}, mt) end\nwhile true do table.sort(t) end");
        p.put("rep", "while true do string.rep('x', 10000) end");
        p.put("rep sep", "while true do string.rep('x', 3333, 'ab') end");
        p.put("format", "while true do string.format('%d %s %5.2f %q', 42, 'abc', 1.5, 'q') end");
        p.put("format long", s + "while true do string.format('%s%s', s, 'x') end");
        p.put("concat", "local t = {}\nfor i = 1, 1000 do t[i] = 'abcdefghi' end\nwhile true do table.concat(t, ',') end");
        p.put("os.date %c", "local f = string.rep('%c', 300)\nwhile true do os.date(f) end");
        p.put("os.date", "while true do os.date('%Y-%m-%d %H:%M:%S') end");
        p.put("os.time", "while true do os.time({year = 2026, month = 12, day = 1}) end");
        p.put("tostring", "local t = {}\nwhile true do tostring(t) tostring(1.5) end");
        p.put("tonumber", "while true do tonumber('12345.678e3') end");
        p.put("byte", s + "while true do s:byte(1, -1) end");
        p.put("char", "local b = {}\nfor i = 1, 200 do b[i] = 65 + i % 26 end\n"
                + "while true do string.char(table.unpack(b)) end");
        p.put("upper/lower/reverse", s + "while true do s:upper() s:lower() s:reverse() end");
        p.put("sub", s + "while true do s:sub(2, -2) end");
        p.put("len", s + "while true do s:len() end");
        p.put("insert/remove front", t1000 + "table.remove(t)\nwhile true do table.insert(t, 1, 5) table.remove(t, 1) end");
        p.put("unpack", t1000 + "while true do select('#', table.unpack(t)) end");
        p.put("pack", t1000 + "while true do table.pack(1, 2, 3, 4, 5, 6, 7, 8) end");
        p.put("select", "local function f(...) return select('#', ...) end\nwhile true do f(1, 2, 3) select(2, 1, 2, 3) end");
        p.put("math", "while true do math.floor(1.5) math.max(1, 2, 3) math.sqrt(2) math.random() end");
        p.put("pcall", "local f = function() end\nwhile true do pcall(f) end");
        p.put("pcall error", "local f = function() error('x') end\nwhile true do pcall(f) end");
        p.put("setmetatable/rawget", "local mt = {}\nwhile true do local t = setmetatable({}, mt) rawget(t, 1) rawset(t, 1, 2) end");
        p.put("pairs/next", t1000 + "while true do for k, v in pairs(t) do end end");
        p.put("ipairs", t1000 + "while true do for k, v in ipairs(t) do end end");
        p.put("load", "local src = 'local a = 1 return a + ' .. string.rep('1 + ', 300) .. '1'\nwhile true do load(src) end");
        p.put("coroutine resume/yield", "local co = coroutine.wrap(function() while true do coroutine.yield() end end)\n"
                + "while true do co() end");
        p.put("coroutine create", "while true do local co = coroutine.create(function() end) coroutine.resume(co) end");
        // Comparisons of long strings (VM operators, rawequal, sort) and lookups that compare long keys.
        String two = "local a = string.rep('a', 9999) .. 'b'\nlocal b = string.rep('a', 9999) .. 'c'\n"
                + "local e = string.rep('a', 9999) .. 'b'\n";
        p.put("compare long <", two + "while true do local _ = a < b end");
        p.put("compare long ==", two + "while true do local _ = a == e end");
        p.put("rawequal long", two + "while true do rawequal(a, e) end");
        p.put("sort long strings", "local t = {}\nfor i = 1, 100 do t[i] = string.rep('a', 9990) .. "
                + "string.format('%05d', (i * 7919) % 100) end\nwhile true do table.sort(t) end");
        p.put("print long", s + "while true do print(s) end");
        p.put("colliding long keys", "local pre = string.rep('a', 9997)\nlocal t = {}\n"
                + "for i = 1, 8 do t[pre .. string.char(65 + i) .. 'a'] = i end\nlocal k = pre .. 'za'\n"
                + "while true do local _ = t[k] end");
        // One lookup or store walking 98 metatables (red-team R1: charged per hop past the first three).
        String chain = "local t = {}\nfor i = 1, 98 do t = setmetatable({}, {__index = t, __newindex = t}) end\n";
        p.put("__index chain of 98", chain + "while true do local _ = t.missing end");
        p.put("__newindex chain of 98", chain + "while true do t.x = nil end");
        // next(t) in a table whose keys were deleted but one: a scan of its capacity (red-team R11)
        p.put("next in a sparse table", "local t = {}\nfor i = 1, 1000 do t['k' .. i] = i end\nlocal keep\n"
                + "for k in pairs(t) do keep = k end\nfor k in pairs(t) do if k ~= keep then t[k] = nil end end\n"
                + "while true do local _ = next(t) end");
        // Session 6 red team (C-numbers in docs/performance.md): a %f pattern on a long subject (C3: it was copied
        // per call), many values through a Lua call and select, numbers converted by concat and tostring, an
        // error naming a value with a long __name, a traceback of a deep stack, os.time normalising huge fields.
        p.put("find %f", "local s = string.rep('ab', 4000)\nwhile true do s:find('%f[a]') s:match('%f[b]') end");
        String t250 = "local t = {}\nfor i = 1, 250 do t[i] = i end\n";
        p.put("250 values through a call", t250 + "local function f(...) return select('#', ...) end\n"
                + "while true do f(table.unpack(t)) end");
        p.put("concat of floats", "local t = {}\nfor i = 1, 999 do t[i] = i * 1.0000001e-300 end\n"
                + "while true do table.concat(t, ',', 1, 400) end");
        p.put(".. of a float", "local x = 1.2345678901234567e-300\nwhile true do local s = x .. '' end");
        p.put(".. of floats, 3 operands", "local x, y = 1.2345678901234567e-300, 9.87654321e+299\n"
                + "while true do local s = x .. y .. x end");
        p.put("tostring float", "local x = 1.2345678901234567e-300\nwhile true do tostring(x) end");
        p.put("error naming a long __name", "local t = setmetatable({}, {__name = string.rep('x', 9000)})\n"
                + "local f = function() return t + 1 end\nwhile true do pcall(f) end");
        p.put("traceback of 45 levels", "local function r(n) if n == 0 then return debug.traceback('m') end "
                + "return (r(n - 1)) end\nwhile true do r(45) end");
        p.put("load of an or chain", "local src = 'local a return ' .. string.rep('a or ', 1990) .. 'a'\n"
                + "while true do load(src) end");
        p.put("os.time huge fields", "while true do os.time({year = 2000, month = 1e6, day = 1e6}) end");
        // Session 9 (red team E13): many values passed on as ... (charged 1 per 4 values where ... is expanded), and
        // ... passed on through tail calls that each put a value in front (Luaj chained them: reads walked the chain).
        String t900 = "local t = {}\nfor i = 1, 900 do t[i] = i end\n";
        p.put("900 values through {...}", t900 + "local function f(...) while true do local x = {...} end end\nf(table.unpack(t))");
        p.put("900 values through type(...)", t900 + "local function f(...) while true do type(...) end end\nf(table.unpack(t))");
        p.put("900 values through math.max", t900 + "local function f(...) while true do math.max(...) end end\n"
                + "f(table.unpack(t))");
        p.put("... through 1,000 tail calls", "local function r(n, ...) if n == 0 then return select('#', ...) end "
                + "return r(n - 1, n, ...) end\nwhile true do r(1000) end");
        // Everything at once, in one loop: every call site of the door sees many functions (as in a
        // container where all scripts share the engine's classes).
        p.put("mix of all", s + t1000 + "local mt = {__tostring = function() return 'x' end}\n"
                + "local o = setmetatable({}, mt)\nlocal c = function(a, b) return a > b end\nwhile true do\n"
                + "  s:find('aab', 1, true) s:match('a*b') s:gsub('a', 'b', 10) table.sort(t, c) string.rep('x', 100)\n"
                + "  string.format('%d %s %s', 1, 'a', o) table.concat(t, ',', 1, 50) os.date('%c') os.time()\n"
                + "  tostring(o) tonumber('12') s:byte(1, 10) string.char(65, 66) s:upper() s:sub(2, 5) s:len()\n"
                + "  table.insert(t, 1, 5) table.remove(t, 1) select('#', table.unpack(t, 1, 20)) math.floor(1.5)\n"
                + "  pcall(error, 'x') for k in pairs({1, 2}) do end for i in ipairs({1, 2}) do end\nend");
        return p;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 9;
        int seconds = 100;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--runs") || args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--seconds")) {
                seconds = Integer.parseInt(args[i + 1]);
            }
        }
        Path lib = EngineBenchmark.libFolder();
        URL harness = LibraryCpuBenchmark.class.getProtectionDomain().getCodeSource().getLocation();
        URL[] jars = {harness, EngineBenchmark.jar(lib, "scriptbox-engine"), EngineBenchmark.jar(lib, "scriptbox-api"),
            EngineBenchmark.jar(lib, "slf4j-api"), EngineBenchmark.jar(lib, "slf4j-simple")};
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, String> program : programs().entrySet()) {
            // A class loader per program, as in EngineBenchmark: no JIT profile carried from one to the next.
            rows.add(new Row(program.getKey(), program.getValue(), EngineBenchmark.instance(new URLClassLoader(jars,
                    ClassLoader.getPlatformClassLoader()), "org.scriptbox.benchmarks.LibraryCpuRunner")));
        }
        long began = System.nanoTime();
        // Every row warmed first (two runs each), then rounds that run every row once, each round in an order of its
        // own: a row's figure is the median of runs spread over the whole measurement, between the other rows' runs,
        // not the JIT state of one stretch of runs in a row (the worst of 57 rows was a different row each time).
        for (int w = 0; w < 2; w++) {
            for (Row row : rows) {
                row.run();
            }
        }
        long deadline = began + seconds * 1_000_000_000L;
        Random order = new Random(20261202L);
        int done = 0;
        while (done < rounds && (done < MIN_ROUNDS || System.nanoTime() < deadline)) {
            List<Row> round = new ArrayList<>(rows);
            Collections.shuffle(round, order);
            for (Row row : round) {
                row.results.add(row.run());
            }
            done++;
        }
        System.out.printf("library CPU: %,d instructions per run; every row warmed (2 runs), then %d rounds of every row"
                + " in a shuffled order (%.0f s in all); the median over the rounds of ns per counted instruction"
                + " (thread CPU / wall / process CPU), thread CPU vs the plain VM loop's median, and the range of that"
                + " ratio over the rounds%n", INSTRUCTIONS, done, (System.nanoTime() - began) / 1e9);
        double reference = median(rows.get(0).results, 0);
        double worst = 0;
        String worstName = "";
        for (Row row : rows) {
            double cpu = median(row.results, 0);
            double ratio = cpu / reference;
            if (ratio > worst) {
                worst = ratio;
                worstName = row.name;
            }
            double[] each = row.results.stream().mapToDouble(r -> (double) r[0] / r[3] / reference).sorted().toArray();
            System.out.printf("library %-30s %7.1f / %7.1f / %7.1f ns  %5.2fx  (%.2f-%.2f)%n", row.name, cpu,
                    median(row.results, 1), median(row.results, 2), ratio, each[0], each[each.length - 1]);
        }
        System.out.printf("library CPU bound: worst %.2fx the plain VM loop (%s), of row medians over %d rounds%n", worst,
                worstName, done);
    }

    /** Rounds measured even past the time bound: a median of fewer says little. */
    private static final int MIN_ROUNDS = 3;

    /** One program, its own runner (class loader), and its measured runs. */
    private static final class Row {
        final String name;
        final Object[] in;
        final Function<Object[], long[]> runner;
        final List<long[]> results = new ArrayList<>();

        Row(String name, String program, Function<Object[], long[]> runner) {
            this.name = name;
            this.in = new Object[] {program, INSTRUCTIONS};
            this.runner = runner;
        }

        long[] run() {
            return runner.apply(in);
        }
    }

    /** Median of a result's per-instruction nanoseconds. */
    private static double median(List<long[]> results, int index) {
        double[] v = results.stream().mapToDouble(r -> (double) r[index] / r[3]).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
