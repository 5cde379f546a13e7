package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random Lua programs for {@link DifferentialFuzzTest}: the same seed gives the same program.
 *
 * <p>Shapes that stress LuaJC's register, upvalue and branch handling: nested while/repeat/numeric-for/
 * generic-for loops (with {@code break} and {@code goto continue}), closures stored in a table {@code F}
 * and called from anywhere (capturing loop variables, parameters and outer locals, and assigning them),
 * local functions, varargs ({@code select('#', ...)}, {@code select(n, ...)}, {@code {...}}), multiple
 * assignment and multiple results, and/or chains, {@code pcall} around code that raises errors (string
 * errors with positions and runtime errors), coroutines, string building, and a rare uncaught error. Every
 * intermediate result goes into a table {@code acc}, returned as one string at the end.
 *
 * <p>Termination is by construction: loop counters are never assigned (only numeric-for variables, which
 * do not steer the loop in Lua 5.2), loops run at most 4 times, and the function in {@code F[i]} calls
 * only {@code F[j]} with {@code j < i} (local functions and coroutine bodies call none), so calls cannot
 * recurse. Values are numbers or strings only (no table or function addresses in the output).
 */
final class LuaProgramGenerator {
    private static final int SLOTS = 4;
    private static final int MAX_BLOCK_DEPTH = 4;

    private final Random random;
    private final StringBuilder out = new StringBuilder();
    private int ids;

    /** Visible variables, innermost last; {@code readOnly} marks loop counters that must not be assigned. */
    private final List<Variable> scope = new ArrayList<>();
    private final List<String> localFunctions = new ArrayList<>();
    /** Calls to F[j] are allowed for j below this (SLOTS + 1 at the top level). */
    private int callLimit = SLOTS + 1;
    private boolean inVararg;
    private boolean inLoop;
    private int loopNesting;

    private record Variable(String name, boolean readOnly) {
    }

    /** Also the shapes added for the engine's own compiler (see {@link #extendedStatement}). */
    private final boolean extended;

    private LuaProgramGenerator(long seed, boolean extended) {
        this.random = new Random(seed);
        this.extended = extended;
    }

    static String program(long seed) {
        return new LuaProgramGenerator(seed, false).generate();
    }

    /**
     * With the shapes added for the engine's own compiler (AsmDifferentialFuzzTest): metatables and their
     * metamethods, numeric edge cases (NaN, -0, infinities, huge and integer-valued doubles, integer
     * overflow in for loops), upvalues shared with coroutines, closures created in loops and across a
     * backward goto, varargs passed on, and long string comparisons. The same seed gives another program
     * than {@link #program(long)} (which LuaJC's fuzz test keeps as it was).
     */
    static String extendedProgram(long seed) {
        return new LuaProgramGenerator(seed, true).generate();
    }

    private String generate() {
        out.append("local acc, F, T = {}, {}, {1, 2, 3}\n");
        block(0, 3 + random.nextInt(5));
        // Call every slot at the end, so closures defined late also run.
        out.append("for i = 1, ").append(SLOTS).append(" do if F[i] then acc[#acc + 1] = F[i](i, 1, 2) end end\n");
        out.append("local n = 0\nfor _, x in pairs(T) do n = n + (tonumber(x) or 1) end\n");
        out.append("return table.concat(acc, ','), #acc, n");
        Variable last = anyVariable();
        if (last != null) {
            out.append(", ").append(last.name);
        }
        out.append('\n');
        return out.toString();
    }

    // ---- statements ----------------------------------------------------------------------------------

    private void block(int depth, int statements) {
        int mark = scope.size();
        int functionMark = localFunctions.size();
        for (int i = 0; i < statements; i++) {
            statement(depth);
        }
        truncate(scope, mark);
        truncate(localFunctions, functionMark);
    }

