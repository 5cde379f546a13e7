package org.scriptbox.manager.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The container log's budget for all scripts together ({@link LogQuota#linesTotal}, {@link LogQuota#bytesTotal}
 * per window, sliding), shared fairly: while n scripts log, each may hold at most 1/n of it (and never more
 * than its own per-script bound), and its last tenth is kept for light scripts, so noisy scripts cannot
 * take a quiet one's first lines and a hundred scripts together stay within the container's bound. What no script's summary could tell (the budget was full
 * even for summaries) is told in one line for all scripts, at most once per window. Thread-safe.
 */
final class ContainerLogBudget {
    private final SlidingCount used = new SlidingCount();
    /** When each script that logged in the last window last did (for the number sharing the budget). */
    private final Map<String, Long> lastLine = new HashMap<>();
    private long lastSweep = Long.MIN_VALUE;
    private long owedLines;
    private long owedBytes;
    private long owedScripts;
    private long lastSummary = Long.MIN_VALUE;

    /** The lines and bytes one script may hold in the window now: its fair share, at most its own bound. */
    synchronized long[] share(String script, LogQuota q, long now) {
        used.roll(now, q.windowMillis());
        sweep(q, now);
        int sharing = lastLine.size() + (lastLine.containsKey(script) ? 0 : 1);
        return new long[] {Math.min(q.linesPerWindow(), Math.max(1, q.linesTotal() / sharing)),
            Math.min(q.bytesPerWindow(), Math.max(1, q.bytesTotal() / sharing))};
    }

    /**
     * Takes one line of {@code size} bytes from the budget, or says there is no room. The last tenth of the
     * budget is kept for light scripts (below a hundredth of it in this window, {@code ownLines}/{@code ownBytes}):
     * however many noisy scripts fill the rest, a quiet one still gets its first lines out (100 a minute with
     * the defaults) unless ten such quiet scripts took the reserve first.
     */
    synchronized boolean take(String script, long size, long ownLines, long ownBytes, LogQuota q, long now) {
        used.roll(now, q.windowMillis());
        long reserveLines = q.linesTotal() / 10;
        long reserveBytes = q.bytesTotal() / 10;
        boolean light = ownLines < reserveLines / 10 && ownBytes + size <= reserveBytes / 10;
        if (!used.fits(size, light ? q.linesTotal() : q.linesTotal() - reserveLines,
                light ? q.bytesTotal() : q.bytesTotal() - reserveBytes)) {
            return false;
        }
        used.add(size);
        lastLine.put(script, now);
        return true;
    }

    /** A script's summary found no room: it is added to the one for all scripts. */
    synchronized void owe(long lines, long bytes) {
        owedLines += lines;
        owedBytes += bytes;
        owedScripts++;
    }

    /** The summary for all scripts, if one is owed and none was written in the last window; else null. */
    synchronized String takeSummary(LogQuota q, long now) {
        if (owedLines == 0 || (lastSummary != Long.MIN_VALUE && now - lastSummary < q.windowMillis())) {
            return null;
        }
        lastSummary = now;
        String text = "log limit reached for all scripts: " + owedLines + " lines (" + ScriptLogSink.bytes(owedBytes)
                + ") of " + owedScripts + " summaries suppressed (limit: " + q.describeTotal() + ")";
        owedLines = 0;
        owedBytes = 0;
        owedScripts = 0;
        return text;
    }

    /** Forgets the scripts that wrote nothing in the last window (at most once per bucket: O(scripts)). */
    private void sweep(LogQuota q, long now) {
        long bucket = Math.max(1, q.windowMillis() / SlidingCount.BUCKETS);
        if (lastSweep != Long.MIN_VALUE && now - lastSweep < bucket && now >= lastSweep) {
            return;
        }
        lastSweep = now;
        for (Iterator<Long> it = lastLine.values().iterator(); it.hasNext(); ) {
            if (now - it.next() > q.windowMillis() + bucket) {
                it.remove();
            }
        }
    }
}
