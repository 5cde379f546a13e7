package org.scriptbox.api.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

/** Red-team cases for ConfigReader: every odd value is refused (keeps current) or read exactly. */
public class ConfigReaderRedTeamTest {

    private static int read(Object raw) {
        Map<String, Object> p = new HashMap<>();
        p.put("k", raw);
        return new ConfigReader("pid", p).intBetween("k", -1000, 1000, 7, 42);
    }

    private static long readLong(Object raw) {
        Map<String, Object> p = new HashMap<>();
        p.put("k", raw);
        return new ConfigReader("pid", p).longBetween("k", 0, Long.MAX_VALUE, 7, 42);
    }

    @Test
    public void signTricksAreRefused() {
        assertEquals(42, read("+-5"));   // was -5: the '+' was cut and "-5" parsed
        assertEquals(42, read("++5"));   // was 5
        assertEquals(42, read("-+5"));
        assertEquals(42, read("+"));
        assertEquals(42, read("-"));
        assertEquals(5, read("+5"));
        assertEquals(-5, read("-5"));
    }

    @Test
    public void nonAsciiDigitsAreRefused() {
        assertEquals(42, read("\u0661\u0660"));       // Arabic-Indic "10": Long.parseLong reads it as 10
        assertEquals(42, read("\uff11\uff10"));       // fullwidth "10"
        assertEquals(42, read("1\u0660"));
    }

    @Test
    public void whitespaceAndFormsOfNumbers() {
        assertEquals(10, read(" \t10\n "));
        assertEquals(42, read("10\u00a0"));   // NBSP is not trimmed: refused, not silently read
        assertEquals(42, read("0x10"));
        assertEquals(42, read("1_000"));
        assertEquals(42, read("1e2"));
        assertEquals(42, read("10.0"));
        assertEquals(42, read(""));
        assertEquals(42, read("   "));
        assertEquals(42, read("true"));
        assertEquals(42, read(new String[] {"5"}));
        assertEquals(8, read("0008"));
    }

    @Test
    public void floatsNaNInfinityAndBigNumbers() {
        assertEquals(42, read(Double.NaN));
        assertEquals(42, read(Double.POSITIVE_INFINITY));
        assertEquals(42, read(Float.NEGATIVE_INFINITY));
        assertEquals(42, read(1.5));
        assertEquals(5, read(5.0));
        assertEquals(0, read(-0.0));
        assertEquals(42, read(1e300));
        assertEquals(42, read(new BigDecimal("5.5")));
        assertEquals(5, read(new BigDecimal("5")));
        assertEquals(42, read(new BigInteger("18446744073709551621"))); // 2^64 + 5: must not wrap to 5
        assertEquals(42, readLong("9223372036854775808"));              // Long.MAX + 1
        assertEquals(42, readLong("99999999999999999999999"));
        assertEquals(Long.MAX_VALUE, readLong("9223372036854775807"));
        assertEquals(42, read(4294967301L));                             // 2^32 + 5: must not wrap in the int cast
        assertEquals(42, read(Long.MIN_VALUE));
    }

    @Test
    public void refusalLinesAreOneSafeShortLine() {
        Map<String, Object> p = new HashMap<>();
        p.put("k", "\u001b]0;x\u0007\r\n2026-12-01 ERROR forged" + "y".repeat(10_000));
        ConfigReader r = new ConfigReader("pid", p);
        r.intBetween("k", 1, 10, 7, 3);
        String line = r.refusals().get(0);
        assertTrue(line, line.length() < 200);
        assertTrue(line, !line.contains("\u001b") && !line.contains("\n") && !line.contains("\r") && !line.contains("\u0007"));
    }
}
