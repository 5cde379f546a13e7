package org.scriptbox.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** Bad scheduler and resource-monitor values are refused with one line each and the current value kept. */
public class SchedulerSettingsTest {
    private final List<String> refused = new ArrayList<>();

    @Test
    public void goodValuesApplyAndAbsentOnesTakeTheirDefault() {
        SchedulerSettings s = SchedulerSettings.read(Map.of("timer.threads", "2", "min.interval.ms", "0"),
                SchedulerSettings.DEFAULTS, refused::add);
        assertEquals(2, s.timerThreads());
        assertEquals(Duration.ZERO, s.limits().minInterval());
        assertEquals(5, s.limits().maxParallelRuns());
        assertEquals(List.of(), refused);
    }

    @Test
    public void zeroNegativeAndNonNumbersKeepTheCurrentValues() {
        SchedulerSettings current = new SchedulerSettings(3, 7, new ScheduleLimits(Duration.ofMillis(250), 4));
        SchedulerSettings s = SchedulerSettings.read(Map.of("timer.threads", "0", "save.interval.seconds", "abc",
                "min.interval.ms", -1, "max.parallel.runs", "0"), current, refused::add);
        assertEquals(current, s);
        assertEquals(4, refused.size());
        assertTrue(refused.toString(), refused.contains("configuration org.scriptbox.scheduler: timer.threads = '0' "
                + "refused, it is out of range (must be between 1 and 64); keeping 3"));
        assertTrue(refused.toString(), refused.contains("configuration org.scriptbox.scheduler: save.interval.seconds = "
                + "'abc' refused, it is not a whole number; keeping 7"));
    }

    @Test
    public void theResourceMonitorRefusesNaNAndOutOfRangeThresholds() {
        ResourceMonitorComponent.Settings current = new ResourceMonitorComponent.Settings(0.8, 4, 0.7, 3, 200);
        ResourceMonitorComponent.Settings s = ResourceMonitorComponent.Settings.read(Map.of("max.cpu.load", "NaN",
                "max.heap.fraction", "1.5", "cpu.samples", "-1", "heap.samples", "x", "sample.interval.ms", "0"), current);
        assertEquals(current, s);
        ResourceMonitorComponent.Settings ok = ResourceMonitorComponent.Settings.read(Map.of("max.cpu.load", "0.5"), current);
        assertEquals(0.5, ok.maxCpuLoad(), 0);
        assertEquals("absent: the default", 0.9, ok.maxHeapFraction(), 0);
    }
}
