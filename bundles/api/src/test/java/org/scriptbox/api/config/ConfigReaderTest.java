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
}