    private void statement(int depth) {
        int pick = random.nextInt(depth >= MAX_BLOCK_DEPTH ? 6 : extended ? 30 : 20);
        if (pick >= 20) {
            extendedStatement(pick, depth);
            return;
        }
        switch (pick) {
            case 0, 1 -> local(depth);
            case 2 -> assign(depth);
            case 3, 4 -> line(depth, "acc[#acc + 1] = " + expr(2));
            case 5 -> line(depth, "T[" + (1 + random.nextInt(5)) + "] = " + expr(2));
            case 6 -> ifStatement(depth);
            case 7 -> whileLoop(depth);
            case 8 -> repeatLoop(depth);
            case 9 -> numericFor(depth);
            case 10 -> genericFor(depth);
            case 11 -> {
                line(depth, "do");
                block(depth + 1, 1 + random.nextInt(3));
                line(depth, "end");
            }
            case 12, 13 -> functionInSlot(depth);
            case 14 -> localFunction(depth);
            case 15 -> protectedCall(depth);
            case 16 -> multipleAssignment(depth);
            case 17 -> coroutine(depth);
            case 18 -> line(depth, "acc[#acc + 1] = ('" + (char) ('a' + random.nextInt(26)) + "'):rep("
                    + random.nextInt(3) + ") .. tostring(" + expr(1) + ")");
            default -> {
                if (inLoop && random.nextBoolean()) {
                    line(depth, "if " + expr(1) + " > " + random.nextInt(8) + " then break end");
                } else if (depth == 0 && random.nextInt(4) == 0) {
                    line(depth, "if #acc > " + (5 + random.nextInt(30)) + " then error('stop ' .. #acc) end");
                } else {
                    line(depth, "acc[#acc + 1] = " + expr(3));
                }
            }
        }
    }

