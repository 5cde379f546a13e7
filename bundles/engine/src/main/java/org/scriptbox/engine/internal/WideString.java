package org.scriptbox.engine.internal;

import org.luaj.vm2.Buffer;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.scriptbox.engine.vm.NumberText;

/**
 * A numeric-looking string as a library function receives it, when Luaj would read its number wrongly: Lua converts
 * numeric strings to numbers wherever it wants a number, and Luaj's {@code LuaString} does that through a fresh
 * {@code LuaDouble}, whose int conversion wraps ({@code '1e10'}, {@code '0x100000002'}), and with its own scan, which
 * failed on {@code "0x"} with a Java exception and misread {@code "42\r"}, {@code "-0x10"}, {@code "0x1p4"} and
 * decimals longer than 64 characters. {@link LibraryCall} puts one of these in place of such an argument: it is the
 * string in everything ({@code checkstring()} is the original, so {@code string.rep('1e10', 2)} is
 * {@code '1e101e10'}) but its number is the one Lua reads ({@link NumberText#parse}: beyond the int range a
 * {@link WideNumber}, whose int conversions are refused; none at all for {@code "0x"}), so every library function
 * converts it as Lua does.
 */
final class WideString extends LuaValue {
    /** What stands for "no number" (a string Luaj reads as none, with Luaj's own wording of the refusals). */
    private static final LuaValue NO_NUMBER = LuaValue.valueOf("?");

    private final LuaString s;
    private final LuaValue number;

    /** {@code v}: the number {@code s} denotes, NaN for none. */
    WideString(LuaString s, double v) {
        this.s = s;
        this.number = Double.isNaN(v) ? NO_NUMBER : WideNumber.guard(LuaValue.valueOf(v));
    }

    /** The original string (for a library function's results). */
    LuaString string() {
        return s;
    }

    // ---- every number conversion is the number's (refused beyond the int range, a WideNumber's)
    @Override public int toint() { return number.toint(); }
    @Override public int checkint() { return number.checkint(); }
    @Override public int optint(int defval) { return number.optint(defval); }
    @Override public LuaInteger checkinteger() { return number.checkinteger(); }
    @Override public LuaInteger optinteger(LuaInteger defval) { return number.optinteger(defval); }
    @Override public LuaNumber checknumber() { return number.checknumber(); }
    @Override public LuaNumber checknumber(String message) { return number.checknumber(message); }
    @Override public LuaValue tonumber() { return number.tonumber(); }
    @Override public LuaNumber optnumber(LuaNumber defval) { return number.optnumber(defval); }
    @Override public long checklong() { return number.checklong(); }
    @Override public double checkdouble() { return number.checkdouble(); }
    @Override public boolean isnumber() { return number.isnumber(); }
    @Override public boolean isint() { return number.isint(); }
    @Override public boolean islong() { return number.islong(); }
    @Override public byte tobyte() { return number.tobyte(); }
    @Override public char tochar() { return number.tochar(); }
    @Override public double todouble() { return number.todouble(); }
    @Override public float tofloat() { return number.tofloat(); }
    @Override public long tolong() { return number.tolong(); }
    @Override public short toshort() { return number.toshort(); }
    @Override public double optdouble(double a0) { return number.optdouble(a0); }
    @Override public long optlong(long a0) { return number.optlong(a0); }

    // ---- equality and hashing as the string's
    @Override public int hashCode() { return s.hashCode(); }
    @Override public boolean equals(Object o) { return o instanceof WideString ? s.equals(((WideString) o).s) : s.equals(o); }
    @Override public LuaValue eq(LuaValue val) { return val.raweq(s) ? TRUE : FALSE; }
    @Override public boolean eq_b(LuaValue val) { return val.raweq(s); }
    @Override public boolean raweq(LuaValue val) { return val.raweq(s); }
    @Override public boolean raweq(LuaString other) { return s.raweq(other); }
    @Override public int type() { return s.type(); }
    @Override public String typename() { return s.typename(); }

