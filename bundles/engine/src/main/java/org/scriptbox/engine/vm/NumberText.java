package org.scriptbox.engine.vm;

import java.nio.charset.StandardCharsets;

import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.scriptbox.api.text.LuaNumbers;

/**
 * A number's text as Lua writes it, for every door where a script's number becomes a string ({@code tostring},
 * {@code ..}, {@code table.concat}, string-library arguments, {@code string.format('%s')}, {@code gsub}
 * replacements, error values). Luaj's own {@code LuaDouble.tojstring} goes through {@code float}
 * ({@code 1e100} read {@code Infinity}, {@code 1/3} {@code 0.33333334}) and a saturating {@code long}
 * ({@code 2^63} and {@code 2^64} both {@code 9223372036854775807}), so no door may reach it: each asks here.
 * The format itself is {@link LuaNumbers} (C's {@code %.14g}, integers exact within ±2^53), shared with the
 * texts operators read.
 */
public final class NumberText {
    private NumberText() {
    }

    /** Whether {@code v} is a number Luaj holds as a double (every number but a 32-bit integer): its text is made here. */
    public static boolean isDouble(LuaValue v) {
        return v.type() == LuaValue.TNUMBER && !(v instanceof LuaInteger);
    }

    /** Text-making work of a double's text, in units of an ordinary fraction's ({@link #weight}). */
    public static final int SLOW_WEIGHT = 8;

    /**
     * How much work a double's text is, in units of an ordinary fraction's (1): {@link LuaNumbers} writes numbers
     * from 1e-9 to 1e14 (and integers, inf, nan) in doubles alone (~80 ns), others in integers (a few hundred ns,
     * up to ~1 us near 1e300): those weigh {@link #SLOW_WEIGHT}. Callers charge the weight (an attacker may pick
     * the slow numbers), so every door that makes a number's text pays for it.
     */
    public static int weight(double d) {
        double x = Math.abs(d);
        if (x >= 1e-8 && x < 9.9e13 || x == Math.rint(x) && x <= 0x1p53 || Double.isNaN(d) || Double.isInfinite(d)) {
            return 1;
        }
        return SLOW_WEIGHT;
    }

    /** The text of the number or string {@code v} (a string is itself: its bytes). */
    public static LuaString of(LuaValue v) {
        if (v instanceof LuaString) {
            return (LuaString) v;
        }
        if (v instanceof LuaInteger) {
            return v.strvalue();
        }
        // a string of another class (the engine's numeric-string guard) is its own text too
        return v.type() == LuaValue.TNUMBER ? LuaString.valueUsing(bytes(v.todouble())) : v.checkstring();
    }

    /** The text of a number as a Java string. */
    public static String string(LuaValue number) {
        return number instanceof LuaInteger ? Integer.toString(((LuaInteger) number).v) : LuaNumbers.format(number.todouble());
    }

    static byte[] bytes(double d) {
        return LuaNumbers.format(d).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Characters of an int's decimal text. */
    static int length(int v) {
        if (v < 0) {
            return v == Integer.MIN_VALUE ? 11 : 1 + length(-v);
        }
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes an int's decimal text of {@code length} characters into {@code out} at {@code at}. */
    static void write(int v, int length, byte[] out, int at) {
        long x = v;
        int end = at + length;
        if (x < 0) {
            out[at++] = '-';
            x = -x;
        }
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + x % 10);
            x /= 10;
        }
    }

    // ---- text to number --------------------------------------------------------------------------------

