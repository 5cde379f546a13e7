package org.scriptbox.api.text;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Numbers written as Lua 5.4 writes them ({@code tostring}, {@code %.14g}), for every text an operator or a
 * script author reads: {@code 25} not {@code 25.0}, {@code 1e+10} not {@code 1.0E10}, {@code inf}, {@code nan}.
 * Luaj has no integer subtype, so an integer-valued double is written as an integer.
 */
public final class LuaNumbers {
    private LuaNumbers() {
    }

    public static String format(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        return format(n.doubleValue());
    }

    public static String format(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return d == 0 && 1 / d < 0 ? "-0" : Long.toString((long) d);
        }
        return g14(d);
    }

    /** C's {@code %.14g}: 14 significant digits, trailing zeros dropped, exponent form outside 1e-4 .. 1e14. */
    private static String g14(double d) {
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(14));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 14) {
            BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            return mantissa.toPlainString() + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent));
        }
        return rounded.stripTrailingZeros().toPlainString();
    }
}
