package org.scriptbox.engine.internal;

import java.math.BigInteger;

/**
 * The first {@code p} (1 to 17) significant digits of a positive finite double, rounded half to even from its exact
 * value as glibc's printf rounds, in integers: {@code x * 10^u = m * 5^u * 2^(q + u)} by a cached power of five and a
 * shift (or one division from 1e17 up). For {@code %e} and {@code %g} of {@link LuaFormat}: BigDecimal's exact
 * expansion of a number near 1e-300 has ~750 digits and took microseconds per conversion (own red team, session 7).
 */
final class ExactDigits {
    private ExactDigits() {
    }

    private static final BigInteger[] FIVES = new BigInteger[360];
    private static final long[] TENS = new long[19];

    static {
        FIVES[0] = BigInteger.ONE;
        for (int k = 1; k < FIVES.length; k++) {
            FIVES[k] = FIVES[k - 1].multiply(BigInteger.valueOf(5));
        }
        TENS[0] = 1;
        for (int k = 1; k < TENS.length; k++) {
            TENS[k] = TENS[k - 1] * 10;
        }
    }

    /** The digits as a p-digit integer; {@code exponent[0]} receives the decimal exponent of the first digit. */
    static long digits(double x, int p, int[] exponent) {
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
        long low = TENS[p - 1];
        long high = TENS[p];
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
            int half;
            if (binary >= 0) {
                num = num.shiftLeft(binary);
            }
            if (u >= 0 && binary < 0) {
                int shift = -binary;
                n = num.bitLength() - shift > 63 ? Long.MAX_VALUE : num.shiftRight(shift).longValue();
                half = !num.testBit(shift - 1) ? -1 : num.getLowestSetBit() < shift - 1 ? 1 : 0;
            } else {
                if (binary < 0) {
                    den = den.shiftLeft(-binary);
                }
                BigInteger[] qr = num.divideAndRemainder(den);
                n = qr[0].bitLength() > 63 ? Long.MAX_VALUE : qr[0].longValue();
                half = qr[1].shiftLeft(1).compareTo(den);
            }
            if (n < low && attempt < 3) {
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
}
