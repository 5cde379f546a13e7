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
 * @param windowMillis      the window
 */
record LogQuota(int maxLineChars, int linesPerExecution, long bytesPerExecution, int linesPerWindow, long bytesPerWindow,
                long windowMillis) {
    static final LogQuota DEFAULTS = new LogQuota(2_000, 1_000, 128 * 1024, 2_000, 512 * 1024, 60_000);

    String describe() {
        return linesPerExecution + " lines or " + ScriptLogSink.bytes(bytesPerExecution) + " per execution, " + linesPerWindow
                + " lines or " + ScriptLogSink.bytes(bytesPerWindow) + " per script per " + windowMillis / 1000 + " s";
    }
}
