package org.scriptbox.shell.internal;

import java.time.Duration;
import java.time.Instant;

import org.scriptbox.api.device.DeviceHealth;

/** A device's health for operators: reachable or not, with the age of the last good exchange and the last error. */
final class HealthText {
    private HealthText() {
    }

    /** For a table cell: {@code ok, 12 ms}, {@code DOWN, good 2m ago}, {@code DOWN, never answered}. */
    static String brief(DeviceHealth h, Instant now) {
        if (h.reachable()) {
            return "ok" + (h.latency() == null ? "" : ", " + millis(h.latency()));
        }
        return "DOWN, " + (h.lastGoodExchange() == null ? "never answered" : "good " + age(h.lastGoodExchange(), now)
                + " ago");
    }

    /** One line: reachability, last good exchange and latency, last error and when. */
    static String full(DeviceHealth h, Instant now) {
        StringBuilder s = new StringBuilder(h.reachable() ? "reachable" : "NOT reachable");
        s.append("; last good exchange: ").append(h.lastGoodExchange() == null ? "never"
                : age(h.lastGoodExchange(), now) + " ago" + (h.latency() == null ? "" : " (" + millis(h.latency()) + ")"));
        if (h.lastError() != null) {
            s.append("; last error: ").append(h.lastError());
            if (h.lastErrorAt() != null) {
                s.append(" (").append(age(h.lastErrorAt(), now)).append(" ago)");
            }
        }
        return s.toString();
    }

    static String millis(Duration d) {
        long micros = d.toNanos() / 1000;
        return micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : (micros / 1000) + " ms";
    }

    static String age(Instant then, Instant now) {
        long ms = Math.max(0, Duration.between(then, now).toMillis());
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = ms / 1000;
        return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : (s / 3600) + " h";
    }
}
