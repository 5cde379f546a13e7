package org.scriptbox.driversim.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.scriptbox.api.device.DeviceHealth;

/**
 * Health from real exchanges: each answered request (a command, a stop, a probe) is a good exchange; a
 * request the device could not be reached for or did not answer is a failure. "Reachable" means the
 * last exchange went well and is not older than {@code staleAfter}. Thread-safe.
 */
final class HealthTracker {
    private final Clock clock;
    private final Duration staleAfter;
    private boolean lastOk;
    private Instant lastExchange;
    private Instant lastGood;
    private Duration latency;
    private String lastError;
    private Instant lastErrorAt;

    HealthTracker(Clock clock, Duration staleAfter) {
        this.clock = clock;
        this.staleAfter = staleAfter;
    }

    synchronized void good(long latencyNanos) {
        Instant now = clock.instant();
        lastOk = true;
        lastExchange = now;
        lastGood = now;
        latency = Duration.ofNanos(latencyNanos);
    }

    synchronized void failed(String error) {
        Instant now = clock.instant();
        lastOk = false;
        lastExchange = now;
        lastError = error;
        lastErrorAt = now;
    }

    synchronized DeviceHealth now() {
        boolean fresh = lastExchange != null && Duration.between(lastExchange, clock.instant()).compareTo(staleAfter) <= 0;
        return new DeviceHealth(lastOk && fresh, lastGood, latency, lastError, lastErrorAt);
    }
}
