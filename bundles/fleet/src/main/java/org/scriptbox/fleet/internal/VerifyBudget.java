package org.scriptbox.fleet.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How many Ed25519 verifications of events and telemetry a controller spends per second (about a millisecond
 * each): at most {@code perGateway} for one gateway and {@code total} for all (one-second windows), so that a
 * gateway, or a forger publishing under many gateways' names, cannot take the controller's CPU. What is over is
 * dropped unverified and counted ({@link Activity}). Link thread only.
 */
final class VerifyBudget {
    static final int PER_GATEWAY = 40;
    static final int TOTAL = 100;
    private final int perGateway;
    private final int total;
    private final LongSupplier nanos;
    private long windowStart;
    private boolean started;
    private int used;
    private final Map<String, Integer> usedBy = new HashMap<>();

    VerifyBudget(int perGateway, int total, LongSupplier nanos) {
        this.perGateway = perGateway;
        this.total = total;
        this.nanos = nanos;
    }

    /** Whether one more verification for {@code gateway} fits this second (and if so it is spent). */
    boolean take(String gateway) {
        long now = nanos.getAsLong();
        if (!started || now - windowStart >= 1_000_000_000L) {
            started = true;
            windowStart = now;
            used = 0;
            usedBy.clear();
        }
        int mine = usedBy.getOrDefault(gateway, 0);
        if (used >= total || mine >= perGateway) {
            return false;
        }
        used++;
        usedBy.put(gateway, mine + 1);
        return true;
    }
}
