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
}
