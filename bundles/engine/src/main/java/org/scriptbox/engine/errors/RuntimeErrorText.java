package org.scriptbox.engine.errors;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

/**
 * Luaj's texts for the errors of the VM's own operations ({@code attempt to call nil}, {@code attempt to
 * index ? (a nil value)}, {@code attempt to perform arithmetic __add on nil and number} ...) rewritten
 * as Lua 5.4 words them, with the culprit named from the failing instruction ({@link VariableNames}):
 * {@code attempt to call a nil value (global 'f')}. Applied once, where the error first unwinds a Lua
 * frame (interpreted or compiled), to the instruction that frame was running.
 */
public final class RuntimeErrorText {
    private static final Pattern CALL = Pattern.compile("attempt to call (\\w+)");
    private static final Pattern INDEX = Pattern.compile("attempt to index \\? \\(a (\\w+) value\\)|index expected, got (\\w+)");
    private static final Pattern ARITH2 = Pattern.compile("attempt to perform arithmetic __(\\w+) on (\\w+) and (\\w+)");
    private static final Pattern ARITH1 = Pattern.compile("attempt to perform arithmetic on (\\w+)");
    private static final Pattern CONCAT = Pattern.compile("attempt to concatenate (\\w+) and (\\w+)");
    private static final Pattern LENGTH = Pattern.compile("attempt to get length of (\\w+)");

    private RuntimeErrorText() {
    }

    /**
     * The message of an error that the instruction at {@code pc} raised, in Lua 5.4's words; any other
     * message comes back unchanged. {@code named}: whether {@code pc} is the exact failing instruction
     * (see {@link ErrorSites}), so that the culprit can be named. {@code concatOperand}: which operand of
     * a concatenation failed (counted from its first register), as the meter's concatenation check saw it.
     */
    public static String of(String message, Prototype p, int pc, boolean named, int concatOperand) {
        if (message == null) {
            return null;
        }
        boolean known = named && pc >= 0 && pc < p.code.length;
        int i = known ? p.code[pc] : 0;
        int op = known ? Lua.GET_OPCODE(i) : -1;
        Matcher m;
        if ((m = CALL.matcher(message)).matches()) {
            VariableNames.Name n = op == Lua.OP_CALL || op == Lua.OP_TAILCALL || op == Lua.OP_TFORCALL
                    ? VariableNames.calledFunction(p, pc) : null;
            return "attempt to call a " + m.group(1) + " value" + suffix(n);
        }
        if ((m = INDEX.matcher(message)).matches()) {
            String type = m.group(1) != null ? m.group(1) : m.group(2);
            return "attempt to index a " + type + " value" + suffix(indexed(p, pc, i, op));
        }
        String t1;
        String t2;
        String name;
        if ((m = ARITH2.matcher(message)).matches()) {
            name = m.group(1);
            t1 = m.group(2);
            t2 = m.group(3);
        } else if ((m = ARITH1.matcher(message)).matches()) {
            name = "unm";
            t1 = m.group(1);
            t2 = t1;
        } else {
            name = null;
            t1 = null;
            t2 = null;
        }
        if (name != null) {
            if ("string".equals(t1) || "string".equals(t2)) {
                // Lua 5.4 does arithmetic on strings in the string library's metamethods, which say this
                return "attempt to " + name + " a '" + t1 + "' with a '" + t2 + "'";
            }
            boolean unary = op == Lua.OP_UNM;
            boolean first = unary || !"number".equals(t1);
            VariableNames.Name n = null;
            if (op >= Lua.OP_ADD && op <= Lua.OP_UNM) {
                int rk = first ? Lua.GETARG_B(i) : Lua.GETARG_C(i);
                n = unary || !Lua.ISK(rk) ? VariableNames.register(p, pc, rk) : null;
            }
            return "attempt to perform arithmetic on a " + (first ? t1 : t2) + " value" + suffix(n);
        }
        if ((m = CONCAT.matcher(message)).matches()) {
            String left = m.group(1);
            String culprit = "string".equals(left) || "number".equals(left) ? m.group(2) : left;
            VariableNames.Name n = null;
            if (op == Lua.OP_CONCAT && concatOperand >= 0) {
                int reg = Lua.GETARG_B(i) + concatOperand;
                n = reg <= Lua.GETARG_C(i) ? VariableNames.register(p, pc, reg) : null;
            }
            return "attempt to concatenate a " + culprit + " value" + suffix(n);
        }
        if ((m = LENGTH.matcher(message)).matches()) {
            return "attempt to get length of a " + m.group(1) + " value"
                    + suffix(op == Lua.OP_LEN ? VariableNames.register(p, pc, Lua.GETARG_B(i)) : null);
        }
        return message;
    }

    /** Whether instruction {@code i} can raise an error whose message names a culprit (or a traceback name). */
    public static boolean canName(int i) {
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_GETTABUP: case Lua.OP_GETTABLE: case Lua.OP_SETTABUP: case Lua.OP_SETTABLE:
            case Lua.OP_SELF: case Lua.OP_ADD: case Lua.OP_SUB: case Lua.OP_MUL: case Lua.OP_DIV:
            case Lua.OP_MOD: case Lua.OP_POW: case Lua.OP_UNM: case Lua.OP_LEN: case Lua.OP_CONCAT:
            case Lua.OP_CALL: case Lua.OP_TAILCALL: case Lua.OP_TFORCALL: case Lua.OP_LT: case Lua.OP_LE:
            case Lua.OP_EQ: case Lua.OP_FORPREP:
                return true;
            default:
                return false;
        }
    }

    /** Lua 5.4's text for an order comparison ({@code <}, {@code <=}) of two values that have none. */
    public static String orderError(LuaValue a, LuaValue b) {
        String t1 = a.typename();
        String t2 = b.typename();
        return t1.equals(t2) ? "attempt to compare two " + t1 + " values" : "attempt to compare " + t1 + " with " + t2;
    }

    private static VariableNames.Name indexed(Prototype p, int pc, int i, int op) {
        switch (op) {
            case Lua.OP_GETTABLE:
            case Lua.OP_SELF:
                return VariableNames.register(p, pc, Lua.GETARG_B(i));
            case Lua.OP_SETTABLE:
                return VariableNames.register(p, pc, Lua.GETARG_A(i));
            case Lua.OP_GETTABUP:
                return new VariableNames.Name("upvalue", VariableNames.upvalue(p, Lua.GETARG_B(i)));
            case Lua.OP_SETTABUP:
                return new VariableNames.Name("upvalue", VariableNames.upvalue(p, Lua.GETARG_A(i)));
            default:
                return null;
        }
    }

    private static String suffix(VariableNames.Name n) {
        return n == null ? "" : n.suffix();
    }
}
