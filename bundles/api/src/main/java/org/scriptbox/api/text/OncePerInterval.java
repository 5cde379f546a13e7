package org.scriptbox.api.text;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Says yes to a key at most once per interval: for log lines that a looping script could repeat. Safe for
 * concurrent use; the memory of keys is bounded (beyond 10,000 keys it is forgotten), so a script inventing keys
 * cannot grow it.
 */
public final class OncePerInterval {
    private static final int MAX_KEYS = 10_000;
    private final long intervalNanos;
    private final ConcurrentMap<String, Long> last = new ConcurrentHashMap<>();

    public OncePerInterval(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    public boolean shouldLog(String key) {
        long now = System.nanoTime();
        Long before = last.get(key);
        if (before != null && now - before < intervalNanos) {
            return false;
        }
        if (last.size() > MAX_KEYS) {
            last.clear();
        }
        // only the thread that moves the time on says yes: two at once must not both log
        return before == null ? last.putIfAbsent(key, now) == null : last.replace(key, before, now);
    }
}
