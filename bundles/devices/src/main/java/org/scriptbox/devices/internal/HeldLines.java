package org.scriptbox.devices.internal;

import org.scriptbox.api.text.OncePerInterval;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lines a script causes outside its own log (e-stop reports, safe states after its runs end badly): at most one
 * per key per interval, and the next line that is written says how many were held back, so a script on a fast
 * schedule cannot flood the container log yet nothing disappears without a count. Keys are built from names
 * the operator chose (script names, device ids), never from script text.
 */
final class HeldLines {
    /** Beyond this many keys the counts are forgotten (as {@link OncePerInterval} forgets its times). */
    private static final int MAX_KEYS = 10_000;
    private final OncePerInterval once;
    private final ConcurrentMap<String, AtomicLong> held = new ConcurrentHashMap<>();

    HeldLines(long intervalNanos) {
        this.once = new OncePerInterval(intervalNanos);
    }

    /**
     * @return null when the line is to be held back (and counted), else the suffix to append to it: empty, or
     *         " (N earlier line(s) of this kind held back)"
     */
    String admit(String key) {
        if (!once.shouldLog(key)) {
            if (held.size() > MAX_KEYS) {
                held.clear();
            }
            held.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            return null;
        }
        AtomicLong before = held.remove(key);
        return before == null ? "" : " (" + before.get() + " earlier line(s) of this kind held back)";
    }
}
