package org.scriptbox.api.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ConfigReaderTest {

    @Test
    public void absentKeysTakeTheirDefault() {
        ConfigReader r = new ConfigReader("p", Map.of());
        assertEquals(10, r.intBetween("max.concurrent", 1, 1000, 10, 3));
        assertEquals(List.of(), r.refusals());
    }

    @Test
    public void numbersAndNumericStringsAreAccepted() {
        ConfigReader r = new ConfigReader("p", Map.of("a", "25", "b", 7L, "c", " +3 ", "d", 4.0));
        assertEquals(25, r.intBetween("a", 1, 1000, 10, 3));
        assertEquals(7, r.longBetween("b", 0, 10, 1, 1));
        assertEquals(3, r.intBetween("c", 1, 10, 1, 1));
        assertEquals(4, r.intBetween("d", 1, 10, 1, 1));
        assertEquals(List.of(), r.refusals());
    }

    @Test
    public void outOfRangeKeepsTheCurrentValueWithOneLine() {
        ConfigReader r = new ConfigReader("org.scriptbox.manager", Map.of("max.concurrent", "0", "queue.capacity", -1));
        assertEquals(12, r.intBetween("max.concurrent", 1, 1000, 10, 12));
        assertEquals(100, r.intBetween("queue.capacity", 0, Integer.MAX_VALUE, 100, 100));
        assertEquals(List.of(
                "configuration org.scriptbox.manager: max.concurrent = '0' refused, it is out of range (must be between 1 and 1000); keeping 12",
                "configuration org.scriptbox.manager: queue.capacity = '-1' refused, it is out of range (must be at least 0); keeping 100"),
                r.refusals());
    }

    @Test
    public void notANumberKeepsTheCurrentValue() {
        ConfigReader r = new ConfigReader("p", Map.of("a", "abc", "b", "1e3", "c", 2.5, "d", "99999999999999999999"));
        assertEquals(5, r.intBetween("a", 1, 10, 1, 5));
        assertEquals(5, r.intBetween("b", 1, 10, 1, 5));
        assertEquals(5, r.intBetween("c", 1, 10, 1, 5));
        assertEquals(5, r.longBetween("d", 1, Long.MAX_VALUE, 1, 5));
        assertEquals(4, r.refusals().size());
        assertTrue(r.refusals().get(0), r.refusals().get(0).endsWith("a = 'abc' refused, it is not a whole number; keeping 5"));
    }

    @Test
    public void aHostileValueCannotBreakTheLogLine() {
        ConfigReader r = new ConfigReader("p", Map.of("a", "1\n12:00 ERROR fake \u001b[2J"));
        r.intBetween("a", 1, 10, 1, 5);
        assertTrue(r.refusals().get(0), r.refusals().get(0).contains("'1\\n12:00 ERROR fake \\u001b[2J'"));
    }

    @Test
    public void decimalsAreFiniteNumbersInRangeElseTheCurrentValueStays() {
        ConfigReader r = new ConfigReader("org.scriptbox.resources", Map.of("a", "0.5", "b", 2.5, "c", "NaN",
                "d", "Infinity", "e", "1e3", "f", "0x1p3", "g", "abc", "h", "1.5d", "i", Double.NaN, "j", "-0.1"));
        assertEquals(0.5, r.doubleBetween("a", 0, 1, 0.9, 0.8), 0);
        assertEquals(2.5, r.doubleBetween("b", 0, 10, 0.9, 0.8), 0);
        assertEquals(1000, r.doubleBetween("e", 0, 1e6, 0.9, 0.8), 0);
        for (String key : List.of("c", "d", "f", "g", "h", "i", "j")) {
            assertEquals(key, 0.8, r.doubleBetween(key, 0, 1, 0.9, 0.8), 0);
        }
        assertEquals(7, r.refusals().size());
        assertEquals("configuration org.scriptbox.resources: c = 'NaN' refused, it is not a number; keeping 0.8",
                r.refusals().get(0));
        assertTrue(r.refusals().get(6), r.refusals().get(6).contains("out of range (must be between 0 and 1)"));
        ConfigReader whole = new ConfigReader("p", Map.of("x", "abc"));
        whole.doubleBetween("x", 0.5, 10, 1, 2.0);
        assertEquals("numbers as an operator writes them, not Java's 2.0",
                "configuration p: x = 'abc' refused, it is not a number; keeping 2", whole.refusals().get(0));
    }

    @Test
    public void flagsAreTrueOrFalseOnly() {
        ConfigReader r = new ConfigReader("p", Map.of("a", "TRUE", "b", false, "c", "yes", "d", "1"));
        assertTrue(r.flag("a", false, false));
        assertEquals(false, r.flag("b", true, true));
        assertTrue("refused: the current value", r.flag("c", false, true));
        assertEquals(false, r.flag("d", true, false));
        assertTrue(r.flag("absent", true, false));
        assertEquals(2, r.refusals().size());
        assertTrue(r.refusals().get(0), r.refusals().get(0).endsWith("c = 'yes' refused, it is neither true nor false; keeping true"));
    }
}
