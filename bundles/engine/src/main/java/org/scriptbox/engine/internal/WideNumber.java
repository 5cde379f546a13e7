package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.MathLib;
import org.scriptbox.api.text.LuaNumbers;
import org.scriptbox.engine.vm.NumberText;

/**
 * A number outside the int range (or NaN, or an infinity) as a library function receives it. {@link LibraryCall}
 * puts one in place of every such {@code LuaDouble} argument: Luaj's {@code LuaDouble} converts to an int by
 * wrapping modulo 2^32 ({@code string.rep('x', 2^32 + 2)} was {@code "xx"}), and its int conversions are where
 * every integer argument of every library function goes ({@code Varargs.checkint(i)} is
 * {@code arg(i).checknumber().toint()}), so refusing them here holds for all of them without a list. Everything
 * else is {@code LuaDouble}'s behaviour (arithmetic, comparison, equality, hash, text), so a value that a library
 * function stores or hands on (a table element, a coroutine's argument) is the same number to everybody.
 * (Until session 5 this was a patched copy of {@code LuaDouble} in Luaj's package.)
 * <p>Its text is Lua's ({@link NumberText}), not {@code LuaDouble}'s: and for the functions that read their number
 * arguments as text ({@code string.*}, {@code table.concat}: {@link #guardText}) every double argument is one, an
 * in-range one ({@code 1/3}) without the refusals, so {@code string.rep(1/3, 2)} repeats {@code 0.33333333333333}.
 */
final class WideNumber extends LuaNumber {
    private final double v;
    /** Beyond the int range (the int conversions refuse it), or a double in it that is here for its text only. */
    private final boolean wide;

    private WideNumber(double v) {
        this(v, true);
    }

    private WideNumber(double v, boolean wide) {
        this.v = v;
        this.wide = wide;
    }

    /** As {@link #guard(LuaValue, Budget)}, and an in-range double as a number with Lua's text (see the class comment). */
    static LuaValue guardText(LuaValue value, Budget budget) {
        if (value instanceof LuaDouble) {
            double d = value.todouble();
            int weight = NumberText.weight(d);
            if (weight > 1) {
                budget.charge((weight - 1) * Budget.FLOAT_TEXT_COST); // its text may be made: an expensive one is paid for
            }
            return new WideNumber(d, !(d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE));
        }
        return guard(value, budget);
    }

    /** {@code value} itself, or a WideNumber if it is a double an int conversion would wrap. */
    static LuaValue guard(LuaValue value) {
        if (value instanceof LuaDouble) {
            double d = value.todouble();
            if (!(d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE)) {
                return new WideNumber(d);
            }
        }
        return value;
    }

    /** Bytes of a string looked at per instruction charged (as {@link LibraryCall#BYTES_PER_UNIT}). */
    private static final int SCANNED_BYTES_FREE = 64;

    /**
     * {@code value} itself, or a {@link WideNumber} (a double an int conversion would wrap) or {@link WideString} (a
     * numeric string whose number is such a double) in its place; a long string read for it is charged to {@code budget}.
     */
    static LuaValue guard(LuaValue value, Budget budget) {
        if (value instanceof LuaString) {
            return numericString((LuaString) value, budget);
        }
        return guard(value);
    }

