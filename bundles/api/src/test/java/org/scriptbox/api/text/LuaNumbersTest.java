package org.scriptbox.api.text;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** Numbers as Lua 5.4's tostring writes them (checked against lua5.4; an integer-valued float is written as an integer, since Luaj has no integer subtype). */
public class LuaNumbersTest {
    @Test
    public void numbersReadAsLuaWritesThem() {
        assertEquals("25", LuaNumbers.format(25.0));
        assertEquals("25", LuaNumbers.format(25L));
        assertEquals("0.1", LuaNumbers.format(0.1));
        assertEquals("10000000000", LuaNumbers.format(1e10));
        assertEquals("1e+100", LuaNumbers.format(1e100));
        assertEquals("1.7976931348623e+308", LuaNumbers.format(Double.MAX_VALUE));
        assertEquals("-179769313.98623", LuaNumbers.format(-1.7976931348623157E8 - 0.5));
        assertEquals("1e-05", LuaNumbers.format(1e-5));
        assertEquals("0.00012", LuaNumbers.format(1.2e-4));
        assertEquals("3.1415926535898", LuaNumbers.format(Math.PI));
        assertEquals("inf", LuaNumbers.format(Double.POSITIVE_INFINITY));
        assertEquals("-inf", LuaNumbers.format(Double.NEGATIVE_INFINITY));
        assertEquals("nan", LuaNumbers.format(Double.NaN));
        assertEquals("-0", LuaNumbers.format(-0.0));
    }

    /** C9 (session 7): the values Luaj wrote as Java's float text, with lua5.4's answers (5.4.4, this machine). */
    @Test
    public void largeAndLongNumbersAreWrittenAsPercent14g() {
        assertEquals("9.2233720368548e+18", LuaNumbers.format(0x1p63));
        assertEquals("1.844674407371e+19", LuaNumbers.format(0x1p64));
        assertEquals("1e+300", LuaNumbers.format(1e300));
        assertEquals("0.33333333333333", LuaNumbers.format(1.0 / 3));
        assertEquals("-0.33333333333333", LuaNumbers.format(-1.0 / 3));
        assertEquals("0.3", LuaNumbers.format(0.1 + 0.2));
        assertEquals("33.333333333333", LuaNumbers.format(100.0 / 3));
        assertEquals("1e-300", LuaNumbers.format(1e-300));
        assertEquals("4.9406564584125e-324", LuaNumbers.format(Double.MIN_VALUE));
        assertEquals("0.0001", LuaNumbers.format(1e-4));
        assertEquals("1e+14", LuaNumbers.format(99999999999999.9));
        // half to even on an exact tie, as glibc: 12345678901234.5 is a double
        assertEquals("12345678901234", LuaNumbers.format(12345678901234.5));
        assertEquals("12345678901236", LuaNumbers.format(12345678901235.5));
        // rounding that carries into a new digit
        assertEquals("1e+15", LuaNumbers.format(999999999999999.9));
        assertEquals("0.1", LuaNumbers.format(0.099999999999999999));
    }

    /** Integer-valued doubles are integers where every integer is exact (±2^53), floats beyond. */
    @Test
    public void integersAreExactUpTo2To53() {
        assertEquals("9007199254740992", LuaNumbers.format(0x1p53));
        assertEquals("-9007199254740992", LuaNumbers.format(-0x1p53));
        assertEquals("9.007199254741e+15", LuaNumbers.format(0x1p53 + 2));
        assertEquals("1000000000000000", LuaNumbers.format(1e15));
        assertEquals("2147483648", LuaNumbers.format(0x1p31));
        assertEquals("9223372036854775807", LuaNumbers.format(Long.valueOf(Long.MAX_VALUE))); // a Java long is exact
    }

    /** Against BigDecimal's rounding of the exact value, for doubles of every magnitude (and half-way tails). */
    @Test
    public void theDigitsAreTheExactValuesRounded() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261201);
        for (int n = 0; n < 100_000; n++) {
            double d = switch (n % 6) {
                case 0 -> Double.longBitsToDouble(random.nextLong() >>> (n % 8 == 0 ? 12 : 0)); // any bits; subnormals
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(-20, 25));
                case 2 -> (random.nextLong(1L << 50) + 0.5) / (1 << random.nextInt(0, 12)); // ties and near-ties
                case 3 -> random.nextInt(-1_000_000, 1_000_000) / 1000.0; // meter readings
                case 4 -> (random.nextLong(1L << 44) * 2 + 1) / Math.pow(2, random.nextInt(1, 30)); // exact ties, 1e-9 .. 1e14
                default -> Math.nextUp(random.nextInt(1, 1 << 20) * Math.pow(10, random.nextInt(-9, 14))); // next to a tie
            };
            if (Double.isNaN(d) || Double.isInfinite(d) || d == Math.rint(d) && Math.abs(d) <= 0x1p53) {
                continue;
            }
            String reference = LuaNumbers.reference(d);
            assertEquals(Double.toString(d), reference, LuaNumbers.exact(d));
            String small = LuaNumbers.exactSmall(d);
            if (small != null) {
                assertEquals(Double.toString(d), reference, small);
            }
        }
    }
}
