package org.scriptbox.fleet.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per gateway, what became of its events and telemetry at this controller ({@code fleet:activity}): taken
 * (signed by its key, above its last number), refused (unsigned, forged, a replay, too large) and dropped over
 * the verification budget ({@link VerifyBudget}). Bounded by the gateways in gateway.keys; others count under
 * {@link #UNKNOWN}.
 */
final class Activity {
    static final String UNKNOWN = "(not in gateway.keys)";
    /** One gateway's counts, a value. */
    record Counts(long eventsTaken, long eventsRefused, long eventsOverBudget, long telemetryTaken, long telemetryRefused,
                  long telemetryOverBudget) {
    }

    enum Outcome { TAKEN, REFUSED, OVER_BUDGET }

    private final Map<String, AtomicLongArray> counts = new ConcurrentHashMap<>();

    void count(String gateway, boolean telemetry, Outcome o) {
        counts.computeIfAbsent(gateway, g -> new AtomicLongArray(6)).incrementAndGet((telemetry ? 3 : 0) + o.ordinal());
    }

    Map<String, Counts> snapshot() {
        Map<String, Counts> out = new TreeMap<>();
        counts.forEach((g, a) -> out.put(g, new Counts(a.get(0), a.get(1), a.get(2), a.get(3), a.get(4), a.get(5))));
        return out;
    }
}
