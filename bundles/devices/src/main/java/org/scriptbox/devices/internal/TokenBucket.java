package org.scriptbox.devices.internal;

import java.util.function.LongSupplier;

/**
 * The seed's token bucket: starts full, refills continuously at {@code rate} tokens per second up to
 * {@code burst}. Thread-safe: executions of one script share their script's bucket.
 */
final class TokenBucket {
    private final double rate;
    private final double burst;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;

    TokenBucket(double rate, double burst, LongSupplier nanoClock) {
        this.rate = rate;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    synchronized boolean tryConsume(double cost) {
        refill();
        if (tokens >= cost) {
            tokens -= cost;
            return true;
        }
        return false;
    }

    synchronized double available() {
        refill();
        return tokens;
    }

    double rate() {
        return rate;
    }

    double burst() {
        return burst;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * rate / 1e9);
            lastRefill = now;
        }
    }
}
