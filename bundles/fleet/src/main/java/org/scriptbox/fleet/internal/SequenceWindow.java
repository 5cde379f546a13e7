package org.scriptbox.fleet.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The receiving side's sequence numbers (a controller's of each gateway, a gateway's of each controller key):
 * the last taken per key, and how far a number (the signer's clock in microseconds) may be from this clock.
 * A number taken during a clock fault far ahead (a whole site's NTP) holds messages back one window at most, not
 * until the clock gets there: it is lowered once to now + window (anything signed before with a right clock is
 * below it; a copy signed during the fault is {@link #ahead} and refused), Q41. Synchronized: checked on a link
 * thread, saved from another.
 */
final class SequenceWindow {
    private final long windowMillis;   // 0: no check of the signer's time
    private final LongSupplier clock;
    private final Map<String, Long> last = new HashMap<>();

    SequenceWindow(Duration window, LongSupplier clockMillis) {
        this.windowMillis = window.toMillis();
        this.clock = clockMillis;
    }

    long windowMillis() {
        return windowMillis;
    }

    long nowMillis() {
        return clock.getAsLong();
    }

    /** The last number taken for {@code key} (0: none), lowered to now + window if it was above (Q41). */
    synchronized long last(String key) {
        long before = last.getOrDefault(key, 0L);
        long cap = (clock.getAsLong() + windowMillis) * 1000;
        if (windowMillis > 0 && before > cap) {
            last.put(key, cap);
            return cap;
        }
        return before;
    }

    /** Signed more than a window ahead of this clock: taken, it would make every later number a replay. */
    boolean ahead(long seq) {
        return windowMillis > 0 && seq / 1000 > clock.getAsLong() + windowMillis;
    }

    /** Signed more than a window before this clock: a copy held back (requests only, Q30). */
    boolean behind(long seq) {
        return windowMillis > 0 && seq / 1000 < clock.getAsLong() - windowMillis;
    }

    synchronized void take(String key, long seq) {
        last.merge(key, seq, Math::max);
    }

    /** Puts back what {@link #take} took last (its record could not be kept). */
    synchronized void restore(String key, long seq) {
        if (seq <= 0) {
            last.remove(key);
        } else {
            last.put(key, seq);
        }
    }

    synchronized Map<String, Long> snapshot() {
        return Map.copyOf(last);
    }

    synchronized void load(Map<String, Long> saved) {
        last.putAll(saved);
    }
}