    private static LuaValue numericString(LuaString s, Budget budget) {
        byte[] b = s.m_bytes;
        int i = s.m_offset;
        int end = i + s.m_length;
        while (i < end && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) {
            i++;
        }
        if (i == end) {
            return s;
        }
        byte c = b[i];
        if (!(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.')) {
            return s; // the common case: text, a pattern, a format
        }
        if (s.m_length > SCANNED_BYTES_FREE) {
            budget.charge(s.m_length / LibraryCall.BYTES_PER_UNIT);
        }
        double d = NumberText.parse(s); // Lua's reading (Luaj's own scan failed on "0x": NumberText.parse)
        if (!Double.isNaN(d) && !(d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) || !readAlikeByLuaj(b, s.m_offset, s.m_offset + s.m_length)) {
            return new WideString(s, d);
        }
        return s;
    }

    /**
     * Whether Luaj's own scan reads {@code b[i, end)} as Lua does (no number, or an in-range one that {@link #guard}
     * leaves alone): plain decimal text of at most 64 characters, spaces around it (Luaj trims nothing else).
     */
    private static boolean readAlikeByLuaj(byte[] b, int i, int end) {
        if (end - i > 64) {
            return false;
        }
        for (int k = i; k < end; k++) {
            byte c = b[k];
            if (!(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' || c == ' ')) {
                return false;
            }
        }
        return true;
    }

    /** The plain value again (for the results a library function returns). */
    static LuaValue unguard(LuaValue value) {
        if (value instanceof WideNumber) {
            return LuaValue.valueOf(((WideNumber) value).v);
        }
        return value instanceof WideString ? ((WideString) value).string() : value;
    }

    private LuaError outOfRange() {
        return new LuaError("bad argument: number has no integer representation (" + text() + " is outside the integer range)");
    }

    private String text() {
        return LuaNumbers.format(v); // Lua's text (Luaj's tojstring() went through float: 1e100 read "Infinity")
    }

    // ---- the refusals: every int conversion (in range: LuaDouble's truncation)
    @Override public int toint() { if (wide) throw outOfRange(); return (int) (long) v; }
    @Override public int checkint() { if (wide) throw outOfRange(); return (int) (long) v; }
    @Override public int optint(int defval) { if (wide) throw outOfRange(); return (int) (long) v; }
    @Override public LuaInteger checkinteger() { if (wide) throw outOfRange(); return LuaInteger.valueOf((int) (long) v); }
    @Override public LuaInteger optinteger(LuaInteger defval) { if (wide) throw outOfRange(); return LuaInteger.valueOf((int) (long) v); }

    // ---- the rest is LuaDouble's
    @Override public int hashCode() { long l = Double.doubleToLongBits(v + 1); return ((int) (l >> 32)) + (int) l; }
    @Override public boolean equals(Object o) { return o instanceof LuaValue && ((LuaValue) o).raweq(v); }
    @Override public boolean islong() { return v == (long) v; }
    @Override public byte tobyte() { return (byte) (long) v; }
    @Override public char tochar() { return (char) (long) v; }
    @Override public double todouble() { return v; }
    @Override public float tofloat() { return (float) v; }
    @Override public long tolong() { return (long) v; }
    @Override public short toshort() { return (short) (long) v; }
    @Override public double optdouble(double defval) { return v; }
    @Override public long optlong(long defval) { return (long) v; }
    @Override public long checklong() { return (long) v; }
    @Override public double checkdouble() { return v; }
    @Override public LuaValue neg() { return valueOf(-v); }
    @Override public LuaValue eq(LuaValue val) { return val.raweq(v) ? TRUE : FALSE; }
    @Override public boolean eq_b(LuaValue val) { return val.raweq(v); }
    @Override public boolean raweq(LuaValue val) { return val.raweq(v); }
    @Override public boolean raweq(double val) { return v == val; }
    @Override public boolean raweq(int val) { return v == val; }
    @Override public LuaValue add(LuaValue rhs) { return rhs.add(v); }
    @Override public LuaValue add(double lhs) { return LuaDouble.valueOf(lhs + v); }
    @Override public LuaValue sub(LuaValue rhs) { return rhs.subFrom(v); }
    @Override public LuaValue sub(double rhs) { return LuaDouble.valueOf(v - rhs); }
    @Override public LuaValue sub(int rhs) { return LuaDouble.valueOf(v - rhs); }
    @Override public LuaValue subFrom(double lhs) { return LuaDouble.valueOf(lhs - v); }
    @Override public LuaValue mul(LuaValue rhs) { return rhs.mul(v); }
    @Override public LuaValue mul(double lhs) { return LuaDouble.valueOf(lhs * v); }
    @Override public LuaValue mul(int lhs) { return LuaDouble.valueOf(lhs * v); }
    @Override public LuaValue pow(LuaValue rhs) { return rhs.powWith(v); }
    @Override public LuaValue pow(double rhs) { return MathLib.dpow(v, rhs); }
    @Override public LuaValue pow(int rhs) { return MathLib.dpow(v, rhs); }
    @Override public LuaValue powWith(double lhs) { return MathLib.dpow(lhs, v); }
    @Override public LuaValue powWith(int lhs) { return MathLib.dpow(lhs, v); }
    @Override public LuaValue div(LuaValue rhs) { return rhs.divInto(v); }
    @Override public LuaValue div(double rhs) { return LuaDouble.ddiv(v, rhs); }
    @Override public LuaValue div(int rhs) { return LuaDouble.ddiv(v, rhs); }
    @Override public LuaValue divInto(double lhs) { return LuaDouble.ddiv(lhs, v); }
    @Override public LuaValue mod(LuaValue rhs) { return rhs.modFrom(v); }
    @Override public LuaValue mod(double rhs) { return LuaDouble.dmod(v, rhs); }
    @Override public LuaValue mod(int rhs) { return LuaDouble.dmod(v, rhs); }
    @Override public LuaValue modFrom(double lhs) { return LuaDouble.dmod(lhs, v); }
    @Override public LuaValue lt(LuaValue rhs) { return rhs.gt_b(v) ? TRUE : FALSE; }
    @Override public LuaValue lt(double rhs) { return v < rhs ? TRUE : FALSE; }
    @Override public LuaValue lt(int rhs) { return v < rhs ? TRUE : FALSE; }
    @Override public boolean lt_b(LuaValue rhs) { return rhs.gt_b(v); }
    @Override public boolean lt_b(int rhs) { return v < rhs; }
    @Override public boolean lt_b(double rhs) { return v < rhs; }
    @Override public LuaValue lteq(LuaValue rhs) { return rhs.gteq_b(v) ? TRUE : FALSE; }
    @Override public LuaValue lteq(double rhs) { return v <= rhs ? TRUE : FALSE; }
    @Override public LuaValue lteq(int rhs) { return v <= rhs ? TRUE : FALSE; }
    @Override public boolean lteq_b(LuaValue rhs) { return rhs.gteq_b(v); }
    @Override public boolean lteq_b(int rhs) { return v <= rhs; }
    @Override public boolean lteq_b(double rhs) { return v <= rhs; }
    @Override public LuaValue gt(LuaValue rhs) { return rhs.lt_b(v) ? TRUE : FALSE; }
    @Override public LuaValue gt(double rhs) { return v > rhs ? TRUE : FALSE; }
    @Override public LuaValue gt(int rhs) { return v > rhs ? TRUE : FALSE; }
    @Override public boolean gt_b(LuaValue rhs) { return rhs.lt_b(v); }
    @Override public boolean gt_b(int rhs) { return v > rhs; }
    @Override public boolean gt_b(double rhs) { return v > rhs; }
    @Override public LuaValue gteq(LuaValue rhs) { return rhs.lteq_b(v) ? TRUE : FALSE; }
    @Override public LuaValue gteq(double rhs) { return v >= rhs ? TRUE : FALSE; }
    @Override public LuaValue gteq(int rhs) { return v >= rhs ? TRUE : FALSE; }
    @Override public boolean gteq_b(LuaValue rhs) { return rhs.lteq_b(v); }
    @Override public boolean gteq_b(int rhs) { return v >= rhs; }
    @Override public boolean gteq_b(double rhs) { return v >= rhs; }
    @Override public int strcmp(LuaString rhs) { typerror("attempt to compare number with string"); return 0; }
    @Override public String tojstring() { return text(); }
    @Override public LuaString strvalue() { return LuaString.valueOf(tojstring()); }
    @Override public LuaString optstring(LuaString defval) { return LuaString.valueOf(tojstring()); }
    @Override public LuaValue tostring() { return LuaString.valueOf(tojstring()); }
    @Override public String optjstring(String defval) { return tojstring(); }
    @Override public String checkjstring() { return tojstring(); }
    @Override public LuaString checkstring() { return LuaString.valueOf(tojstring()); }
    @Override public boolean isvalidkey() { return !Double.isNaN(v); }
    @Override public boolean isstring() { return true; }
    @Override public boolean isnumber() { return true; }
    @Override public LuaValue tonumber() { return this; }
    @Override public LuaNumber optnumber(LuaNumber defval) { return this; }
    @Override public LuaNumber checknumber() { return this; }
}
