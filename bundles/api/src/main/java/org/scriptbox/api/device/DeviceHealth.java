package org.scriptbox.api.device;

import java.time.Duration;
import java.time.Instant;

/**
 * What the driver knows from real exchanges with the device, not from a socket flag.
 *
 * @param reachable        whether the last exchange (a command or the periodic probe) succeeded recently
 * @param lastGoodExchange when the device last answered well, {@code null} if never
 * @param latency          round trip of that exchange, {@code null} if never
 * @param lastError        the last failure, plain text for operators, {@code null} if none
 * @param lastErrorAt      when it happened, {@code null} if none
 */
public record DeviceHealth(boolean reachable, Instant lastGoodExchange, Duration latency, String lastError,
                           Instant lastErrorAt) {
    /** Nothing exchanged yet. */
    public static final DeviceHealth UNKNOWN = new DeviceHealth(false, null, null, null, null);

    /** Reachable now, just answered in {@code latency}. */
    public static DeviceHealth good(Instant at, Duration latency) {
        return new DeviceHealth(true, at, latency, null, null);
    }
}
