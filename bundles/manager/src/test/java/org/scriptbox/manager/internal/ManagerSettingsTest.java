package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ManagerSettingsTest {
    private final List<String> refused = new ArrayList<>();

    @Test
    public void noPropertiesGiveTheDefaults() {
        assertEquals(ManagerSettings.DEFAULTS, ManagerSettings.read(Map.of(), ManagerSettings.DEFAULTS, refused::add));
        assertEquals(List.of(), refused);
    }

    @Test
    public void zeroNegativeAndNonNumbersAreRefusedAndTheCurrentValueKept() {
        ManagerSettings current = ManagerSettings.read(Map.of("max.concurrent", "20", "queue.capacity", "50"),
                ManagerSettings.DEFAULTS, refused::add);
        ManagerSettings got = ManagerSettings.read(Map.of("max.concurrent", "0", "queue.capacity", "abc", "log.lines", "-1"),
                current, refused::add);
        assertEquals(20, got.capacity().maxConcurrent());
        assertEquals(50, got.capacity().queueCapacity());
        assertEquals(200, got.logLines());
        assertEquals(3, refused.size());
        assertEquals("configuration org.scriptbox.manager: max.concurrent = '0' refused, it is out of range"
                + " (must be between 1 and 10000); keeping 20", refused.get(0));
        assertEquals("configuration org.scriptbox.manager: queue.capacity = 'abc' refused, it is not a whole number;"
                + " keeping 50", refused.get(1));
    }

    @Test
    public void aReserveThatLeavesNoSlotForSchedulesIsRefused() {
        ManagerSettings got = ManagerSettings.read(Map.of("max.concurrent", "2", "reserved.operator.slots", "2"),
                ManagerSettings.DEFAULTS, refused::add);
        assertEquals(2, got.capacity().maxConcurrent());
        assertEquals(1, got.capacity().operatorReserve());
        assertEquals(List.of("configuration org.scriptbox.manager: reserved.operator.slots = '2' refused, it must be smaller"
                + " than max.concurrent (2); keeping 1"), refused);
    }

    @Test
    public void theDefaultReserveGivesWayInAOneSlotContainer() {
        ManagerSettings got = ManagerSettings.read(Map.of("max.concurrent", "1"), ManagerSettings.DEFAULTS, refused::add);
        assertEquals(1, got.capacity().maxConcurrent());
        assertEquals(0, got.capacity().operatorReserve());
        assertEquals(List.of(), refused);
    }

    @Test
    public void theContainerWideLogBudgetIsReadWithRangeChecks() {
        ManagerSettings got = ManagerSettings.read(Map.of("log.max.lines.per.window.total", "500",
                "log.max.bytes.per.window.total", "100"), ManagerSettings.DEFAULTS, refused::add);
        assertEquals(500, got.logQuota().linesTotal());
        assertEquals(LogQuota.DEFAULTS.bytesTotal(), got.logQuota().bytesTotal());
        assertEquals(List.of("configuration org.scriptbox.manager: log.max.bytes.per.window.total = '100' refused, it is"
                + " out of range (must be at least 1024); keeping 2097152"), refused);
    }
}