    // ---- the rest is the string's
    @Override public boolean isstring() { return s.isstring(); }
    @Override public LuaValue getmetatable() { return s.getmetatable(); }
    @Override public String tojstring() { return s.tojstring(); }
    @Override public LuaValue neg() { return s.neg(); }
    @Override public LuaValue add(LuaValue a0) { return s.add(a0); }
    @Override public LuaValue add(double a0) { return s.add(a0); }
    @Override public LuaValue add(int a0) { return s.add(a0); }
    @Override public LuaValue sub(LuaValue a0) { return s.sub(a0); }
    @Override public LuaValue sub(double a0) { return s.sub(a0); }
    @Override public LuaValue sub(int a0) { return s.sub(a0); }
    @Override public LuaValue subFrom(double a0) { return s.subFrom(a0); }
    @Override public LuaValue mul(LuaValue a0) { return s.mul(a0); }
    @Override public LuaValue mul(double a0) { return s.mul(a0); }
    @Override public LuaValue mul(int a0) { return s.mul(a0); }
    @Override public LuaValue pow(LuaValue a0) { return s.pow(a0); }
    @Override public LuaValue pow(double a0) { return s.pow(a0); }
    @Override public LuaValue pow(int a0) { return s.pow(a0); }
    @Override public LuaValue powWith(double a0) { return s.powWith(a0); }
    @Override public LuaValue powWith(int a0) { return s.powWith(a0); }
    @Override public LuaValue div(LuaValue a0) { return s.div(a0); }
    @Override public LuaValue div(double a0) { return s.div(a0); }
    @Override public LuaValue div(int a0) { return s.div(a0); }
    @Override public LuaValue divInto(double a0) { return s.divInto(a0); }
    @Override public LuaValue mod(LuaValue a0) { return s.mod(a0); }
    @Override public LuaValue mod(double a0) { return s.mod(a0); }
    @Override public LuaValue mod(int a0) { return s.mod(a0); }
    @Override public LuaValue modFrom(double a0) { return s.modFrom(a0); }
    @Override public LuaValue lt(LuaValue a0) { return s.lt(a0); }
    @Override public boolean lt_b(LuaValue a0) { return s.lt_b(a0); }
    @Override public boolean lt_b(int a0) { return s.lt_b(a0); }
    @Override public boolean lt_b(double a0) { return s.lt_b(a0); }
    @Override public LuaValue lteq(LuaValue a0) { return s.lteq(a0); }
    @Override public boolean lteq_b(LuaValue a0) { return s.lteq_b(a0); }
    @Override public boolean lteq_b(int a0) { return s.lteq_b(a0); }
    @Override public boolean lteq_b(double a0) { return s.lteq_b(a0); }
    @Override public LuaValue gt(LuaValue a0) { return s.gt(a0); }
    @Override public boolean gt_b(LuaValue a0) { return s.gt_b(a0); }
    @Override public boolean gt_b(int a0) { return s.gt_b(a0); }
    @Override public boolean gt_b(double a0) { return s.gt_b(a0); }
    @Override public LuaValue gteq(LuaValue a0) { return s.gteq(a0); }
    @Override public boolean gteq_b(LuaValue a0) { return s.gteq_b(a0); }
    @Override public boolean gteq_b(int a0) { return s.gteq_b(a0); }
    @Override public boolean gteq_b(double a0) { return s.gteq_b(a0); }
    @Override public LuaValue concat(LuaValue a0) { return s.concat(a0); }
    @Override public Buffer concat(Buffer a0) { return s.concat(a0); }
    @Override public LuaValue concatTo(LuaNumber a0) { return s.concatTo(a0); }
    @Override public LuaValue concatTo(LuaString a0) { return s.concatTo(a0); }
    @Override public int strcmp(LuaValue a0) { return s.strcmp(a0); }
    @Override public int strcmp(LuaString a0) { return s.strcmp(a0); }
    @Override public LuaString optstring(LuaString a0) { return s.optstring(a0); }
    @Override public LuaValue tostring() { return s.tostring(); }
    @Override public String optjstring(String a0) { return s.optjstring(a0); }
    @Override public LuaString strvalue() { return s.strvalue(); }
    @Override public LuaValue len() { return s.len(); }
    @Override public int length() { return s.length(); }
    @Override public int rawlen() { return s.rawlen(); }
    @Override public String checkjstring() { return s.checkjstring(); }
    @Override public LuaString checkstring() { return s.checkstring(); }
}
