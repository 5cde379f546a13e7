package org.scriptbox.api.text;

import java.math.BigDecimal;
import java.math.BigInteger;
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
        String fast = exactSmall(d);
        return fast != null ? fast : exact(d);
    }

    /** {@code %.14g} from the exact decimal value of {@code d} by BigDecimal (the tests' reference only: slow for tiny numbers). */
    static String reference(double d) {
        BigDecimal rounded = new BigDecimal(Math.abs(d)).round(G14).stripTrailingZeros();
        String unscaled = rounded.unscaledValue().toString();
        byte[] digits = new byte[unscaled.length()];
        for (int k = 0; k < digits.length; k++) {
            digits[k] = (byte) (unscaled.charAt(k) - '0');
        }
        return written(d < 0, digits, digits.length, rounded.precision() - rounded.scale() - 1);
    }

    /** 10^0 .. 10^22: every one exact as a double. */
    private static final double[] TENS = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
        1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final double SPLIT = 134217729.0; // 2^27 + 1 (Veltkamp)

    /**
     * {@link #exact}'s answer for 1e-9 <= |d| < 1e14 (meter readings, fractions, the common case) in doubles alone:
     * |d| * 10^u (u <= 22, 10^u exact) as an exact sum p + e (Dekker's product: no FMA needed, so no software
     * emulation on a CPU without one), N = floor(p) and the fraction f + e against one half compared exactly.
     * Null outside that range.
     */
    static String exactSmall(double d) {
        double x = Math.abs(d);
        if (!(x >= 1e-9 && x < 1e14)) {
            return null;
        }
        int e = (int) Math.floor(Math.log10(x));
        for (int attempt = 0; attempt < 3; attempt++) {
            int u = 13 - e;
            if (u < 0 || u > 22) {
                return null;
            }
            double b = TENS[u];
            double p = x * b;
            // Dekker: p + err == x * b exactly
            double t = SPLIT * x;
            double xh = t - (t - x);
            double xl = x - xh;
            t = SPLIT * b;
            double bh = t - (t - b);
            double bl = b - bh;
            double err = ((xh * bh - p) + xh * bl + xl * bh) + xl * bl;
            double floor = Math.floor(p);
            long n = (long) floor;
            double f = p - floor; // exact: the fraction bits of p (p < 2^47)
            int half;
            if (f == 0 && err < 0) {
                n--; // just below the integer: its fraction is 1 + err, more than one half
                half = 1;
            } else {
                double below = f - 0.5; // exact
                half = below > -err ? 1 : below < -err ? -1 : 0;
            }
            if (n < TEN_13) {
                e--;
                continue;
            }
            if (n >= TEN_14) {
                e++;
                continue;
            }
            return rounded(d < 0, n, half, e);
        }
        return null;
    }

    /** N (14 digits) rounded by {@code half} (the rest against one half: -1, 0, 1), half to even, written. */
    private static String rounded(boolean negative, long n, int half, int e) {
        if (half > 0 || half == 0 && (n & 1) != 0) {
            n++;
            if (n == TEN_14) {
                n = TEN_13;
                e++;
            }
        }
        byte[] digits = new byte[DIGITS];
        for (int k = DIGITS - 1; k >= 0; k--) {
            digits[k] = (byte) (n % 10);
            n /= 10;
        }
        int significant = DIGITS;
        while (significant > 1 && digits[significant - 1] == 0) {
            significant--;
        }
        return written(negative, digits, significant, e);
    }

    private static final long TEN_13 = 10_000_000_000_000L;
    private static final long TEN_14 = 10 * TEN_13;
    /** 10^k, k = 0 .. 18. */
    private static final long[] POWERS_OF_TEN = new long[19];
    /** 5^k for every k {@link #significantDigits} may need (up to 17 digits of any finite double). */
    private static final BigInteger[] FIVES = new BigInteger[360];

    static {
        FIVES[0] = BigInteger.ONE;
        for (int k = 1; k < FIVES.length; k++) {
            FIVES[k] = FIVES[k - 1].multiply(BigInteger.valueOf(5));
        }
        POWERS_OF_TEN[0] = 1;
        for (int k = 1; k < POWERS_OF_TEN.length; k++) {
            POWERS_OF_TEN[k] = POWERS_OF_TEN[k - 1] * 10;
        }
    }

    /**
     * C's {@code %.14g}: the exact value rounded (half to even, as glibc) to 14 significant digits, trailing zeros
     * dropped, exponent form outside 1e-4 .. 1e14.
     */
    static String exact(double d) {
        int[] e = new int[1];
        long n = significantDigits(Math.abs(d), DIGITS, e);
        return rounded(d < 0, n, -1, e[0]);
    }

    /**
     * The first {@code p} (1 to 17) significant digits of a positive finite double as a p-digit integer, rounded half
     * to even from its exact value as glibc's printf rounds; {@code exponent[0]} receives the decimal exponent of the
     * first digit. In integers, from the exact value {@code m * 2^q}: {@code x * 10^u = m * 5^u * 2^(q + u)} by a
     * cached power of five and a shift (or one division for numbers from 10^p up), with the remainder against one
     * half: a few hundred nanoseconds at any magnitude (BigDecimal's exact expansion of a number near 1e-300 has ~750
     * digits: microseconds). Shared by {@link #format} and the engine's {@code %e}/{@code %g}.
     */
    public static long significantDigits(double x, int p, int[] exponent) {
        long bits = Double.doubleToRawLongBits(x);
        int biased = (int) (bits >>> 52);
        long m = bits & ((1L << 52) - 1);
        int q;
        if (biased == 0) {
            q = -1074;
        } else {
            m |= 1L << 52;
            q = biased - 1075;
        }
        long low = POWERS_OF_TEN[p - 1];
        long high = POWERS_OF_TEN[p];
        int e = (int) Math.floor(Math.log10(x));
        for (int attempt = 0; ; attempt++) {
            int u = p - 1 - e; // x * 10^u = m * 5^u * 2^(q + u)
            int binary = q + u;
            BigInteger num = BigInteger.valueOf(m);
            BigInteger den = BigInteger.ONE;
            if (u >= 0) {
                num = num.multiply(FIVES[u]);
            } else {
                den = FIVES[-u];
            }
            long n;
            int half; // the remainder against one half: -1 below, 0 equal, 1 above
            if (binary >= 0) {
                num = num.shiftLeft(binary);
            }
            if (u >= 0 && binary < 0) {
                int shift = -binary;
                n = num.bitLength() - shift > 63 ? Long.MAX_VALUE : num.shiftRight(shift).longValue();
                // the remainder's top bit is the half; a bit below it makes it more than half
                half = !num.testBit(shift - 1) ? -1 : num.getLowestSetBit() < shift - 1 ? 1 : 0;
            } else {
                if (binary < 0) {
                    den = den.shiftLeft(-binary);
                }
                BigInteger[] qr = num.divideAndRemainder(den);
                n = qr[0].bitLength() > 63 ? Long.MAX_VALUE : qr[0].longValue();
                half = qr[1].shiftLeft(1).compareTo(den);
            }
            if (n < low && attempt < 3) { // the exponent estimate was one off
                e--;
                continue;
            }
            if (n >= high && attempt < 3) {
                e++;
                continue;
            }
            if (half > 0 || half == 0 && (n & 1) != 0) {
                n++;
                if (n == high) {
                    n = low;
                    e++;
                }
            }
            exponent[0] = e;
            return n;
        }
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