    /**
     * The number a string denotes as Lua 5.2's {@code lua_stringtonumber} reads it, or NaN if it is none: optional
     * white space, a sign, a decimal number ({@code 12}, {@code .5}, {@code 5.}, {@code 1e+100}) or a hexadecimal one
     * ({@code 0x1F}, {@code -0x10}, {@code 0x1.8p1}), white space; no {@code inf}, {@code nan} or Java forms
     * ({@code Infinity}, {@code 1d}). Luaj's own {@code LuaString.scannumber} read past its array on {@code "0x"}
     * (an ArrayIndexOutOfBoundsException), took {@code "0x"} at a substring's end as 0, wrapped decimal and hexadecimal
     * numbers beyond 2^63, trimmed only spaces ({@code "42\r"} was no number) and knew no signed or fractional
     * hexadecimal numbers.
     */
    public static double parse(LuaString s) {
        return parse(s.m_bytes, s.m_offset, s.m_length);
    }

    public static double parse(byte[] b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end && isSpace(b[i])) {
            i++;
        }
        while (end > i && isSpace(b[end - 1])) {
            end--;
        }
        if (i == end) {
            return Double.NaN;
        }
        boolean negative = b[i] == '-';
        int start = negative || b[i] == '+' ? i + 1 : i;
        if (end - start >= 2 && b[start] == '0' && (b[start + 1] | 0x20) == 'x') {
            double h = hexadecimal(b, start + 2, end);
            return negative ? -h : h;
        }
        // decimal: digits [. digits] [e [sign] digits], at least one digit in the mantissa
        int k = start;
        int digits = 0;
        while (k < end && b[k] >= '0' && b[k] <= '9') {
            k++;
            digits++;
        }
        if (k < end && b[k] == '.') {
            k++;
            while (k < end && b[k] >= '0' && b[k] <= '9') {
                k++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (k < end && (b[k] | 0x20) == 'e') {
            k++;
            if (k < end && (b[k] == '+' || b[k] == '-')) {
                k++;
            }
            int e = k;
            while (k < end && b[k] >= '0' && b[k] <= '9') {
                k++;
            }
            if (k == e) {
                return Double.NaN;
            }
        }
        if (k != end) {
            return Double.NaN;
        }
        // the syntax is C's and Java's alike here; Java's conversion is correctly rounded, as glibc's strtod
        return Double.parseDouble(new String(b, i, end - i, StandardCharsets.ISO_8859_1));
    }

    /** Hex digits [. hex digits] [p [sign] digits] from {@code i} to {@code end}, or NaN. */
    private static double hexadecimal(byte[] b, int i, int end) {
        int k = i;
        int digits = 0;
        while (k < end && hexDigit(b[k]) >= 0) {
            k++;
            digits++;
        }
        int point = -1;
        if (k < end && b[k] == '.') {
            point = k++;
            while (k < end && hexDigit(b[k]) >= 0) {
                k++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        int mantissaEnd = k;
        int exponent = 0;
        if (k < end && (b[k] | 0x20) == 'p') {
            k++;
            boolean negative = k < end && b[k] == '-';
            if (k < end && (b[k] == '+' || b[k] == '-')) {
                k++;
            }
            int e = k;
            while (k < end && b[k] >= '0' && b[k] <= '9') {
                exponent = Math.min(exponent * 10 + (b[k] - '0'), 100_000); // beyond, the value is 0 or inf anyway
                k++;
            }
            if (k == e) {
                return Double.NaN;
            }
            exponent = negative ? -exponent : exponent;
        }
        if (k != end) {
            return Double.NaN;
        }
        // Java reads C's hexadecimal form (with its binary exponent always written), correctly rounded
        StringBuilder sb = new StringBuilder(mantissaEnd - i + 16).append("0x");
        for (int m = i; m < mantissaEnd; m++) {
            sb.append((char) b[m]);
        }
        if (point == mantissaEnd - 1) {
            sb.append('0'); // "0x1." reads as "0x1.0"
        }
        if (point == i) {
            sb.insert(2, '0'); // "0x.8" reads as "0x0.8"
        }
        return Double.parseDouble(sb.append('p').append(exponent).toString());
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int l = c | 0x20;
        return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(byte c) {
        return c == ' ' || c >= '\t' && c <= '\r';
    }
}