    private void extendedStatement(int pick, int depth) {
        String n = "x" + id();
        switch (pick) {
            case 20 -> {
                // metamethods: each returns a number (or a string for __concat)
                line(depth, "local " + n + " = setmetatable({}, {__index = function(t, k) return k + 1 end,"
                        + " __add = function(a, b) return 7 end, __sub = function(a, b) return 8 end,"
                        + " __mul = function(a, b) return 9 end, __unm = function(a) return 10 end,"
                        + " __len = function(a) return 3 end, __call = function(self, y) return (y or 0) + 2 end,"
                        + " __lt = function(a, b) return true end, __le = function(a, b) return false end,"
                        + " __eq = function(a, b) return true end, __concat = function(a, b) return 'c' end,"
                        + " __newindex = function(t, k, v) rawset(t, k, v * 2) end})");
                line(depth, n + "[" + (20 + random.nextInt(5)) + "] = " + expr(1));
                line(depth, "acc[#acc + 1] = " + n + "[" + expr(1) + "] + (" + n + " + " + expr(1) + ") + (" + expr(1)
                        + " - " + n + ") + (" + n + " * " + n + ") + (-" + n + ") + #" + n + " + " + n + "(" + expr(1)
                        + ") + ((" + n + " < " + n + ") and 1 or 0) + ((" + n + " <= " + n + ") and 1 or 0)"
                        + " + ((" + n + " == setmetatable({}, getmetatable(" + n + "))) and 1 or 0)");
                line(depth, "acc[#acc + 1] = " + n + " .. 'x' .. " + expr(1) + " .. " + n);
                line(depth, "acc[#acc + 1] = rawget(" + n + ", 20) or rawget(" + n + ", 21) or -1");
            }
            case 21 -> {
                // numeric edge cases; tostring gives the same text in both modes (both are Luaj)
                String[] edges = {"0/0", "-(0/0)", "-0.0", "1/0", "-1/0", "2^53", "2^53 + 1", "2^31", "2^31 - 1",
                    "-2^31", "2^63", "1e308 * 10", "-1e308 * 10", "5 % -3", "-5 % 3", "5.5 % -2", "3 % 0",
                    "math.huge - math.huge", "1/(-0.0)", "3.0", "7 / 2", "2^0.5", "(-8)^(1/3)", "math.floor(-0.5)",
                    "math.fmod(7, -3)", "(0/0 == 0/0 and 1 or 0)", "(-0.0 == 0 and 1 or 0)", "(1/0 > 2^1000 and 1 or 0)",
                    "((0/0) < 1 and 1 or 0)", "((0/0) >= 1 and 1 or 0)"};
                line(depth, "local " + n + " = " + edges[random.nextInt(edges.length)] + " " + (random.nextBoolean()
                        ? "+ " + expr(1) : ""));
                line(depth, "acc[#acc + 1] = tostring(" + n + ") .. ':' .. tostring(" + n + " == " + n + ") .. ':'"
                        + " .. tostring(" + n + " < " + expr(1) + ") .. ':' .. tostring(-" + n + ")");
                // the same number through every door that makes text of it (session 7, C9): .., table.concat, format, the
                // string library, tonumber of its text (no random draw here: the programs of every seed stay as they were)
                line(depth, "acc[#acc + 1] = " + n + " .. '|' .. " + n + " .. table.concat({" + n + ", -" + n + "}, ',')"
                        + " .. string.format('|%s|%g|%.3f|%q|%a|%5.1e|', " + n + ", " + n + ", " + n + ", " + n + ", " + n + ", " + n + ")"
                        + " .. string.rep(" + n + ", 2, ';') .. tostring(tonumber(tostring(" + n + ")) == " + n + ")"
                        + " .. select(2, pcall(string.format, '%d', " + n + "))");
                // integer-valued doubles and int overflow in numeric for (Luaj's LuaInteger fast path)
                String from = random.nextBoolean() ? "2^31 - 2" : "2147483646";
                line(depth, "do local c = 0 for q = " + from + ", 2^31 + 1 do c = c + 1 end"
                        + " for q = -2^31 + 1, -2^31 - 1, -1 do c = c + 1 end acc[#acc + 1] = c end");
                // long strings compared (charged per byte compared)
                line(depth, "acc[#acc + 1] = ((('y'):rep(40) .. " + expr(1) + ") < (('y'):rep(40) .. " + expr(1)
                        + ")) and 1 or 0");
            }
            case 22 -> {
                // an upvalue shared by a coroutine and its resumer, both assigning it
                if (loopNesting > 0 || callLimit <= SLOTS) {
                    local(depth);
                    return;
                }
                String co = "co" + id();
                line(depth, "local " + n + " = " + expr(1));
                line(depth, "local " + co + " = coroutine.wrap(function() for k = 1, 3 do " + n + " = " + n
                        + " + k coroutine.yield(" + n + ") end return " + n + " end)");
                line(depth, "acc[#acc + 1] = " + co + "()");
                line(depth, n + " = " + n + " * 2");
                line(depth, "acc[#acc + 1] = " + co + "() + " + n);
                line(depth, "acc[#acc + 1] = " + co + "() + " + co + "() + " + n);
                scope.add(new Variable(n, false));
            }
            case 23 -> {
                // closures created in loops: a fresh local per iteration, the loop variable, a shared local
                line(depth, "local " + n + " = {}");
                line(depth, "local s" + n + " = 0");
                line(depth, "for i = 1, " + (1 + random.nextInt(3)) + " do local y = i * " + expr(1) + " "
                        + n + "[#" + n + " + 1] = function() y = y + 1 s" + n + " = s" + n + " + 1 return y + i end end");
                line(depth, "do local w = 0 while w < 2 do w = w + 1 local z = w " + n + "[#" + n
                        + " + 1] = function() z = z + w return z end end end");
                line(depth, "for _, f in ipairs(" + n + ") do acc[#acc + 1] = f() + f() end");
                line(depth, "acc[#acc + 1] = s" + n);
            }
            case 24 -> {
                // varargs passed on, truncated, with nils inside
                line(depth, "local function " + n + "(...) local a, b = ... return select('#', ...), (a or 0) + (b or 0), ... end");
                line(depth, "do local r = {" + n + "(" + expr(1) + ", nil, " + expr(1) + ")} acc[#acc + 1] = #r .. ':' .. r[1]"
                        + " .. ':' .. r[2] .. ':' .. select('#', " + n + "()) .. ':' .. select('#', " + n + "(nil, nil)) end");
                line(depth, "acc[#acc + 1] = select(-1, " + n + "(" + expr(1) + ", " + expr(1) + "))");
                line(depth, "acc[#acc + 1] = select('#', table.unpack({" + n + "(1, 2, 3)}))");
            }
            case 25 -> {
                // a backward goto across a captured local: each lap a new upvalue (JMP closes it)
                line(depth, "do local k, fs = 0, {} ::top" + n + ":: local c = k * " + expr(1)
                        + " fs[#fs + 1] = function() c = c + 1 return c end k = k + 1 if k < 3 then goto top" + n + " end"
                        + " acc[#acc + 1] = fs[1]() + fs[2]() * 10 + fs[3]() * 100 + fs[1]() end");
            }
            case 27 -> numericLoop(depth, n);
            case 28 -> coercionsAndMetamethods(depth, n);
            case 29 -> {
                // numbers that reach a value use: table keys and values, arguments, returns, upvalues, concat
                line(depth, "do local t, r = {}, 0 for q = 1, " + (2 + random.nextInt(4)) + " do local h = q * "
                        + numberLeaf() + " - " + expr(1) + " t[h] = q / 2 t[q + 0.5] = h r = r + (t[h] or 0)"
                        + " + select(2, q, h * 2) + math.max(h, q) end"
                        + " local g = 0 for q = 1, 3 do local z = q * 2.5 g = g + (function() return z + q end)() end"
                        + " acc[#acc + 1] = tostring(r) .. ':' .. tostring(g) .. ':' .. (r .. '') .. ':' .. #t end");
            }
            default -> {
                // and/or, not, comparisons of mixed values
                line(depth, "acc[#acc + 1] = ((not " + expr(1) + ") and 1 or 0) + ((nil or false) and 1 or 2)"
                        + " + ((" + expr(1) + " ~= " + expr(1) + ") and 4 or 8) + (('a' < 'b') and 16 or 32)");
            }
        }
    }

