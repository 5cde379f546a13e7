package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.Test;
import org.scriptbox.api.device.DeviceHealth;

public class HealthTextTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    public void reachableShowsLatency() {
        DeviceHealth h = DeviceHealth.good(NOW.minusMillis(300), Duration.ofMillis(12));
        assertEquals("ok, 12 ms", HealthText.brief(h, NOW));
        assertEquals("reachable; last good exchange: 300 ms ago (12 ms)", HealthText.full(h, NOW));
    }

    @Test
    public void downShowsAgeOfLastGoodExchangeAndTheError() {
        DeviceHealth h = new DeviceHealth(false, NOW.minusSeconds(150), Duration.ofNanos(800_000), "connection refused",
                NOW.minusSeconds(3));
        assertEquals("DOWN, good 2 min ago", HealthText.brief(h, NOW));
        assertEquals("NOT reachable; last good exchange: 2 min ago (0.8 ms); last error: connection refused (3 s ago)",
                HealthText.full(h, NOW));
        assertEquals("DOWN, never answered", HealthText.brief(DeviceHealth.UNKNOWN, NOW));
    }
}
