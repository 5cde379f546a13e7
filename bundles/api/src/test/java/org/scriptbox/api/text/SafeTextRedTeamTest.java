package org.scriptbox.api.text;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Random;

import org.junit.Test;

/** Red-team cases for issue 11 class 8, beyond SafeTextTest: nothing a script writes reaches a terminal raw. */
public class SafeTextRedTeamTest {

    /** No code point in the output that a terminal or a log reader could act on. */
    private static void assertInert(String out) {
        for (int i = 0; i < out.length(); ) {
            int cp = out.codePointAt(i);
            int t = Character.getType(cp);
            assertFalse("raw U+" + Integer.toHexString(cp) + " in " + out,
                    cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || t == Character.FORMAT
                            || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR || t == Character.SURROGATE);
            i += Character.charCount(cp);
        }
    }

    @Test
    public void eightBitC1IntroducersAreEscaped() {
        // 8-bit CSI, OSC, DCS, ST, APC, PM, SOS, NEL, IND, RI: xterm acts on these in 8-bit mode
        String s = "\u009b2J\u009d0;title\u009c\u0090qpayload\u009c\u009f\u009e\u0098\u0085\u0084\u008d";
        String out = SafeText.line(s);
        assertInert(out);
        assertTrue(out, out.startsWith("\\u009b2J\\u009d0;title\\u009c\\u0090qpayload"));
    }

    @Test
    public void sevenBitSequencesOfEveryKindAreEscaped() {
        String[] seqs = {"\u001b[2J\u001b[H", "\u001b]0;pwned\u0007", "\u001b]8;;http://evil/\u001b\\link\u001b]8;;\u001b\\",
                "\u001bP+q544e\u001b\\", "\u001b_apc\u001b\\", "\u001b^pm\u001b\\", "\u001bX sos \u001b\\", "\u001bc",
                "\u001b[6n", "\u001b[21t", "\u001b]52;c;ZWNobyBwd25lZA==\u0007", "\u0008\u0008\u0008fake", "a\u007fb"};
        for (String s : seqs) {
            assertInert(SafeText.line(s));
            assertInert(SafeText.lines(s));
        }
    }

    @Test
    public void bidiAndInvisiblesAndSeparators() {
        String s = "ok\u202eexe.txt\u202c \u2066x\u2069 \u061c \u200b\u200d\ufeff\u00ad \u2028forged\u2029 \u180e \ufff9\ufffa\ufffb"
                + new String(Character.toChars(0xe0041)) + new String(Character.toChars(0x1d173)); // a TAG char, a musical format char
        String out = SafeText.line(s);
        assertInert(out);
        assertTrue(out, out.contains("\\u202e") && out.contains("\\u2028") && out.contains("\\u2066"));
        assertTrue(out, out.contains("\\ue0041")); // supplementary escapes keep all their digits
    }

    @Test
    public void surrogatesSplitAnywhereAreNeverRawAndPairsStayIntact() {
        String pair = new String(Character.toChars(0x1f600));
        assertEquals("a" + pair, SafeText.line("a" + pair));
        String cutHigh = ("x" + pair).substring(0, 2);
        String cutLow = pair.substring(1);
        assertEquals("x\\ud83d", SafeText.line(cutHigh));
        assertEquals("\\ude00y", SafeText.line(cutLow + "y"));
        // reversed pair (low then high) is two lone surrogates
        assertEquals("\\ude00\\ud83d", SafeText.line("\ude00\ud83d"));
    }

    @Test
    public void linesKeepsLineFeedsButNotCarriageReturnsOrOtherBreaks() {
        String out = SafeText.lines("a\r\nb\u000bc\u000cd\u0085e\u2028f");
        assertEquals("a\\r\nb\\u000bc\\u000cd\\u0085e\\u2028f", out);
    }

    @Test
    public void escapingTwiceIsStableAndOutputIsAsciiSafeForRandomInput() {
        Random r = new Random(11);
        for (int n = 0; n < 2_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                int pick = r.nextInt(5);
                sb.append((char) (pick == 0 ? r.nextInt(0x100) : pick == 1 ? 0xd800 + r.nextInt(0x800)
                        : pick == 2 ? 0x2000 + r.nextInt(0x80) : pick == 3 ? 0xfff0 + r.nextInt(0x10) : r.nextInt(0x10000)));
            }
            String once = SafeText.line(sb.toString());
            assertInert(once);
            assertEquals(once, SafeText.line(once));
            assertFalse(SafeText.needsEscaping(once));
            assertFalse(SafeText.lines(sb.toString()).contains("\r"));
        }
    }

    @Test
    public void aPrefixOfEscapedTextIsStillInert() {
        // whoever cuts after escaping (log line limit, table column) can only cut an escape's text, never make one
        String out = SafeText.line("\u001b]0;t\u0007" + new String(Character.toChars(0x1f600)).repeat(3));
        for (int i = 0; i <= out.length(); i++) {
            String prefix = out.substring(0, i);
            if (i > 0 && Character.isHighSurrogate(out.charAt(i - 1))) {
                continue; // a cut inside a pair is the cutter's to avoid (ScriptLogSink does)
            }
            assertInert(prefix);
        }
    }
}
