package org.scriptbox.manager.internal;

/**
 * How much one script may write to the container log: per execution, and per script over a time window
 * (a script that runs often is held as one that logs a lot in one run). What goes beyond is counted and
 * told in one summary line, so seven runs of a logging script cannot rotate away the container's history.
 *
 * @param maxLineChars      longer lines are cut, saying how much was cut
 * @param linesPerExecution lines one execution may write
 * @param bytesPerExecution bytes (UTF-8) one execution may write
 * @param linesPerWindow    lines one script may write per window
 * @param bytesPerWindow    bytes one script may write per window
 * @param windowMillis      the window (sliding: no stretch of this length holds more than the bounds)
 * @param linesTotal        lines all scripts together may write per window, shared fairly ({@link ContainerLogBudget})
 * @param bytesTotal        bytes all scripts together may write per window
 */
record LogQuota(int maxLineChars, int linesPerExecution, long bytesPerExecution, int linesPerWindow, long bytesPerWindow,
                long windowMillis, int linesTotal, long bytesTotal) {
    static final LogQuota DEFAULTS = new LogQuota(2_000, 1_000, 128 * 1024, 2_000, 512 * 1024, 60_000, 10_000,
            2 * 1024 * 1024);

    /** Bounds per execution and per script, with no container-wide bound beyond them. */
    LogQuota(int maxLineChars, int linesPerExecution, long bytesPerExecution, int linesPerWindow, long bytesPerWindow,
             long windowMillis) {
        this(maxLineChars, linesPerExecution, bytesPerExecution, linesPerWindow, bytesPerWindow, windowMillis,
                Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    String describeTotal() {
        return linesTotal + " lines or " + ScriptLogSink.bytes(bytesTotal) + " for all scripts per " + windowMillis / 1000 + " s";
    }

    String describe() {
        return linesPerExecution + " lines or " + ScriptLogSink.bytes(bytesPerExecution) + " per execution, " + linesPerWindow
                + " lines or " + ScriptLogSink.bytes(bytesPerWindow) + " per script per " + windowMillis / 1000 + " s";
    }
}