    /** A number literal of one of Luaj's kinds: small or big integer, integral or fractional double, -0. */
    private String numberLeaf() {
        String[] k = {"3", "-2", "0.5", "2.0", "-0.0", "1e15", "2147483647", "-2147483648", "46341", "0.1", "1/3",
            "(0/0)", "(1/0)", "2^53"};
        return k[random.nextInt(k.length)];
    }

    /**
     * Numeric for loops and arithmetic in loops of every kind the compiler specialises: integer and float
     * steps (odd, negative, tiny), huge and infinite limits left by break, a start past the 32-bit integer
     * range, numeric strings as bounds, results that are -0, NaN, infinities or beyond 2^53, integers that
     * become doubles (and back), all of it compared and printed with tostring (3 vs 3.5 vs 1e+15).
     */
    private void numericLoop(int depth, String n) {
        String[] ranges = {"1, 3", "3, 1, -1", "0, 1, 0.25", "1, 2, 0.3", "-1, -2, -0.5", "0.5, 3.5", "1, 1/0",
            "2^31 - 2, 2^31 + 1", "-2^31 + 1, -2^31 - 1, -1", "2^53 - 1, 2^53 + 2", "'1', '3'", "1, '2', '0.5'",
            "1, 4, 2", "1e15, 1e15 + 2", "-0.0, 1", "0.1, 0.35, 0.1", "10, 1, -3.5", "1, 3, 1e-1 * 10",
            "1, 5, 0", "1, 0/0", "0/0, 1"};
        String range = ranges[random.nextInt(ranges.length)];
        String op = new String[] {"+", "-", "*", "/", "%", "^"}[random.nextInt(6)];
        String k = numberLeaf();
        line(depth, "do local " + n + ", c, m = 0, 0, 1 for q = " + range + " do c = c + 1 if c > 6 then break end"
                + " local w = q " + op + " " + k + " " + n + " = " + n + " + w m = m * (q % 3 + 0.5) - " + k
                + " if w ~= w then " + n + " = " + n + " + 1 elseif w < " + k + " then m = -m elseif q <= 2 then m = m / 0 end end"
                + " acc[#acc + 1] = tostring(" + n + ") .. ':' .. tostring(c) .. ':' .. tostring(m) .. ':' .. tostring(1 / ("
                + n + " * 0)) .. ':' .. tostring(-" + n + ") end");
        // a float accumulator steering a while loop; an integer that overflows 32 bits inside the loop
        line(depth, "do local x, y, z = " + numberLeaf() + ", 0.1, 2147483640 local c = 0 while x < 2 and c < 5 do"
                + " x = x + y * 3 y = -y * 1.5 z = z + 3 c = c + 1 end acc[#acc + 1] = tostring(x) .. ':' .. tostring(y)"
                + " .. ':' .. tostring(z) .. ':' .. tostring(z * z) .. ':' .. tostring(z - z) .. ':' .. tostring(-(z - z))"
                + " .. ':' .. tostring(x == x) end");
    }

