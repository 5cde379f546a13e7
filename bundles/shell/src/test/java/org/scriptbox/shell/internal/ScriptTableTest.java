package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;

import org.junit.Test;

public class ScriptTableTest {
    @Test
    public void columnsLineUpAndMissingCellsShowADash() {
        String t = new ScriptTable("NAME", "STATUS").row("blink", "COMPILED").row("a-much-longer-name", null).toString();
        assertEquals("NAME                STATUS\n"
                + "blink               COMPILED\n"
                + "a-much-longer-name  -\n", t);
    }

    @Test
    public void durationsAndSizesReadWell() {
        assertEquals("1.5 ms", ScriptCommands.millis(Duration.ofNanos(1_500_000)));
        assertEquals("250 ms", ScriptCommands.millis(Duration.ofMillis(250)));
        assertEquals("20 KB", ScriptCommands.bytes(20 * 1024));
    }

    @Test
    public void aCellCannotBreakTheTableOrReachTheTerminalRaw() {
        String t = new ScriptTable("NAME", "PROBLEM").row("x", "boom\nfake  COMPILED\u001b[2J\u001b]0;title\u0007\u009b").toString();
        assertEquals("NAME  PROBLEM\n"
                + "x     boom\\nfake  COMPILED\\u001b[2J\\u001b]0;title\\u0007\\u009b\n", t);
    }
}
