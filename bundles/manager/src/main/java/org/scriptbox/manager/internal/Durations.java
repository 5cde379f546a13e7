package org.scriptbox.manager.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations and byte sizes as people write them in metadata: {@code "250ms"}, {@code "5s"}, {@code "16MB"}.
 * Both are range-checked here, where they are read: a value beyond {@link #MAX_DURATION} or
 * {@link #MAX_SIZE} is refused with a sentence, so no later arithmetic (milliseconds, a fire time, a
 * byte count) can overflow on it.
 */
final class Durations {
    /** Ten years: longer than any limit or schedule period anyone means, far from any overflow. */
    static final Duration MAX_DURATION = Duration.ofDays(3650);
    /** One tebibyte. */
    static final long MAX_SIZE = 1L << 40;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /** @throws IllegalArgumentException with the accepted forms */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (use a number and ms, s, m, h or d, e.g. \"250ms\", \"5s\", \"1m\")");
        }
        long n = Long.parseLong(m.group(1));
        Duration d;
        switch (m.group(2)) {
            case "ms": d = Duration.ofMillis(n); break;
            case "s": d = Duration.ofSeconds(n); break;
            case "m": d = Duration.ofMinutes(n); break;
            case "h": d = Duration.ofHours(n); break;
            default: d = Duration.ofDays(n);
        }
        checkRange(d, text);
        return d;
    }

    /** @throws IllegalArgumentException for a duration that is negative or longer than {@link #MAX_DURATION} */
    static void checkRange(Duration d, String what) {
        if (d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("\"" + what + "\" is out of range (at most " + MAX_DURATION.toDays() + "d)");
        }
    }

    /** The shortest exact form: 1500 ms stays {@code "1500ms"}, 60 s becomes {@code "1m"}. */
    static String format(Duration d) {
        if (d.compareTo(MAX_DURATION) > 0) {
            return d.toDays() + "d"; // out of range (refused at deploy); toMillis could overflow
        }
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** @throws IllegalArgumentException with the accepted forms */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (use a number of bytes or e.g. \"512KB\", \"16MB\")");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(java.util.Locale.ROOT);
        int shift;
        switch (unit) {
            case "KB": shift = 10; break;
            case "MB": shift = 20; break;
            case "GB": shift = 30; break;
            default: shift = 0;
        }
        // compared before shifting: n << shift could overflow
        if (n > MAX_SIZE >> shift) {
            throw new IllegalArgumentException("\"" + text + "\" is out of range (at most 1TB)");
        }
        return n << shift;
    }
}