    /**
     * Arithmetic whose operands are sometimes numbers and sometimes not, in one register: numeric strings
     * (coerced), tables with __add/__sub/__lt (metamethods), and a plain string (an error, caught): the
     * unboxed fast paths must give way to Luaj's own calls for exactly those.
     */
    private void coercionsAndMetamethods(int depth, String n) {
        String[] others = {"'10'", "' 5 '", "'0x10'", "'1e1'", "'2.5'", "setmetatable({}, {__add = function(a, b) return 100 end,"
            + " __sub = function(a, b) return -100 end, __mul = function() return 3 end, __div = function() return 0.5 end,"
            + " __mod = function() return 1 end, __pow = function() return 2 end, __unm = function() return 4 end,"
            + " __lt = function() return true end, __le = function() return false end})", "'abc'", "{}"};
        String other = others[random.nextInt(others.length)];
        String op = new String[] {"+", "-", "*", "/", "%", "^"}[random.nextInt(6)];
        String cmp = new String[] {"<", "<=", ">", ">=", "==", "~="}[random.nextInt(6)];
        line(depth, "do local o, s, t = " + other + ", 0, 0 for q = 1, 4 do local v = (q % 2 == 0) and o or q"
                + " local ok, r = pcall(function() return v " + op + " q, q " + op + " v, -v, (v " + cmp + " q) and 1 or 0 end)"
                + " if ok then s = s + (tonumber(r) or 0) else t = t + 1 end"
                + " local ok2, e = pcall(function() local a = q " + op + " 2 return a " + cmp + " v end)"
                + " t = t + (ok2 and (e and 2 or 3) or 5) end"
                + " acc[#acc + 1] = tostring(s) .. ':' .. tostring(t) end");
    }

    private void local(int depth) {
        String name = "v" + id();
        line(depth, "local " + name + " = " + expr(3));
        scope.add(new Variable(name, false));
    }

    private void assign(int depth) {
        Variable v = assignable();
        if (v == null) {
            local(depth);
        } else {
            line(depth, v.name + " = " + expr(3));
        }
    }

    private void multipleAssignment(int depth) {
        Variable a = assignable();
        Variable b = assignable();
        // distinct targets: Lua leaves the order of assignments to one variable undefined
        if (a == null || b == null || a.equals(b)) {
            local(depth);
            return;
        }
        if (random.nextBoolean()) {
            line(depth, a.name + ", " + b.name + " = " + b.name + ", " + a.name);
        } else {
            // multiple results of a call, truncated or padded with nil
            line(depth, a.name + ", " + b.name + " = " + "select(" + (1 + random.nextInt(3)) + ", " + expr(1)
                    + ", " + expr(1) + ")");
            line(depth, a.name + " = " + a.name + " or 0");
            line(depth, b.name + " = " + b.name + " or 0");
        }
    }

    private void ifStatement(int depth) {
        line(depth, "if " + expr(2) + " > " + expr(2) + " then");
        block(depth + 1, 1 + random.nextInt(3));
        if (random.nextBoolean()) {
            line(depth, random.nextBoolean() ? "else" : "elseif " + expr(1) + " == " + random.nextInt(3) + " then");
            block(depth + 1, 1 + random.nextInt(2));
        }
        line(depth, "end");
    }

    private void whileLoop(int depth) {
        String w = "w" + id();
        line(depth, "local " + w + " = 0");
        line(depth, "while " + w + " < " + (1 + random.nextInt(3)) + " do " + w + " = " + w + " + 1");
        loopBody(depth, new Variable(w, true));
        line(depth, "end");
    }

