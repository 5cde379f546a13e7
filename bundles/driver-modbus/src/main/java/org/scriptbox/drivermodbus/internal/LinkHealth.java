package org.scriptbox.drivermodbus.internal;

import java.time.Duration;
import java.time.Instant;

import org.scriptbox.api.device.DeviceHealth;

/**
 * The device's health from real exchanges on either lane: reachable means the last exchange got an answer
 * (a Modbus exception is an answer too) and that answer is younger than {@code staleAfterNanos}. A socket
 * that is open says nothing: a killed server or one that never answers shows as unreachable after its
 * first failed exchange, at the latest one probe interval plus one timeout later. Thread-safe.
 */
final class LinkHealth {
    private final long staleAfterNanos;
    private Instant lastGood;
    private long lastGoodNanos;
    private Duration latency;
    private boolean lastAnswered;
    private String lastError;
    private Instant lastErrorAt;

    /** @param staleAfterNanos how long an answer keeps the device reachable; {@code Long.MAX_VALUE}: until a failure */
    LinkHealth(long staleAfterNanos) {
        this.staleAfterNanos = staleAfterNanos;
    }

    /** The device answered, after {@code startNanos}; {@code error} is set when the answer was a refusal. */
    synchronized void answered(long startNanos, String error) {
        long now = System.nanoTime();
        lastGood = Instant.now();
        lastGoodNanos = now;
        latency = Duration.ofNanos(now - startNanos);
        lastAnswered = true;
        if (error != null) {
            noteError(error);
        }
    }

    /** No answer: not connected, timed out, or the link broke. */
    synchronized void failed(String error) {
        lastAnswered = false;
        noteError(error);
    }

    private void noteError(String error) {
        lastError = error;
        lastErrorAt = Instant.now();
    }

    /** Nanoseconds since the last answer, or {@code Long.MAX_VALUE} if there was none. */
    synchronized long sinceLastAnswerNanos() {
        return lastGood == null ? Long.MAX_VALUE : System.nanoTime() - lastGoodNanos;
    }

    synchronized DeviceHealth snapshot() {
        boolean fresh = lastGood != null && System.nanoTime() - lastGoodNanos <= staleAfterNanos;
        return new DeviceHealth(lastAnswered && fresh, lastGood, latency, lastError, lastErrorAt);
    }
}
