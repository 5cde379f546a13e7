package org.scriptbox.manager.internal;

/**
 * One script's share of the container log in the current window, and what was held back and not yet
 * told. Guarded by its own monitor: executions of the same script log from several threads.
 */
final class ScriptLogWindow {
    private long windowStart = Long.MIN_VALUE;
    private long lines;
    private long bytes;
    private boolean summaryWritten;
    private long owedLines;
    private long owedBytes;
    private long owedExecutions;

    synchronized boolean admit(long size, LogQuota q, long now) {
        roll(q, now);
        if (lines >= q.linesPerWindow() || bytes + size > q.bytesPerWindow()) {
            return false;
        }
        lines++;
        bytes += size;
        return true;
    }

    /**
     * Adds an execution's held-back lines to what is owed; returns the summary line to write now, or
     * {@code null} when nothing is owed or this window already had its summary (it comes with the next).
     */
    synchronized String summary(String executionId, long suppressedLines, long suppressedBytes, LogQuota q, long now) {
        roll(q, now);
        if (suppressedLines > 0) {
            owedLines += suppressedLines;
            owedBytes += suppressedBytes;
            owedExecutions++;
        }
        if (owedLines == 0 || summaryWritten) {
            return null;
        }
        summaryWritten = true;
        String from = owedExecutions == 1 && suppressedLines > 0 ? "execution " + executionId : owedExecutions + " executions";
        String text = "log limit reached: " + owedLines + " lines (" + ScriptLogSink.bytes(owedBytes) + ") from " + from
                + " suppressed (limits: " + q.describe() + ")";
        owedLines = 0;
        owedBytes = 0;
        owedExecutions = 0;
        return text;
    }

    /** What is still owed, as a summary line (the script goes away), or {@code null}. */
    synchronized String takeOwedSummary() {
        if (owedLines == 0) {
            return null;
        }
        return "log limit reached: " + owedLines + " lines (" + ScriptLogSink.bytes(owedBytes) + ") from " + owedExecutions
                + " executions suppressed";
    }

    private void roll(LogQuota q, long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= q.windowMillis()) {
            windowStart = now;
            lines = 0;
            bytes = 0;
            summaryWritten = false;
        }
    }
}