    private void repeatLoop(int depth) {
        String r = "r" + id();
        line(depth, "local " + r + " = 0");
        line(depth, "repeat " + r + " = " + r + " + 1");
        int mark = scope.size();
        scope.add(new Variable(r, true));
        boolean wasInLoop = inLoop;
        inLoop = true;
        loopNesting++;
        // the body's locals are visible in the until condition
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            statement(depth + 1);
        }
        loopNesting--;
        inLoop = wasInLoop;
        line(depth, "until " + r + " >= " + (1 + random.nextInt(3)) + " or " + expr(1) + " > 100");
        truncate(scope, mark + 1);
        scope.add(new Variable(r, true));
    }

    private void numericFor(int depth) {
        String i = "i" + id();
        String range = switch (random.nextInt(4)) {
            case 0 -> "1, " + (1 + random.nextInt(4));
            case 1 -> (1 + random.nextInt(3)) + ", 1, -1";
            case 2 -> "0, 1, 0.5";
            default -> "1, " + smallExpr() + " % 4";
        };
        line(depth, "for " + i + " = " + range + " do");
        boolean skip = random.nextInt(3) == 0;
        String label = "cont" + id();
        if (skip) {
            line(depth + 1, "if " + i + " == " + (1 + random.nextInt(2)) + " then goto " + label + " end");
        }
        // a numeric-for variable may be assigned: it does not steer the loop
        loopBody(depth, new Variable(i, false));
        if (skip) {
            line(depth + 1, "::" + label + "::");
        }
        line(depth, "end");
    }

    private void genericFor(int depth) {
        String g = "g" + id();
        String label = "cont" + id();
        StringBuilder items = new StringBuilder();
        for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
            items.append(k == 0 ? "" : ", ").append(expr(2));
        }
        line(depth, "for _, " + g + " in ipairs({" + items + "}) do");
        // rarely: LuaJC refuses a goto that skips a closure capturing the loop variable (NPE in its analysis)
        boolean skip = random.nextInt(3) == 0;
        if (skip) {
            line(depth + 1, "if " + g + " > " + random.nextInt(8) + " then goto " + label + " end");
        }
        loopBody(depth, new Variable(g, false));
        if (skip) {
            line(depth + 1, "::" + label + "::");
        }
        line(depth, "end");
    }

    private void loopBody(int depth, Variable counter) {
        int mark = scope.size();
        scope.add(counter);
        boolean wasInLoop = inLoop;
        inLoop = true;
        loopNesting++;
        block(depth + 1, 1 + random.nextInt(loopNesting > 2 ? 2 : 4));
        loopNesting--;
        inLoop = wasInLoop;
        truncate(scope, mark);
    }

    /** A closure stored in F[slot]: it captures whatever is in scope, and may assign it. */
    private void functionInSlot(int depth) {
        int slot = 1 + random.nextInt(SLOTS);
        String p = "p" + id();
        line(depth, "F[" + slot + "] = function(" + p + ", ...)");
        functionBody(depth, slot, true, p);
        line(depth + 1, "return " + p + " + select('#', ...) end");
    }

    /** A local function calls no F and no local function: nothing can recurse through it. */
    private void localFunction(int depth) {
        String name = "lf" + id();
        String p = "p" + id();
        line(depth, "local " + name + " = function(" + p + ")");
        functionBody(depth, 0, false, p);
        line(depth + 1, "return " + p + " * 2 - 1, " + p + " end");
        localFunctions.add(name);
    }

    private void functionBody(int depth, int limit, boolean vararg, String parameter) {
        int savedLimit = callLimit;
        boolean savedVararg = inVararg;
        boolean savedInLoop = inLoop;
        int savedNesting = loopNesting;
        List<String> savedFunctions = new ArrayList<>(localFunctions);
        callLimit = limit;
        inVararg = vararg;
        inLoop = false;
        loopNesting = 0;
        if (limit == 0) {
            localFunctions.clear();
        }
        int mark = scope.size();
        scope.add(new Variable(parameter, false));
        line(depth + 1, parameter + " = " + parameter + " or 0");
        block(depth + 1, 1 + random.nextInt(4));
        truncate(scope, mark);
        localFunctions.clear();
        localFunctions.addAll(savedFunctions);
        callLimit = savedLimit;
        inVararg = savedVararg;
        inLoop = savedInLoop;
        loopNesting = savedNesting;
    }

    /** Errors raised (or not) inside pcall: the message, with its position, goes into acc. */
    private void protectedCall(int depth) {
        String ok = "ok" + id();
        String e = "e" + id();
        line(depth, "local " + ok + ", " + e + " = pcall(function()");
        int savedLimit = callLimit;
        boolean savedInLoop = inLoop;
        boolean savedVararg = inVararg;
        inLoop = false;
        inVararg = false;
        int mark = scope.size();
        block(depth + 1, 1 + random.nextInt(2));
        String cond = expr(1) + " > " + random.nextInt(6);
        switch (random.nextInt(3)) {
            case 0 -> line(depth + 1, "if " + cond + " then error('e' .. " + expr(1) + ") end");
            case 1 -> line(depth + 1, "if " + cond + " then local t = T.missing.field end");
            default -> line(depth + 1, "if " + cond + " then return nil + " + expr(1) + " end");
        }
        line(depth + 1, "return " + expr(2));
        truncate(scope, mark);
        callLimit = savedLimit;
        inLoop = savedInLoop;
        inVararg = savedVararg;
        line(depth, "end)");
        line(depth, "acc[#acc + 1] = tostring(" + ok + ") .. ':' .. tostring(" + e + ")");
    }

    /** Only outside loops and functions: each coroutine is a thread in Luaj. It runs to its end. */
    private void coroutine(int depth) {
        if (loopNesting > 0 || callLimit <= SLOTS) {
            local(depth);
            return;
        }
        String co = "co" + id();
        String a = "a" + id();
        line(depth, "local " + co + " = coroutine.wrap(function(" + a + ")");
        line(depth + 1, "for k = 1, 3 do coroutine.yield(" + a + " + k) end");
        line(depth + 1, "return 0");
        line(depth, "end)");
        line(depth, "acc[#acc + 1] = " + co + "(" + expr(1) + ") + " + co + "() * 10 + " + co + "() + " + co + "()");
    }

    // ---- expressions (always a number) ---------------------------------------------------------------

    private String expr(int depth) {
        if (depth <= 0) {
            return leaf();
        }
        return switch (random.nextInt(17)) {
            case 0, 1 -> leaf();
            case 2 -> "(" + expr(depth - 1) + " + " + expr(depth - 1) + ")";
            case 3 -> "(" + expr(depth - 1) + " * 2 - " + expr(depth - 1) + ")";
            case 4 -> "(" + expr(depth - 1) + " % 7)";
            case 5 -> "(" + expr(depth - 1) + " > " + expr(depth - 1) + " and 1 or 2)";
            case 6 -> "select('#', " + expr(depth - 1) + ", " + expr(depth - 1) + ")";
            case 7 -> "(select(" + (1 + random.nextInt(2)) + ", " + expr(depth - 1) + ", " + expr(depth - 1) + "))";
            case 8, 9 -> call(depth);
            case 10 -> "math.floor(" + expr(depth - 1) + " / " + (2 + random.nextInt(3)) + ")";
            case 11 -> "#tostring(" + expr(depth - 1) + ")";
            case 12 -> "(T[" + (1 + random.nextInt(5)) + "] or 0)";
            case 13 -> "(" + expr(depth - 1) + " == " + expr(depth - 1) + " and 3 or 4)";
            case 14 -> "(-" + expr(depth - 1) + ")";
            case 15 -> inVararg ? varargExpr() : "#acc";
            default -> "((" + expr(depth - 1) + " < 3 or " + expr(depth - 1) + " > 5) and 5 or 6)";
        };
    }

    private String varargExpr() {
        return switch (random.nextInt(3)) {
            case 0 -> "select('#', ...)";
            case 1 -> "((...) or 0)";
            default -> "#{...}";
        };
    }

    private String call(int depth) {
        if (!localFunctions.isEmpty() && random.nextBoolean()) {
            String f = localFunctions.get(random.nextInt(localFunctions.size()));
            return random.nextBoolean() ? "(" + f + "(" + expr(depth - 1) + "))" : "select('#', " + f + "(" + expr(depth - 1) + "))";
        }
        if (callLimit <= 1) {
            return leaf();
        }
        int slot = 1 + random.nextInt(Math.min(SLOTS, callLimit - 1));
        StringBuilder args = new StringBuilder(expr(depth - 1));
        for (int k = 0, n = random.nextInt(3); k < n; k++) {
            args.append(", ").append(expr(depth - 2));
        }
        return "(F[" + slot + "] and F[" + slot + "](" + args + ") or 1)";
    }

    private String leaf() {
        Variable v = anyVariable();
        if (v != null && random.nextInt(3) != 0) {
            // variables always hold numbers; the 'or 0' guard adds branches (and LuaJC compile time)
            return random.nextInt(4) == 0 ? "(" + v.name + " or 0)" : v.name;
        }
        return random.nextInt(8) == 0 ? "0.5" : Integer.toString(random.nextInt(10));
    }

    private String smallExpr() {
        Variable v = anyVariable();
        return v == null ? Integer.toString(random.nextInt(5)) : "(" + v.name + " or 0)";
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private Variable anyVariable() {
        return scope.isEmpty() ? null : scope.get(random.nextInt(scope.size()));
    }

    private Variable assignable() {
        List<Variable> candidates = scope.stream().filter(v -> !v.readOnly).toList();
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    private int id() {
        return ids++;
    }

    private void line(int depth, String text) {
        out.append("  ".repeat(depth)).append(text).append('\n');
    }

    private static void truncate(List<?> list, int size) {
        while (list.size() > size) {
            list.remove(list.size() - 1);
        }
    }
}
