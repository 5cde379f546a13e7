package org.scriptbox.deployer.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Lets a change through only once it stood still: an observation of a key must be equal across at least
 * two separate scans and over at least the quiet period before it is released. A writer that is still
 * writing, truncating or renaming keeps changing what is observed, so it keeps the key waiting; what is
 * released is exactly the observation that was seen to be stable (the caller never reads the file again).
 *
 * <p>Not thread-safe: one owner calls {@link #touch} and {@link #scan}. Time is passed in (nanoseconds,
 * monotonic) so that tests drive it.
 */
final class QuietPeriodGate<K, V> {
    record Released<K, V>(K key, V observation) {
    }

    private static final class Pending<V> {
        V last;
        long since;
        int scans;
    }

    private final long quietNanos;
    private final Map<K, Pending<V>> pending = new LinkedHashMap<>();

    QuietPeriodGate(long quietNanos) {
        if (quietNanos < 0) {
            throw new IllegalArgumentException("quiet period must not be negative");
        }
        this.quietNanos = quietNanos;
    }

    /** Something about this key may have changed: observe it on the next scans until it is stable. */
    void touch(K key) {
        pending.computeIfAbsent(key, k -> new Pending<>());
    }

    boolean isPending(K key) {
        return pending.containsKey(key);
    }

    int pendingCount() {
        return pending.size();
    }

    /**
     * Observes every pending key once and releases those whose observation is unchanged since an earlier
     * scan at least the quiet period ago. The cost is proportional to the pending keys, not to all keys.
     */
    List<Released<K, V>> scan(long nowNanos, Function<K, V> observe) {
        List<Released<K, V>> released = new ArrayList<>();
        for (Iterator<Map.Entry<K, Pending<V>>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<K, Pending<V>> e = it.next();
            Pending<V> p = e.getValue();
            V now = observe.apply(e.getKey());
            if (p.scans == 0 || !Objects.equals(now, p.last)) {
                p.last = now;
                p.since = nowNanos;
                p.scans = 1;
                continue;
            }
            p.scans++;
            if (nowNanos - p.since >= quietNanos) {
                released.add(new Released<>(e.getKey(), now));
                it.remove();
            }
        }
        return released;
    }
}
