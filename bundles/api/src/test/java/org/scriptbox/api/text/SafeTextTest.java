package org.scriptbox.api.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class SafeTextTest {

    /** What the output may hold: nothing a terminal or a log reader would act on. */
    private static void assertInert(String out) {
        out.codePoints().forEach(cp -> {
            assertTrue("printable ASCII or a visible character, got U+" + Integer.toHexString(cp) + " in " + out,
                    cp >= 0x20 && cp < 0x7f || cp > 0x9f && !Character.isISOControl(cp)
                            && Character.getType(cp) != Character.FORMAT && Character.getType(cp) != Character.SURROGATE
                            && cp != 0x2028 && cp != 0x2029);
        });
    }

    @Test
    public void plainTextIsReturnedAsItIs() {
        String s = "motor 2 at 77 % – Grüße, 温度 😀 C:\\data\\x.lua";
        assertSame(s, SafeText.line(s));
        assertFalse(SafeText.needsEscaping(s));
        assertNull(SafeText.line(null));
    }

    @Test
    public void aForgedLogLineStaysOnItsLine() {
        String forged = "ok\n2026-12-01T10:00:00,000 ERROR [main] org.scriptbox.manager - disk wiped\r\n";
        String out = SafeText.line(forged);
        assertEquals("ok\\n2026-12-01T10:00:00,000 ERROR [main] org.scriptbox.manager - disk wiped\\r\\n", out);
        assertInert(out);
    }

    @Test
    public void everyC0ControlDelAndC1ControlIsEscaped() {
        for (int c = 0; c <= 0x9f; c++) {
            if (c >= 0x20 && c < 0x7f) {
                continue;
            }
            String out = SafeText.line("a" + (char) c + "b");
            assertInert(out);
            assertTrue("U+" + Integer.toHexString(c) + " -> " + out, out.startsWith("a\\") && out.endsWith("b"));
        }
        assertEquals("\\u001b[2J\\u001b]0;pwned\\u0007", SafeText.line("\u001b[2J\u001b]0;pwned\u0007"));
        assertEquals("\\u009b2J", SafeText.line("\u009b2J")); // the one-byte CSI
        assertEquals("\\u007f\\u0000", SafeText.line("\u007f\u0000"));
        assertEquals("\\t", SafeText.line("\t"));
    }

    @Test
    public void bidiOverridesZeroWidthAndSeparatorsAreEscaped() {
        String s = "\u202eevil\u202c \u2066x\u2069 \u200b\u200d\u200e\u200f\u061c\ufeff \u2028\u2029";
        String out = SafeText.line(s);
        assertInert(out);
        assertEquals("\\u202eevil\\u202c \\u2066x\\u2069 \\u200b\\u200d\\u200e\\u200f\\u061c\\ufeff \\u2028\\u2029", out);
    }

    @Test
    public void loneSurrogatesAreEscapedPairsKept() {
        assertEquals("x\\ud800y\\udfffz", SafeText.line("x\ud800y\udfffz"));
        assertEquals("\\udc00\\ud83d", SafeText.line("\udc00\ud83d")); // reversed pair: two lone halves
        assertEquals("\ud83d\ude00", SafeText.line("\ud83d\ude00"));
        assertInert(SafeText.line("\ud800"));
    }

    @Test
    public void linesKeepLineFeedsOnly() {
        assertEquals("stack:\n  at x\\r\n  \\u001b[31m", SafeText.lines("stack:\n  at x\r\n  \u001b[31m"));
    }
}
