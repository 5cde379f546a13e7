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

    private LuaProgramGenerator(long seed) {
        this.random = new Random(seed);
    }

    static String program(long seed) {
        return new LuaProgramGenerator(seed).generate();
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
        int pick = random.nextInt(depth >= MAX_BLOCK_DEPTH ? 6 : 20);
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
