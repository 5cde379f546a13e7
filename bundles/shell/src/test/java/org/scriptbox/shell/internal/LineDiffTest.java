package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class LineDiffTest {
    @Test
    public void showsChangedLinesWithContextAndLineNumbers() {
        String a = "a\nb\nc\nd\ne\nf\ng\n";
        String b = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assertEquals("@@ -2 +2 @@\n b\n c\n-d\n+D\n e\n f\n g\n+h\n \n", LineDiff.diff(a, b));
    }

    @Test
    public void sameTextsHaveNoDiff() {
        assertEquals("", LineDiff.diff("x\ny", "x\ny"));
    }

    @Test
    public void terminalEscapesInTheSourceAreShownNotSent() {
        String d = LineDiff.diff("print(1)", "print('\u001b]0;owned\u0007\u009b2J\u202e')");
        assertTrue(d, d.contains("\\u001b]0;owned\\u0007\\u009b2J\\u202e"));
        assertTrue(d.chars().noneMatch(c -> c == 0x1b || c == 0x9b || c == 0x202e));
    }

    @Test
    public void hugeChangesAreShownWholeWithoutAQuadraticTable() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            a.append("a").append(i).append('\n');
            b.append("b").append(i).append('\n');
        }
        String d = LineDiff.diff(a.toString(), b.toString());
        assertTrue(d.startsWith("@@ -1 +1 @@\n-a0\n"));
        assertTrue(d.contains("\n+b4999\n"));
    }

    /** L12: two 4 MB versions, CPU and output bounded. */
    @Test(timeout = 20_000)
    public void twoFourMegabyteVersionsCostLittleAndPrintABoundedDiff() {
        StringBuilder x = new StringBuilder();
        StringBuilder y = new StringBuilder();
        String pad = "p".repeat(1990);
        for (int i = 0; i < 1999; i++) {
            x.append(pad).append(String.format("%08d", i)).append('\n');
            y.append(pad).append(String.format("%08d", i % 3 == 0 ? i : -i)).append('\n');
        }
        long t = System.nanoTime();
        String d = LineDiff.diff(x.toString(), y.toString());
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue("the diff of 2 x 4 MB took " + ms + " ms", ms < 5_000);
        assertTrue(d.length() + " chars", d.length() < LineDiff.MAX_CHARS + 4_000);
        assertTrue(d, d.endsWith("KB; GET /api/v1/scripts/NAME/history/N gives each version whole)\n"));
        assertTrue(d.startsWith("@@ -1 +1 @@\n " + pad + "00000000\n-"));
    }
}
