package org.scriptbox.engine.vm;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * The VM's arithmetic ({@code + - * / % ^}, unary {@code -}) and the numeric {@code for}'s operands, for the
 * interpreter ({@link MeteredClosure}) and compiled code alike. Two numbers go straight to Luaj's own number
 * operations. Anything else is Lua 5.2's {@code luaV_arith}: both operands converted to numbers, a string as
 * {@link NumberText#parse} reads it (Lua's {@code luaO_str2d}: any C space around it, hexadecimal integers and
 * fractions, no {@code inf}/{@code nan}); if either cannot be, the {@code __add}... metamethod of the first operand,
 * else of the second; else the error. Luaj's {@code LuaString} arithmetic, which this replaces, used its own scan:
 * {@code '0x' + 1} was an ArrayIndexOutOfBoundsException ("internal error of the engine"), {@code '\n7' + 0} an
 * error, and {@code 1 + 'a'} blamed a unary minus.
 *
 * <p>The error texts are Luaj's forms ({@code attempt to perform arithmetic __add on string and number}), which
 * {@code errors.RuntimeErrorText} rewrites as Lua 5.4 words them, naming the culprit, where the error unwinds the
 * frame; the {@code for} errors are Lua 5.4's ({@code bad 'for' limit (number expected, got string)}).
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    private static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MOD = 4, POW = 5;
    private static final LuaValue[] EVENTS = {LuaValue.ADD, LuaValue.SUB, LuaValue.MUL, LuaValue.DIV, LuaValue.MOD, LuaValue.POW};

    public static LuaValue add(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? a.add(b) : other(m, ADD, a, b);
    }

    public static LuaValue sub(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? a.sub(b) : other(m, SUB, a, b);
    }

    public static LuaValue mul(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? a.mul(b) : other(m, MUL, a, b);
    }

    public static LuaValue div(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? quotient(a, b) : other(m, DIV, a, b);
    }

    /**
     * {@code a / b} of two numbers: Luaj's ({@code LuaDouble.ddiv}: {@code x / 0} is inf, nan or -inf by the sign of x),
     * but NaN divided by zero is NaN as in C and Lua, where Luaj's said -inf (red team E15); compiled code's
     * {@code Ops.div} alike.
     */
    private static LuaValue quotient(LuaValue a, LuaValue b) {
        return b.todouble() == 0 && Double.isNaN(a.todouble()) ? a : a.div(b);
    }

    public static LuaValue mod(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? a.mod(b) : other(m, MOD, a, b);
    }

    public static LuaValue pow(Meter m, LuaValue a, LuaValue b) {
        return a instanceof LuaNumber && b instanceof LuaNumber ? a.pow(b) : other(m, POW, a, b);
    }

    /** Unary minus: a number or a numeric string negated, else {@code __unm} (called with the operand twice, as Lua does). */
    public static LuaValue neg(Meter m, LuaValue a) {
        if (a instanceof LuaNumber) {
            return a.neg();
        }
        LuaValue x = number(m, a);
        if (x != null) {
            return x.neg();
        }
        LuaValue h = a.metatag(LuaValue.UNM);
        if (h.isnil()) {
            throw new LuaError("attempt to perform arithmetic on " + a.typename());
        }
        return h.call(a, a);
    }

    /**
     * An operand of a numeric {@code for} ({@code what}: "initial", "limit" or "step") as a number: a number, or the
     * number a string denotes (Lua converts both), else Lua 5.4's error.
     */
    public static LuaValue forValue(Meter m, LuaValue v, String what) {
        if (v instanceof LuaNumber) {
            return v;
        }
        LuaValue x = number(m, v);
        if (x == null) {
            throw new LuaError("bad 'for' " + what + " (number expected, got " + v.typename() + ")");
        }
        return x;
    }

    /** Bytes of a string read free of charge (a numeral's length); beyond, one instruction per {@link #BYTES_PER_UNIT}. */
    static final int SCANNED_BYTES_FREE = 64;
    /** As the library doors' scans ({@code tonumber}, number arguments: internal.LibraryCall's unit). */
    static final int BYTES_PER_UNIT = 8;

    /**
     * The number {@code v} is or denotes for arithmetic (a number, or a string {@link NumberText} reads), or null. A
     * long string's scan is charged by its length, as {@code tonumber}'s is (red team E8: {@code s + 1} over 9,991
     * digits cost 150-420x a plain instruction, for one).
     */
    static LuaValue number(Meter m, LuaValue v) {
        if (v instanceof LuaNumber) {
            return v;
        }
        if (v.type() != LuaValue.TSTRING) {
            return null;
        }
        // a string of another class (a library argument's WideString) is its original string's text
        LuaString s = v instanceof LuaString ? (LuaString) v : v.checkstring();
        if (s.m_length > SCANNED_BYTES_FREE) {
            m.charge(s.m_length / BYTES_PER_UNIT);
        }
        double d = NumberText.parse(s);
        return Double.isNaN(d) ? null : LuaValue.valueOf(d);
    }

    private static LuaValue other(Meter m, int op, LuaValue a, LuaValue b) {
        LuaValue x = number(m, a);
        LuaValue y = x == null ? null : number(m, b);
        if (y != null) {
            switch (op) {
                case ADD: return x.add(y);
                case SUB: return x.sub(y);
                case MUL: return x.mul(y);
                case DIV: return quotient(x, y);
                case MOD: return x.mod(y);
                default: return x.pow(y);
            }
        }
        LuaValue event = EVENTS[op];
        LuaValue h = a.metatag(event);
        if (h.isnil()) {
            h = b.metatag(event);
            if (h.isnil()) {
                throw new LuaError("attempt to perform arithmetic " + event + " on " + a.typename() + " and " + b.typename());
            }
        }
        return h.call(a, b);
    }
}
