package org.scriptbox.manager.internal;

/**
 * One script's share of the container log in the last window (sliding, {@link SlidingCount}), and what
 * was held back and not yet told. Guarded by its own monitor: executions of the same script log from
 * several threads. Lock order: this window, then the {@link ContainerLogBudget}.
 */
final class ScriptLogWindow {
    private final SlidingCount used = new SlidingCount();
    private long lastSummary = Long.MIN_VALUE;
    private long owedLines;
    private long owedBytes;
    private long owedExecutions;

    /** One line of {@code size} bytes: within this script's share of the window and the container's budget? */
    synchronized boolean admit(String script, long size, LogQuota q, ContainerLogBudget all, long now) {
        used.roll(now, q.windowMillis());
        long[] share = all.share(script, q, now);
        if (!used.fits(size, share[0], share[1]) || !all.take(script, size, used.lines(), used.bytes(), q, now)) {
            return false;
        }
        used.add(size);
        return true;
    }

    /**
     * Adds an execution's held-back lines to what is owed; returns the summary line to write now, or
     * {@code null} when nothing is owed or this script had its summary in the last window (it comes later).
     */
    synchronized Summary summary(String executionId, long suppressedLines, long suppressedBytes, LogQuota q, long now) {
        if (suppressedLines > 0) {
            owedLines += suppressedLines;
            owedBytes += suppressedBytes;
            owedExecutions++;
        }
        if (owedLines == 0 || (lastSummary != Long.MIN_VALUE && now - lastSummary < q.windowMillis() && now >= lastSummary)) {
            return null;
        }
        lastSummary = now;
        String from = owedExecutions == 1 && suppressedLines > 0 ? "execution " + executionId : owedExecutions + " executions";
        Summary text = new Summary("log limit reached: " + owedLines + " lines (" + ScriptLogSink.bytes(owedBytes) + ") from "
                + from + " suppressed (limits: " + q.describe() + ")", owedLines, owedBytes);
        owedLines = 0;
        owedBytes = 0;
        owedExecutions = 0;
        return text;
    }

    /** A summary line and the lines and bytes it tells of. */
    record Summary(String text, long lines, long bytes) {
    }

    /** What is still owed, as a summary line (the script goes away), or {@code null}. */
    synchronized String takeOwedSummary() {
        if (owedLines == 0) {
            return null;
        }
        return "log limit reached: " + owedLines + " lines (" + ScriptLogSink.bytes(owedBytes) + ") from " + owedExecutions
                + " executions suppressed";
    }
}
