package org.scriptbox.manager.internal;

/**
 * Lines and bytes written in the last window, in {@link #BUCKETS} + 1 buckets of 1/{@link #BUCKETS} of
 * the window each. What is counted is the newest bucket and the {@link #BUCKETS} before it, i.e. a little
 * more than the window: so any stretch of time one window long lies within the buckets counted at its
 * last admitted line, and no window-long stretch anywhere (across an edge included) holds more than the
 * bound. A fixed window allowed twice the bound across its edge. Not thread-safe: its owner locks.
 */
final class SlidingCount {
    static final int BUCKETS = 60;

    private final long[] lines = new long[BUCKETS + 1];
    private final long[] bytes = new long[BUCKETS + 1];
    private long width = -1;
    /** The bucket number (time / width) of the newest bucket. */
    private long newest;
    private long sumLines;
    private long sumBytes;

    /** Moves the newest bucket to {@code now}, dropping what fell out; a new window length starts afresh. */
    void roll(long now, long windowMillis) {
        long w = Math.max(1, windowMillis / BUCKETS);
        long bucket = Math.floorDiv(now, w);
        if (w != width) {
            width = w;
            newest = bucket;
            clear();
            return;
        }
        if (bucket <= newest) {
            return; // the same bucket, or the clock went back: count into the newest
        }
        long steps = Math.min(bucket - newest, BUCKETS + 1);
        for (long i = 1; i <= steps; i++) {
            int at = index(newest + i);
            sumLines -= lines[at];
            sumBytes -= bytes[at];
            lines[at] = 0;
            bytes[at] = 0;
        }
        newest = bucket;
    }

    boolean fits(long size, long maxLines, long maxBytes) {
        return sumLines < maxLines && sumBytes + size <= maxBytes;
    }

    void add(long size) {
        int at = index(newest);
        lines[at]++;
        bytes[at] += size;
        sumLines++;
        sumBytes += size;
    }

    long lines() {
        return sumLines;
    }

    long bytes() {
        return sumBytes;
    }

    boolean isEmpty() {
        return sumLines == 0;
    }

    private void clear() {
        java.util.Arrays.fill(lines, 0);
        java.util.Arrays.fill(bytes, 0);
        sumLines = 0;
        sumBytes = 0;
    }

    private static int index(long bucket) {
        return (int) Math.floorMod(bucket, (long) (BUCKETS + 1));
    }
}
