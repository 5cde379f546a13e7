package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random Lua programs of the shapes {@link LuaProgramGenerator} is blind to (session 7 red team of issue 14):
 * values of every type in one register, so arithmetic, comparison and concatenation meet numbers, numeric
 * strings, plain strings, booleans, nil and tables (errors caught by {@code pcall}, messages with positions and
 * variable names compared); closures created in numeric (float steps), generic, while and repeat loops
 * capturing the loop variable, a per-iteration local and outer locals, assigned after capture; varargs with
 * nils ({@code select('#')}, negative {@code select}, {@code table.pack}/{@code table.unpack}, varargs passed
 * on by tail calls); upvalues shared by two coroutines and their resumer, coroutines made in loops, errors of
 * every type out of {@code resume}, yields inside {@code pcall}; metatables ({@code __index} chains of tables
 * and functions, {@code __newindex} tables, {@code __call} with varargs, {@code __eq}/{@code __lt}/{@code __le},
 * {@code __le} missing, {@code __concat} with numbers on either side, {@code __len}, {@code __unm},
 * {@code __tostring}, {@code __metatable}, a metatable set or changed after a field was read in a loop); fields
 * that change type between number, string, table and nil; NaN/-0/2^53 keys, {@code next}/{@code rawset}
 * during iteration; goto (continue, backward, out of nested loops); numeric edge cases (NaN, -0, infinities,
 * 2^53±1, integer-valued doubles) through tostring, format, math and keys; string to number coercion; error
 * values of every type and level, {@code xpcall} handlers (also failing ones), deep pcall/error nesting and
 * rethrowing; tail calls (deeper than the call-depth limit, to vararg functions, {@code __call} tables,
 * library functions, a nil value); an n-body style step over tables of numeric fields with one body perturbed
 * mid-loop (unboxed field numbers); locals that start as constants and change (folding); local functions
 * called in their own scope, then rebound, shadowed or made a {@code __call} table (direct calls).
 *
 * <p>Every result goes into {@code acc} through {@code put}, which prints a value's type instead of an address;
 * the program returns {@code table.concat(acc, '\n')}. Termination is by construction (literal loop bounds,
 * recursion on a decreasing counter), and at most {@value #MAX_COROUTINES} coroutines are made per program
 * (the fuzz limits allow 16 alive).
 */
final class LuaShapeGenerator {
    private static final int MAX_COROUTINES = 10;

    private Random random;
    private final long seed;
    private final StringBuilder out = new StringBuilder();
    private int ids;
    private int coroutines;
    /** Top-level locals of mixed type every template may read, capture and assign. */
    private final List<String> globals = new ArrayList<>();

    private LuaShapeGenerator(long seed) {
        this.random = new Random(seed);
        this.seed = seed;
    }

    static String program(long seed) {
        return new LuaShapeGenerator(seed).generate();
    }

    private String generate() {
        out.append("local acc, T = {}, {1, 2, 3}\n");
        out.append("local function show(v) local t = type(v)\n"
                + "  if t == 'table' then local g = rawget(v, 'tag') return g ~= nil and ('table:' .. tostring(g)) or 'table' end\n"
                + "  if t == 'function' or t == 'thread' or t == 'userdata' then return t end\n"
                + "  return tostring(v) end\n");
        out.append("local function put(...) local n = select('#', ...) local s = n .. ''"
                + " for i = 1, n do s = s .. '/' .. show((select(i, ...))) end acc[#acc + 1] = s end\n");
        for (int i = 0, n = 2 + random.nextInt(3); i < n; i++) {
            String g = "g" + i;
            out.append("local ").append(g).append(" = ").append(value()).append('\n');
            globals.add(g);
        }
        for (int i = 0, n = 3 + random.nextInt(5); i < n; i++) {
            statement();
        }
        // session 9: calls with numbers (typed entries), from a stream of their own so that the programs above
        // stay what they were for every seed
        Random main = random;
        random = new Random(seed * 7_919L + 17);
        for (int i = 0, n = random.nextInt(3); i < n; i++) {
            numericCalls();
        }
        // session 11: short numeric callees compiled into their call sites (compiler.InlineCallee), a stream of their own
        random = new Random(seed * 104_729L + 29);
        for (int i = 0, n = random.nextInt(3); i < n; i++) {
            inlineCalls();
        }
        for (int i = 0, n = random.nextInt(3); i < n; i++) {
            arrayNumbers(); // numbers kept unboxed in the array part (EngineTable.setIndexNum/getIndexNum)
        }
        random = main;
        if (random.nextInt(12) == 0) {
            // no function or thread: an uncaught error's text would hold its address
            out.append("error(").append(pick("nil", "false", "42", "-0.0", "0/0", "'msg'", "{tag = 'err'}", "'x' .. " + global()))
                    .append(")\n");
        }
        out.append("put(").append(String.join(", ", globals)).append(")\n");
        out.append("return table.concat(acc, '\\n'), #acc\n");
        return out.toString();
    }

    private void statement() {
        switch (random.nextInt(20)) {
            case 19 -> nearTheDepthLimit();
            case 16 -> bodiesInALoop();
            case 17 -> constantsReassigned();
            case 18 -> localFunctionsRebound();
            case 0, 1 -> mixedOperations();
            case 2 -> closuresInLoops();
            case 3 -> varargs();
            case 4 -> sharedUpvalueCoroutines();
            case 5 -> metatableChains();
            case 6 -> comparisonAndCallMetamethods();
            case 7 -> fieldsChangingType();
            case 8 -> keysAndIteration();
            case 9 -> gotos();
            case 10 -> numbers();
            case 11 -> coercions();
            case 12 -> errorValues();
            case 13 -> deepNesting();
            case 14 -> tailCalls();
            default -> line(global() + " = " + value());
        }
    }

    // ---- templates ---------------------------------------------------------------------------------

    /** Operators on values of any type: the messages name the variable kind ('local', 'upvalue', 'field'). */
    private void mixedOperations() {
        String a = "a" + id();
        String b = "b" + id();
        line("do local " + a + ", " + b + " = " + value() + ", " + value());
        for (int i = 0, n = 2 + random.nextInt(3); i < n; i++) {
            String x = random.nextBoolean() ? a : value();
            String y = random.nextInt(3) == 0 ? global() : random.nextBoolean() ? b : value();
            line("  put(pcall(function() return " + binary(x, y) + " end))");
        }
        line("  put(pcall(function() return " + unary(a) + ", " + unary(b) + " end))");
        line("  local t = {f = " + a + "} put(pcall(function() return t.f " + binaryOperator() + " " + b + " end))");
        line("  put(pcall(function() return " + a + "[" + b + "] end))");
        line("  put(pcall(function() " + a + "." + "x = 1 return " + a + " end))");
        line("  put(pcall(function() return " + b + "(" + a + ") end))");
        line("end");
    }

    private void closuresInLoops() {
        String fs = "fs" + id();
        String s = "s" + id();
        String[] loops = {
            "for i = " + pick("1, 3", "3, 1, -1", "0, 1, 0.25", "1, 2, 0.5", "0.1, 0.35, 0.1", "2^53 - 3, 2^53 - 1",
                    "-1, -2, -0.5", "1, 3, 1.5") + " do",
            "for i, v in ipairs({" + value() + ", " + value() + ", " + value() + "}) do",
            "for i, v in pairs({10, 20, x = 30}) do",
            "local i = 0 while i < " + (2 + random.nextInt(3)) + " do i = i + 1",
            "local i = 0 repeat i = i + 1"};
        int kind = random.nextInt(loops.length);
        line("do local " + fs + ", " + s + " = {}, " + value());
        line("  " + loops[kind]);
        line("    local y = " + (kind == 2 ? "tostring(i)" : "i") + " local z = " + value());
        switch (random.nextInt(4)) {
            case 0 -> line("    " + fs + "[#" + fs + " + 1] = function(d) y = y .. '' z = d " + s + " = show(" + s
                    + ") .. ':' .. tostring(i) return y, z, i end");
            case 1 -> line("    " + fs + "[#" + fs + " + 1] = function() return function() y = (tonumber(y) or 0) + 1 return y, "
                    + s + " end end");
            case 2 -> line("    local k = " + global() + " " + fs + "[#" + fs + " + 1] = function(...) k = select('#', ...)"
                    + " return k, y, ... end");
            default -> line("    " + fs + "[#" + fs + " + 1] = function() " + global() + " = y return " + global()
                    + ", z end");
        }
        line("    y = " + pick("y", "tostring(y) .. 'x'", "nil", "{tag = i}"));
        if (random.nextBoolean()) {
            line("    if #" + fs + " == 2 then " + pick("break", "goto done" + fs) + " end");
        }
        if (kind == 4) {
            line("  until i >= 3 or z == 'stop'");
        } else {
            line("  end");
        }
        line("  ::done" + fs + "::");
        line("  for _, f in ipairs(" + fs + ") do local ok, r1, r2, r3 = pcall(f, " + value() + ", nil)"
                + " if type(r1) == 'function' then put(r1()) put(r1()) else put(ok, r1, r2, r3) end end");
        line("  put(" + s + ", #" + fs + ")");
        line("end");
    }

    private void varargs() {
        String f = "va" + id();
        String g = "vb" + id();
        String body = pick("return select('#', ...), ...",
                "local t = table.pack(...) return t.n, table.unpack(t, 1, t.n)",
                "local a, b, c = ... return c, b, a, select('#', ...)",
                "return select(" + pick("-1", "-2", "2", "3", "1", "0", "-5", "'#'") + ", ...)",
                "local t = {...} return #t, t[1], t[select('#', ...)]",
                "return ... .. ''");
        line("local function " + f + "(...) " + body + " end");
        line("local function " + g + "(x, ...) if x == nil then return " + f + "(...) end return " + g + "(nil, x, ...) end");
        String[] calls = {"()", "(nil)", "(nil, nil)", "(1, nil)", "(nil, 2, nil)", "(" + value() + ", " + value() + ")",
            "(table.unpack({1, nil, 3}, 1, 3))", "(" + f + "(1, 2))", "((" + f + "(1, 2)))", "(table.unpack({}, 1, 2))",
            "(select(2, 'a', nil, 'c'))"};
        for (int i = 0, n = 2 + random.nextInt(3); i < n; i++) {
            String call = calls[random.nextInt(calls.length)];
            line("put(pcall(" + (random.nextBoolean() ? f : g) + (call.equals("()") ? "" : ", " + call.substring(1, call.length() - 1))
                    + "))");
            line("put(select('#', pcall(" + f + (call.equals("()") ? "" : ", " + call.substring(1, call.length() - 1)) + ")))");
        }
        line("put(pcall(function() return table.pack(" + f + "(nil, nil)).n, (table.unpack({" + value() + ", nil, " + value()
                + "}, 2, 3)) end))");
    }

    private void sharedUpvalueCoroutines() {
        if (coroutines + 3 > MAX_COROUTINES) {
            mixedOperations();
            return;
        }
        coroutines += 3;
        String x = "cx" + id();
        line("do local " + x + " = " + pick("0", "1.5", "'5'", "-0.0", "2^53") + " local log = {}");
        line("  local function body(step) for k = 1, 3 do " + x + " = " + x + " + step log[#log + 1] = tostring(" + x + ")"
                + " local ok, got = pcall(coroutine.yield, " + x + ") if got == 'boom' then error({tag = k}) end"
                + " if got ~= nil then " + x + " = got end end return " + x + " end");
        line("  local c1, c2 = coroutine.create(body), coroutine.wrap(body)");
        line("  put(coroutine.resume(c1, 1)) put(pcall(c2, 10)) " + x + " = " + x + " * 2");
        line("  put(coroutine.resume(c1, " + pick("nil", "'boom'", "7", "-0.0", "0/0") + ")) put(pcall(c2, " + pick("nil", "'boom'", "3")
                + "))");
        line("  put(coroutine.resume(c1)) put(coroutine.resume(c1)) put(coroutine.status(c1)) put(" + x + ", table.concat(log, ','))");
        line("  local c3 = coroutine.wrap(function(...) local n = select('#', ...) for i = 1, " + (1 + random.nextInt(3))
                + " do n = n + (coroutine.yield(n, ...) or 0) end " + pick("return n", "error(n)", "error('e' .. n, 2)",
                "error({tag = n})", "error()") + " end)");
        line("  for i = 1, 4 do put(pcall(c3, i, nil)) end");
        line("end");
    }

    private void metatableChains() {
        String base = "mb" + id();
        String o = "mo" + id();
        line("do local " + base + " = {k = " + value() + ", n = 1}");
        line("  local mid = setmetatable({m = " + value() + "}, {__index = " + pick(base, "function(t, k) return "
                + base + "[k] or k end") + "})");
        line("  local " + o + " = setmetatable({}, {__index = mid, __newindex = " + pick("mid", base,
                "function(t, k, v) rawset(t, k, v) end") + "})");
        line("  put(" + o + ".k, " + o + ".m, " + o + ".missing, rawget(" + o + ", 'k'))");
        line("  " + o + ".k = " + value() + " " + o + ".new = " + value() + " put(" + o + ".k, rawget(" + o + ", 'new'), mid.new, "
                + base + ".new)");
        line("  local sum = 0 for i = 1, 5 do sum = sum + (tonumber(" + o + ".n) or 0)");
        line("    if i == " + (1 + random.nextInt(4)) + " then " + pick(base + ".n = " + value(),
                "setmetatable(" + o + ", {__index = {n = 100}})", "rawset(" + o + ", 'n', 0.5)",
                "getmetatable(mid).__index = {n = -1}", "setmetatable(mid, nil)", base + ".n = nil") + " end end");
        line("  put(sum, " + o + ".n)");
        line("  local p = setmetatable({}, {__metatable = " + pick("'locked'", "false", "nil", "{tag = 1}") + "})");
        line("  put(getmetatable(p), pcall(setmetatable, p, {}))");
        line("  put(pcall(function() return (" + pick("'abc'", "('x'):rep(2)", "1.5", "nil") + "):upper() end))");
        line("end");
    }

    private void comparisonAndCallMetamethods() {
        String mt = "mm" + id();
        line("do local " + mt + " = {__eq = function(a, b) return " + pick("true", "false", "a.tag == b.tag") + " end,");
        line("    __lt = function(a, b) return " + pick("true", "false", "(a.tag or 0) < (b.tag or 0)") + " end,");
        if (random.nextBoolean()) {
            line("    __le = function(a, b) return " + pick("1", "nil", "(a.tag or 0) <= (b.tag or 0)") + " end,");
        }
        line("    __call = function(self, ...) return select('#', ...), self.tag, ... end,");
        line("    __concat = function(a, b) return show(a) .. '&' .. show(b) end, __len = function(a) return "
                + pick("7", "'len'", "nil", "a.tag") + " end,");
        line("    __unm = function(a) return " + pick("-1", "a", "nil") + " end, __tostring = function(a) return "
                + pick("'T' .. tostring(a.tag)", "42", "nil") + " end}");
        line("  local a, b, c = setmetatable({tag = 1}, " + mt + "), setmetatable({tag = 2}, " + mt + "), setmetatable({tag = 1}, {})");
        for (String cmp : new String[] {"a == b", "a ~= b", "a == c", "a < b", "a <= b", "b > a", "a >= b", "a < c",
            "a < 1", "1 <= a", "a == 1"}) {
            if (random.nextInt(3) != 0) {
                line("  put(pcall(function() return " + cmp + " end))");
            }
        }
        line("  put(pcall(a, nil, " + value() + ", nil)) put(pcall(function() return a(b) end))");
        line("  put(pcall(function() return a .. " + pick("1", "1.5", "'s'", "b", "nil", "2^53") + ", " + pick("1", "-0.0", "'s'")
                + " .. a, 1 .. 2 .. a end))");
        line("  put(pcall(function() return #a, -a, #c end)) put(pcall(tostring, a)) put(pcall(tostring, b))");
        line("  put(rawequal(a, b), rawequal(a, a), rawlen(a), rawget(a, 'tag'))");
        line("end");
    }

    /** A field that holds a number, then another type, then a number again, read by arithmetic in a loop. */
    private void fieldsChangingType() {
        String o = "ft" + id();
        line("do local " + o + " = {x = " + pick("1", "0.5", "-0.0", "2^53", "'3'") + ", y = 2.5, " + pick("1.5", "'s'", "w = {}")
                + "} local s = 0");
        line("  for i = 1, " + (4 + random.nextInt(4)) + " do");
        line("    local ok, r = pcall(function() return " + o + ".x * 2 + " + o + ".y end) s = s + (ok and r or 1)");
        line("    put(pcall(function() " + o + ".y = " + o + ".y - i * 0.5 end)) " + o + "[1] = (" + o + "[1] or 0) .. i");
        line("    if i == " + (1 + random.nextInt(3)) + " then " + o + ".x = " + pick("'str'", "'7'", "nil", "{tag = i}", "true",
                "0/0", "function() end") + " elseif i == " + (4 + random.nextInt(2)) + " then " + o + ".x = i + 0.25 end");
        line("    if i == 3 then " + pick(o + ".y = nil", o + ".y = '1'", "setmetatable(" + o
                + ", {__index = function() return 9 end})", o + ".z = 1") + " end");
        line("  end");
        line("  put(s, " + o + ".x, " + o + ".y, " + o + "[1], #" + o + ")");
        line("end");
    }

    private void keysAndIteration() {
        String t = "kt" + id();
        line("do local " + t + " = {}");
        String[] keys = {"-0.0", "0", "1", "1.0", "'1'", "2^53", "2^53 + 1", "1/0", "-1/0", "0.5", "'x'", "true", "3"};
        for (int i = 0, n = 3 + random.nextInt(5); i < n; i++) {
            line("  " + t + "[" + keys[random.nextInt(keys.length)] + "] = " + value());
        }
        line("  put(pcall(function() " + t + "[0/0] = 1 end)) put(" + t + "[0/0], " + t + "[0], " + t + "[-0.0], " + t
                + "[2^53], " + t + "[1])");
        line("  put(pcall(rawset, " + t + ", " + pick("0/0", "nil", "-0.0", "2^53") + ", 1))");
        line("  local n, ks = 0, {}");
        line("  for k, v in pairs(" + t + ") do n = n + 1 ks[#ks + 1] = show(k) .. '=' .. show(v) "
                + pick("rawset(" + t + ", k, nil)", t + "[k] = nil", t + "[k] = 'new'", "rawset(" + t + ", k, v)", "") + " end");
        line("  put(n, table.concat(ks, ' '), next(" + t + ") ~= nil)");
        line("  put(pcall(next, " + t + ", 'absent')) put(pcall(next, {}, nil)) put(#" + t + ", select('#', next({})))");
        line("  local seq = {} for i = 1, 5 do seq[i] = i * 0.5 end seq[" + pick("3", "5", "6", "1") + "] = nil put(#seq)");
        line("end");
    }

    private void gotos() {
        String l = "L" + id();
        switch (random.nextInt(3)) {
            case 0 -> line("do local i, fs = 0, {} ::top" + l + ":: i = i + 1 local c = i * 10"
                    + " if i % 2 == 0 then goto skip" + l + " end fs[#fs + 1] = function() c = c + 1 return c end"
                    + " ::skip" + l + ":: if i < " + (3 + random.nextInt(3)) + " then goto top" + l + " end"
                    + " local r = {} for _, f in ipairs(fs) do r[#r + 1] = f() + f() end put(i, table.concat(r, ',')) end");
            case 1 -> line("do local r = {} for i = 1, 3 do for j = 1, 3 do if j == i then goto next" + l + " end"
                    + " if i * j > " + (3 + random.nextInt(4)) + " then goto out" + l + " end r[#r + 1] = i * j ::next" + l + "::"
                    + " end end ::out" + l + ":: put(table.concat(r, ',')) end");
            default -> line("do local n = 0 for i = 1, 4 do local v = " + value() + " if type(v) ~= 'number' then goto cont" + l
                    + " end n = n + v ::cont" + l + ":: end put(n) end");
        }
    }

    private void numbers() {
        String x = "nx" + id();
        line("do local " + x + " = " + numberEdge() + (random.nextBoolean() ? " " + pick("+", "-", "*", "/", "%", "^") + " "
                + numberEdge() : ""));
        line("  put(" + x + ", -" + x + ", " + x + " == " + x + ", " + x + " ~= " + x + ", " + x + " < 1, " + x + " >= 0, 1 / " + x + ")");
        line("  put(pcall(math.floor, " + x + ")) put(pcall(math.ceil, " + x + ")) put(pcall(math.modf, " + x + "))"
                + " put(pcall(math.fmod, " + x + ", " + pick("3", "-3", "0", "0.5") + "))");
        line("  put(" + x + " % " + pick("3", "-3", "0", "1/0", "-1/0", "0.5") + ", " + pick("3", "-3", "0.5", "1/0") + " % " + x
                + ", " + x + " ^ " + pick("0", "0.5", "2", "-1") + ")");
        line("  put(pcall(string.format, '" + pick("%d", "%5.2f", "%g", "%s", "%x", "%.3f", "%i", "%q") + "', " + x + "))");
        line("  put(" + x + " .. '', tostring(" + x + "), tonumber(tostring(" + x + ")) == " + x + ", math.max(" + x + ", 0), math.min("
                + x + ", 0), math.abs(" + x + "))");
        line("  local c, last = 0, nil for q = " + x + ", " + x + " + " + pick("1", "2", "0.5", "-1") + ", " + pick("1", "0.5", "0.25", "-1",
                "0.1") + " do c = c + 1 last = q if c > 8 then break end end put(c, last)");
        line("end");
    }

    private void coercions() {
        String[] cases = {"'10' + 1", "'0x10' * 1", "' 5 ' - 0", "'1e1' / 2", "10 .. 20", "1.5 .. ''", "-'2'", "'abc' + 1",
            "'10' < 5", "'10' == 10", "#('x' .. 2^53)", "('5'):rep(2)", "math.floor('3.7')", "string.rep('ab', '3')",
            "('x'):rep(2.0)", "('x'):rep(2.5)", "tonumber('  0x1A  ')", "tonumber('1e')", "tonumber('10', 2)",
            "tonumber('zz', 36)", "tonumber(nil)", "tonumber('')", "'2' ^ '3'", "'7' % '2'",
            "10 == '10'", "'a' < 'b'", "'a' < 1", "{} < {}", "nil .. 'x'", "true .. ''", "('%d'):format('12')",
            "('%5.1f'):format('2.25')", "#'' + '1'", "-'-0'", "'inf' + 0", "'nan' + 0", "'1e500' + 0", "' 0x1p4 ' + 0",
            "tostring(1e15)", "tostring(1e16)", "2^63 .. ''", "tostring(-2^63)", "string.sub('hello', '2', 3.0)",
            "string.byte('A', 1.0)", "('abc'):sub(2^53)", "string.char(65.0, '66')",
            // Luaj's number scan threw on these (E2); tabs and newlines around a numeral (E4)
            "tonumber('0x')", "'0x' + 1", "-(' 0X ')", "tonumber('0x', 16)", "string.rep('a', '0x')", "'\\t5\\n' + 0",
            "tonumber('-')", "tonumber('0x1p4')", "('0' .. 'x') * 2"};
        for (int i = 0, n = 3 + random.nextInt(4); i < n; i++) {
            line("put(pcall(function() return " + cases[random.nextInt(cases.length)] + " end))");
        }
    }

    private void errorValues() {
        String f = "ef" + id();
        line("local function " + f + "(v, lv) " + pick("error(v, lv)", "error(v)", "local x = v .. lv", "return v + lv",
                "error(v, 0)") + " end");
        for (int i = 0, n = 2 + random.nextInt(3); i < n; i++) {
            line("put(pcall(" + f + ", " + errorValue() + ", " + pick("1", "2", "3", "0", "nil") + "))");
        }
        line("put(xpcall(function() " + f + "(" + errorValue() + ", 1) end, function(e) " + pick("return 'h:' .. show(e)",
                "error('in handler')", "return e, 2", "return nil") + " end))");
        line("put(pcall(function() local ok, e = pcall(" + f + ", " + errorValue() + ", 1) error(e, " + pick("0", "1", "2") + ") end))");
        line("put(pcall(error, setmetatable({tag = 's'}, {__tostring = function() return 'TS' end})))");
        line("put(select('#', pcall(error)), pcall(error, nil), pcall(" + f + "))");
    }

    private void deepNesting() {
        String d = "dn" + id();
        int depth = 3 + random.nextInt(9);
        line("local function " + d + "(n) if n == 0 then " + pick("error(" + errorValue() + ")", "local _ = nil + n",
                "return 'bottom'", "error('deep', 2)") + " end");
        line("  local ok, e = pcall(" + d + ", n - 1)");
        line("  if n % " + (2 + random.nextInt(3)) + " == 0 then " + pick("error(e, 0)", "error(show(e) .. n)", "error(e)",
                "return ok, e") + " end");
        line("  return ok, " + pick("e", "show(e) .. ':' .. n", "n") + " end");
        line("put(pcall(" + d + ", " + depth + ")) put(pcall(" + d + ", " + (1 + random.nextInt(3)) + "))");
    }

    private void tailCalls() {
        String t = "tc" + id();
        line("local " + t + " " + t + " = function(n, a, ...) if n <= 0 then return " + pick("a, ...", "select('#', ...), a",
                "error('tail ' .. a)", "nil + a", "(...)") + " end return " + t + "(n - 1, a + n, ...) end");
        int depth = random.nextBoolean() ? 2 + random.nextInt(5) : 60 + random.nextInt(150);
        line("put(pcall(" + t + ", " + depth + ", 0" + pick("", ", nil", ", 'v', nil", ", " + value()) + "))");
        // a tail call through __call counts towards the depth limit (E2): kept below it
        line("do local cl = setmetatable({tag = 'c'}, {__call = function(self, n) if n > 0 then return self(n - 1) end"
                + " return 'called' end})");
        line("  local function via(n) return cl(n) end put(pcall(via, " + (1 + random.nextInt(30)) + "))");
        line("  local function lib(...) return select(" + pick("2", "-1", "'#'") + ", ...) end put(pcall(lib, 1, nil, 3))");
        line("  local function bad(n) if n == 0 then return " + pick("nothere(n)", "T.x.y(n)", "(nil)(n)", "cl.f(n)") + " end"
                + " return bad(n - 1) end put(pcall(bad, " + (1 + random.nextInt(5)) + "))");
        line("end");
    }

    /**
     * Recursion to one or two levels below the call-depth limit of the fuzz runs (50), its bottom a library call, a
     * metamethod, a callback, a coroutine or an error (caught at the top, its traceback taken by
     * {@code debug.traceback} in an xpcall handler): compiled and interpreted frames must count every level alike
     * and name the same frames. Each step is a plain call, a call under pcall (two levels) or a call through an
     * {@code __index} function (one level); the depth is computed for the deepest bottom of each kind.
     */
    private void nearTheDepthLimit() {
        String d = "dl" + id();
        // bottoms and the levels they add below the last step
        String[][] bottoms = {{"math.sqrt(n + 2)", "1"}, {"select('#', ...)", "1"}, {"error({tag = 'deep'})", "1"},
            {"error('deep')", "1"}, {"string.rep('x', 2)", "1"}, {"nothere(n)", "0"}, {"T.x.y", "0"},
            {"pcall(error, n)", "2"}, {"tostring(setmetatable({}, {__tostring = function() return 'ts' end}))", "2"},
            {"string.gsub('ab', 'a', function(c) return c .. n end)", "2"},
            {"coroutine.wrap(function(...) return select('#', ...) end)(...)", "2"},
            {"table.sort({3, 1, 2}, function(a, b) return a < b end)", "2"}, {"1 .. {}", "0"}};
        String[] bottom = bottoms[random.nextInt(bottoms.length)];
        int room = 48 - Integer.parseInt(bottom[1]) + (bottom[1].equals("0") ? 0 : 1) - random.nextInt(2);
        String handler = pick("debug.traceback", "function(m) return debug.traceback(show(m)) end",
                "function(m) return 'h:' .. show(m) end");
        switch (random.nextInt(3)) {
            case 0 -> {
                line("local function " + d + "(n, ...) if n == 0 then return " + bottom[0] + " end return (" + d + "(n - 1, ...)) end");
                line("put(pcall(" + d + ", " + (room - 1) + ", 'a', nil)) put(xpcall(" + d + ", " + handler + ", " + (room - 1) + "))");
            }
            case 1 -> {
                line("local function " + d + "(n, ...) if n == 0 then return " + bottom[0] + " end local ok, v = pcall(" + d
                        + ", n - 1, ...) if not ok then error(v, 0) end return v end");
                line("put(pcall(" + d + ", " + (room / 2 - 1) + ", nil)) put(xpcall(" + d + ", " + handler + ", " + (room / 2 - 1) + "))");
            }
            default -> {
                line("local " + d + " = setmetatable({}, {__index = function(t, n) if n == 0 then return "
                        + noVarargs(bottom[0]) + " end return t[n - 1] end})");
                line("put(pcall(function() return " + d + "[" + (room - 2) + "] end)) put(xpcall(function() return " + d + "["
                        + (room - 2) + "] end, " + handler + "))");
            }
        }
    }

    /** A bottom for a function without varargs: its own {@code ...} as nil. */
    private static String noVarargs(String bottom) {
        if (bottom.equals("select('#', ...)")) {
            return "select('#', nil)";
        }
        return bottom.endsWith("(...)") ? bottom.substring(0, bottom.length() - 5) + "(nil)" : bottom;
    }

    /**
     * An n-body style step over tables of numeric fields ({@code b.vx = b.vx - dx * m}: the compiled paths that keep
     * field numbers unboxed), with one body perturbed mid-loop: a field becomes a string, nil, NaN or a table, a
     * metatable with {@code __index}/{@code __newindex} arrives, a field is removed and stored again.
     */
    private void bodiesInALoop() {
        String bs = "nb" + id();
        line("do local " + bs + " = {}");
        line("  for i = 1, " + (2 + random.nextInt(3)) + " do " + bs + "[i] = {x = i * " + pick("0.5", "1", "-0.0", "1e15", "2^53")
                + ", vx = 0, m = " + pick("1", "0.25", "3", "'2'") + "} end");
        line("  for step = 1, " + (3 + random.nextInt(4)) + " do");
        line("    for i = 1, #" + bs + " do local bi = " + bs + "[i] for j = i + 1, #" + bs + " do local bj = " + bs + "[j]");
        line("      local ok, e = pcall(function() local dx = bi.x - bj.x local d2 = dx * dx + " + pick("0.01", "0", "1e-300") + ""
                + " bi.vx = bi.vx - dx * bj.m / d2 bj.vx = bj.vx + dx * bi.m / d2 end)");
        line("      if not ok then put(e) end end end");
        line("    for i = 1, #" + bs + " do local b = " + bs + "[i] local ok = pcall(function() b.x = b.x + b.vx * 0.01 end) end");
        line("    if step == " + (1 + random.nextInt(3)) + " then " + pick(bs + "[1].x = 'str'", bs + "[1].vx = nil",
                bs + "[2].m = 0/0", bs + "[1].x = {tag = 1}", "setmetatable(" + bs + "[2], {__index = {vx = 5}}) " + bs + "[2].vx = nil",
                "setmetatable(" + bs + "[1], {__newindex = function(t, k, v) rawset(t, k, (tonumber(v) or 0) * 2) end}) "
                        + bs + "[1].vx = nil", bs + "[2] = setmetatable({}, {__index = " + bs + "[1]})") + " end");
        line("  end");
        line("  for i = 1, #" + bs + " do local b = " + bs + "[i] put(b.x, b.vx, b.m) end");
        line("end");
    }

    /** Locals that start as constants (what a folding compiler sees), then change: captured and assigned, in a branch, by goto. */
    private void constantsReassigned() {
        String a = "ka" + id();
        line("do local " + a + ", kb, kc = " + numberEdge() + ", " + pick("2", "0.5", "-3", "'4'", "0") + ", " + numberEdge());
        line("  local r1 = " + a + " * kb + kc - " + a + " / kb % (kc ^ 2 + 1)");
        line("  local bump = function() kb = kb + 1 end");
        line("  if " + pick("r1 ~= r1", "r1 > 0", "true", "false") + " then " + pick(a + " = 'str'", "bump()", "kc = nil", a + " = -" + a)
                + " end");
        line("  local n = 0 ::again:: n = n + 1 " + a + " = " + a + " " + pick("+", "*", "-") + " 1 if n < 2 then goto again end");
        line("  put(pcall(function() return r1, " + a + " * kb, kb - kc, -" + a + ", " + a + " .. kb, " + a + " == kb, kb < 3 end))");
        line("  put(2^53 + 1 - 2^53, -0.0 * 1, 1/0 - 1/0, 7 % -3, -7 % 3, 3 % -0.0 ~= 3 % -0.0, 2^63 == 2^63 + 1, 0.1 + 0.2)");
        line("end");
    }

    /** Local functions called in their own scope (what direct calls see), rebound, shadowed, recursive while rebound. */
    private void localFunctionsRebound() {
        String f = "lf" + id();
        line("do local function " + f + "(n, ...) if n <= 0 then return select('#', ...), ... end return " + f + "(n - 1, n, ...) end");
        line("  put(" + f + "(" + random.nextInt(4) + "))");
        line("  local saved = " + f);
        line("  " + f + " = " + pick("function(n, ...) return 'rebound', n end", "nil", "setmetatable({}, {__call = function(self, n) return 'callable', n end})",
                "saved", "function(n) if n > 0 then return saved(n - 1) end return 'mixed' end"));
        line("  put(pcall(saved, 3)) put(pcall(" + f + ", 2))");
        line("  do local " + f + " = function() return 'shadow' end put(" + f + "()) end");
        line("  put(pcall(function() return " + f + "(1), " + f + "(1, nil, 2) end))");
        line("end");
    }

    /**
     * Local functions of 1 to 3 parameters called in a loop with numbers (and sometimes not), their one result read
     * as a number (compiled: {@code CompiledFunction.callNum}, the typed entry): results that are numbers, numeric
     * strings, other values, several values or none, NaN and -0; a tail call, varargs, a captured or reassigned
     * parameter, recursion, an error inside at a given round; fewer or more arguments than parameters; the
     * function rebound mid-loop (to another Lua function, a library function, a {@code __call} table, a coroutine,
     * nil); the loop run under pcall and xpcall with a traceback.
     */
    private void numericCalls() {
        String f = "nf" + id();
        String g = "ng" + id();
        String acc = "na" + id();
        int params = 1 + random.nextInt(3);
        String[] names = {"i", "j", "k"};
        StringBuilder ps = new StringBuilder("i");
        for (int q = 1; q < params; q++) {
            ps.append(", ").append(names[q]);
        }
        boolean vararg = random.nextInt(4) == 0;
        String sig = ps + (vararg ? ", ..." : "");
        String j = params > 1 ? "j" : "i";
        String body = pick("return i + " + j + " * 0.5",
                "local ij = i + " + j + " - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i)",
                "if i < " + (2 + random.nextInt(4)) + " then return i - " + j + " end return " + value(),
                "return i, " + j,
                "return",
                "return tostring(i * 2)",
                "return " + g + "(i - 1, " + j + ")",
                "return " + (vararg ? "select('#', ...) + i" : "i * i"),
                "if i <= 1 then return i end return " + f + "(i - 1, " + j + ") + " + f + "(i - 2, " + j + ")",
                "if i == " + (1 + random.nextInt(5)) + " then return i + " + pick("nil", "{}", "'x'", "T") + " end return i",
                "local c = function() return i end return c() + " + j,
                "i = " + value() + " return i * 2",
                "return " + pick("(0/0)", "-0.0", "math.huge", "-(0/0)", "2^53", "i / 0", "-i * 0") + ", i",
                "if i > " + random.nextInt(4) + " then error(" + errorValue() + ") end return i");
        line("do local " + g + " = function(a, b) return (a or 0) * 2 - (tonumber(b) or 1) end");
        line("  local function " + f + "(" + sig + ") " + body + " end");
        line("  local " + acc + ", seen = 0, {}");
        StringBuilder args = new StringBuilder("i");
        int nargs = random.nextInt(5) == 0 ? 1 + random.nextInt(3) : params;
        for (int q = 1; q < nargs; q++) {
            args.append(", ").append(pick("i * 0.5", "i - 3", numberEdge(), value(), "i"));
        }
        String rebind = pick("function(a, b) return 'rebound' end", "function(a) return a * 3 end", "math.max", "math.floor",
                "setmetatable({}, {__call = function(self, a, b) return a end})", "nil", g,
                "coroutine.wrap(function(a) while true do a = coroutine.yield(a * 2) end end)",
                "function(...) return select('#', ...) end", f);
        int at = 1 + random.nextInt(8);
        String use = pick(acc + " = " + acc + " + r", acc + " = " + acc + " * 0.5 + r * r",
                "if r < " + acc + " then " + acc + " = " + acc + " - 1 else " + acc + " = r end",
                "seen[#seen + 1] = r " + acc + " = " + acc + " + (tonumber(r) or 0)", acc + " = r - " + acc);
        String loop = "for i = " + pick("1, 8", "8, 1, -1", "0.5, 4, 0.5", "-2, 3", "1, 3") + " do local r = " + f + "(" + args
                + ") " + use + " if i == " + at + " then " + f + " = " + rebind + " end end return " + acc + ", #seen";
        line("  local function run() " + loop + " end");
        line("  put(pcall(run)) put(" + acc + ", seen[1], seen[#seen])");
        line("  " + f + " = " + (random.nextBoolean() ? "nil" : g) + " put(xpcall(run, " + pick("debug.traceback",
                "function(m) return 'h:' .. show(m) end") + "))");
        line("end");
    }

    /**
     * A short function of straight-line arithmetic on its parameters ({@code +}, {@code -}, {@code *}, {@code /}, unary
     * minus, number constants, locals: what the compiler may inline at a call site with numbers) called from a nested
     * function (an upvalue) and from the same block (a local), with numbers at the edges (-0, NaN, inf, 2^53), numeric
     * strings and other values; the results stored in a table and shown with their type; the callee rebound mid-loop
     * to another such function, a second closure of itself, a function that errors, a library function or nil (the
     * guard fails); a recursion near the depth limit whose innermost level calls it.
     */
    private void inlineCalls() {
        String f = "pf" + id();
        String out = "po" + id();
        int params = 1 + random.nextInt(3);
        String[] names = {"x", "y", "z"};
        StringBuilder ps = new StringBuilder("x");
        for (int q = 1; q < params; q++) {
            ps.append(", ").append(names[q]);
        }
        String y = params > 1 ? "y" : "x";
        String z = params > 2 ? "z" : y;
        String body = pick("return x + " + y + " * 0.5", "local w = x - " + y + " return 1.0 / (w * (w - 1) * 0.5 + x)",
                "return -x", "return (x - " + z + ") / " + y, "local a = 3 local b = x return a * b - " + z,
                "return x * " + numberEdge(), "return " + numberEdge() + " / x", "local t = x * x return t + t - " + y,
                "return x");
        line("do local function " + f + "(" + ps + ") " + body + " end");
        line("  local " + out + " = {}");
        StringBuilder args = new StringBuilder(pick("i", "i * 0.5", "i - 3"));
        for (int q = 1; q < params; q++) {
            args.append(", ").append(random.nextInt(6) == 0 ? value() : pick("i", "i + 1", numberEdge(), "-i"));
        }
        int at = 1 + random.nextInt(8);
        String rebind = pick("function(x, y) return x - (y or 1) end", "(function() return function(x) return x * 2 end end)()",
                "function(x) error('inl' .. tostring(x)) end", "math.max", "nil", f,
                "function(x, y, z) return x .. '' end");
        String call = f + "(" + args + ")";
        // a local callee (before any rebinding: numbers only, so nothing can fail here)
        line("  local direct = 0 for i = 1, 4 do direct = direct + " + f + "(i, " + pick("i", "-0.0", "i * 0.5", numberEdge())
                + ", 2) end put(direct, (direct == math.floor(direct)))");
        line("  local function run() for i = " + pick("1, 8", "8, 1, -1", "0.5, 4, 0.5", "-2, 3") + " do"
                + " local r = " + call + " + 0 " + out + "[#" + out + " + 1] = r"
                + " if i == " + at + " then " + f + " = " + rebind + " end end end");
        line("  put(pcall(run)) for q = 1, #" + out + " do local v = " + out + "[q] put(v, (v == math.floor(v)), v ~= v, v == 0 and 1 / v) end");
        line("  local function d(n) if n == 0 then return " + f + "(n, n + 1, 2) + 1 end return d(n - 1) + 1 end");
        line("  put(pcall(d, " + (5 + random.nextInt(20)) + "))"); // below the limit (50): a limit is not caught by pcall
        line("end");
    }

    /**
     * A list rewritten and read in numeric loops with the key and the number held unboxed by compiled code
     * ({@code t[i] = t[i] * c + d}): edge numbers (-0, NaN, inf, 2^53), a hole made or filled mid-loop, a slot that
     * becomes a string or a table, keys past the array part and fractional keys, a metatable with {@code __index} and
     * {@code __newindex} set mid-way; then every other reader: {@code #}, {@code ipairs}, {@code pairs} (sorted),
     * {@code rawget}, {@code table.concat}/{@code unpack}/{@code sort}/{@code insert}/{@code remove}.
     */
    private void arrayNumbers() {
        String t = "an" + id();
        int n = 2 + random.nextInt(7);
        line("do local " + t + " = {} for i = 1, " + n + " do " + t + "[i] = " + pick("i", "0", "-0.0", "i * 0.5", numberEdge()) + " end");
        String step = pick(t + "[i] = " + t + "[i] * " + numberEdge() + " + " + pick("i", "0.5", "-0.0", numberEdge()),
                "local x = " + t + "[i] " + t + "[i] = x - x + i / " + pick("2", "3", "0", "-0.0"),
                t + "[i] = -" + t + "[i]", "local x = " + t + "[i] if x ~= x then " + t + "[i] = 0 else " + t + "[i] = x + 1 end");
        String perturb = pick(t + "[i] = nil", t + "[i] = tostring(i)", t + "[i] = {tag = i}", t + "[#" + t + " + 1] = i * 0.5",
                "setmetatable(" + t + ", {__index = function(_, k) return k * 2 end, __newindex = function(u, k, v) rawset(u, k, v) end})",
                t + "[i + 0.5] = i", t + "[" + (n + 3) + "] = 1.5", "table.insert(" + t + ", 1, 0.25)", "table.remove(" + t + ")");
        int at = 1 + random.nextInt(3);
        line("  local ok, e = pcall(function() for r = 1, 3 do for i = 1, " + (n + random.nextInt(2)) + " do " + step
                + " if r == " + at + " and i == " + (1 + random.nextInt(n)) + " then " + perturb + " end end end end) put(ok, e)");
        line("  put(#" + t + ", rawget(" + t + ", 1), " + t + "[2], select('#', table.unpack(" + t + ")))");
        line("  for i, v in ipairs(" + t + ") do put(i, v) end local ks = {} for k, v in pairs(" + t + ") do ks[#ks + 1] = show(k) .. '=' .. show(v) end"
                + " table.sort(ks) put(table.concat(ks, ' '))");
        line("  put(pcall(table.concat, " + t + ", ',')) put(pcall(table.sort, " + t + ")) put(pcall(table.unpack, " + t + "))");
        line("end");
    }

    // ---- values and expressions ----------------------------------------------------------------------

    /** A value of any type (no functions or threads: their text would be an address). */
    private String value() {
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> numberEdge();
            case 3, 4 -> pick("''", "'a'", "'10'", "' 5 '", "'0x1A'", "'1e2'", "'abc'", "'-0'", "'nan'", "'2.5'");
            case 5 -> pick("true", "false");
            case 6 -> "nil";
            case 7 -> "{tag = " + random.nextInt(5) + "}";
            case 8 -> globals.isEmpty() ? "nil" : global();
            default -> "(" + numberEdge() + " " + pick("+", "-", "*", "/", "%", "^", "..") + " " + numberEdge() + ")";
        };
    }

    private String errorValue() {
        return pick("nil", "false", "true", "42", "3.5", "-0.0", "0/0", "'msg'", "'10'", "{tag = 'err'}", "{}",
                "setmetatable({}, {__tostring = function() return 'custom' end})", "print", "coroutine.running()");
    }

    private String numberEdge() {
        return pick("0", "1", "-1", "3", "0.5", "-0.0", "(0/0)", "(-(0/0))", "(1/0)", "(-1/0)", "2^53", "(2^53 + 1)",
                "(2^53 - 1)", "-2^53", "2^31", "(2^31 - 1)", "-2^31", "2^63", "2^64", "1e15", "1e16", "1e100", "1e308",
                "(1e308 * 10)", "5e-324", "0.1", "(1/3)", "3.0", "-7", "123456789012", "math.huge", "-math.huge",
                "math.pi");
    }

    private String binary(String x, String y) {
        return x + " " + binaryOperator() + " " + y;
    }

    private String binaryOperator() {
        return pick("+", "-", "*", "/", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or");
    }

    private String unary(String x) {
        return pick("-", "#", "not ") + x;
    }

    private String global() {
        return globals.get(random.nextInt(globals.size()));
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private int id() {
        return ids++;
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}
