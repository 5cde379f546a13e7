package org.scriptbox.api.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers written as Lua writes them ({@code tostring}, C's {@code %.14g}), for every text an operator or a
 * script author reads: {@code 25} not {@code 25.0}, {@code 1e+100} not {@code 1.0E100}, {@code inf}, {@code nan}.
 * The engine's {@code tostring} and {@code ..} use it too, so a number reads the same in a script, a log, a trace,
 * the shell and REST.
 * <p>
 * Luaj has no integer subtype: an integer-valued double within ±2^53 (where every integer is exact) is written as
 * an integer, as Lua 5.4 writes the integer; beyond, {@code %.14g} as Lua writes a float ({@code 2^63} is
 * {@code 9.2233720368548e+18}). NaN is {@code nan} whatever its sign bit (PUC Lua on Linux prints the C library's
 * {@code -nan} for {@code 0/0}: the JVM does not keep that bit reliably); negative zero is {@code -0}.
 */
public final class LuaNumbers {
    private LuaNumbers() {
    }

    /** Beyond this an integer-valued double is written as a float: not every integer there is a double. */
    private static final double EXACT_INTEGERS = 0x1p53;
    /** Significant digits of {@code %.14g}. */
    private static final int DIGITS = 14;
    private static final MathContext G14 = new MathContext(DIGITS, RoundingMode.HALF_EVEN);

    public static String format(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        return format(n.doubleValue());
    }

    public static String format(double d) {
        if (d != d) {
            return "nan";
        }
        if (d == Double.POSITIVE_INFINITY || d == Double.NEGATIVE_INFINITY) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) <= EXACT_INTEGERS) {
            return d == 0 && 1 / d < 0 ? "-0" : Long.toString((long) d);
        }
        return g14(d);
    }

    /**
     * C's {@code %.14g}: the exact value rounded (half to even) to 14 significant digits, trailing zeros dropped,
     * exponent form outside 1e-4 .. 1e14. Fast path: Java's {@code Double.toString} digits, which lie within half an
     * ulp of the value (2^-53 of it, 0.011 of a unit in the 14th digit); rounding them gives the exact value's
     * rounding unless their tail is that close to a half: then the exact value decides (BigDecimal).
     */
    static String g14(double d) {
        if (Math.abs(d) < Double.MIN_NORMAL) {
            return exact(d); // a subnormal has fewer bits: its shortest digits can be far from its value (4.9E-324)
        }
        String java = Double.toString(Math.abs(d));
        byte[] digits = new byte[20];
        int count = 0;
        int pointAt = -1;
        int firstNonZero = -1;
        int i = 0;
        int length = java.length();
        for (; i < length; i++) {
            char c = java.charAt(i);
            if (c == '.') {
                pointAt = count;
            } else if (c == 'E') {
                break;
            } else {
                if (firstNonZero < 0) {
                    if (c == '0') {
                        count++; // leading zero: counted for the point's position only
                        continue;
                    }
                    firstNonZero = count;
                }
                if (count - firstNonZero < digits.length) {
                    digits[count - firstNonZero] = (byte) (c - '0');
                }
                count++;
            }
        }
        int exponent10 = i < length ? Integer.parseInt(java.substring(i + 1)) : 0;
        if (pointAt < 0) {
            pointAt = count;
        }
        int significant = Math.min(count - firstNonZero, digits.length);
        // the value is 0.D1D2... * 10^(pointAt - firstNonZero + exponent10): D1's exponent is one less
        int exponent = pointAt - firstNonZero - 1 + exponent10;
        while (significant > 0 && digits[significant - 1] == 0) {
            significant--;
        }
        if (significant > DIGITS) {
            int tail = 0; // the digits after the 14th as thousandths of a unit in the 14th
            for (int k = DIGITS; k < DIGITS + 3; k++) {
                tail = tail * 10 + (k < significant ? digits[k] : 0);
            }
            if (tail >= 488 && tail <= 512) {
                return exact(d);
            }
            significant = DIGITS;
            if (tail > 500) {
                int k = DIGITS - 1;
                while (k >= 0 && digits[k] == 9) {
                    digits[k--] = 0;
                }
                if (k < 0) {
                    digits[0] = 1; // 9.99..95 became 10
                    exponent++;
                } else {
                    digits[k]++;
                }
            }
            while (significant > 0 && digits[significant - 1] == 0) {
                significant--;
            }
        }
        return written(d < 0, digits, significant, exponent);
    }

    /** {@code %.14g} from the exact decimal value of {@code d} (the slow path, and the tests' reference). */
    static String exact(double d) {
        BigDecimal rounded = new BigDecimal(Math.abs(d)).round(G14).stripTrailingZeros();
        String unscaled = rounded.unscaledValue().toString();
        byte[] digits = new byte[unscaled.length()];
        for (int k = 0; k < digits.length; k++) {
            digits[k] = (byte) (unscaled.charAt(k) - '0');
        }
        return written(d < 0, digits, digits.length, rounded.precision() - rounded.scale() - 1);
    }

    /** {@code D1.D2...Dn * 10^exponent} as {@code %g} writes it (no trailing zeros: the digits have none). */
    private static String written(boolean negative, byte[] digits, int n, int exponent) {
        StringBuilder sb = new StringBuilder(24);
        if (negative) {
            sb.append('-');
        }
        if (exponent < -4 || exponent >= DIGITS) {
            sb.append((char) ('0' + digits[0]));
            if (n > 1) {
                sb.append('.');
                for (int k = 1; k < n; k++) {
                    sb.append((char) ('0' + digits[k]));
                }
            }
            sb.append(exponent < 0 ? "e-" : "e+");
            int e = Math.abs(exponent);
            if (e < 10) {
                sb.append('0');
            }
            sb.append(e);
        } else if (exponent < 0) {
            sb.append("0.");
            for (int k = -1; k > exponent; k--) {
                sb.append('0');
            }
            for (int k = 0; k < n; k++) {
                sb.append((char) ('0' + digits[k]));
            }
        } else {
            for (int k = 0; k <= exponent || k < n; k++) {
                if (k == exponent + 1) {
                    sb.append('.');
                }
                sb.append(k < n ? (char) ('0' + digits[k]) : '0');
            }
        }
        return sb.toString();
    }
}
