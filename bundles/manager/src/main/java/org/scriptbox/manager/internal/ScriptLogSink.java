package org.scriptbox.manager.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where script output goes: each script's ring buffer ({@code script:logs}) and the container log under
 * the logger {@code org.scriptbox.scripts}, at the script's level (log_warn at WARN, log_error at ERROR).
 * On the way, every line is made safe ({@link SafeText}: no CR/LF/escape sequence of the script's reaches
 * the log or a terminal), cut to {@link LogQuota#maxLineChars}, and held to the {@link LogQuota}: per
 * execution, per script per window (sliding) and for all scripts together per window, fairly shared
 * ({@link ContainerLogBudget}). What is held back is counted and told in one summary line at the end of
 * the execution, at most one such line per script per window (later ones add up into the next); the
 * summaries too come out of the container's budget, and those it has no room for are told in one line
 * for all scripts, at most once per window.
 */
final class ScriptLogSink {
    private static final Logger SCRIPT_LOG = LoggerFactory.getLogger("org.scriptbox.scripts");

    private final LongSupplier clockMillis;
    private final Map<String, ScriptLogWindow> windows = new ConcurrentHashMap<>();
    private final ContainerLogBudget all = new ContainerLogBudget();
    private volatile LogQuota quota;
    private volatile int ringLines;
    private volatile java.util.function.Consumer<ScriptLogEntry> tap = e -> { };

    ScriptLogSink(LogQuota quota, int ringLines, LongSupplier clockMillis) {
        this.quota = quota;
        this.ringLines = ringLines;
        this.clockMillis = clockMillis;
    }

    /** Where every kept line is also handed (the activity listeners). */
    void tap(java.util.function.Consumer<ScriptLogEntry> consumer) {
        tap = consumer;
    }

    void reconfigure(LogQuota newQuota, int newRingLines) {
        quota = newQuota;
        ringLines = newRingLines;
    }

    /** The log of one execution; {@link ExecutionLog#close} when it ends. */
    ExecutionLog open(String script, LogBuffer ring, String executionId) {
        return new ExecutionLog(script, ring, executionId);
    }

    /** A script undeployed: a summary still owed is written now. */
    void forget(String script, LogBuffer ring) {
        ScriptLogWindow w = windows.remove(script);
        if (w != null) {
            String owed = w.takeOwedSummary();
            if (owed != null) {
                write(script, ring, null, "WARN", owed);
            }
        }
    }

    private void write(String script, LogBuffer ring, String executionId, String level, String safeText) {
        ScriptLogEntry entry = new ScriptLogEntry(Instant.now(), level, script, executionId, safeText);
        ring.add(entry, ringLines);
        tap.accept(entry);
        switch (level) {
            case "ERROR" -> SCRIPT_LOG.error("[{}] {}", script, safeText);
            case "WARN" -> SCRIPT_LOG.warn("[{}] {}", script, safeText);
            default -> SCRIPT_LOG.info("[{}] {}", script, safeText);
        }
    }

    static String bytes(long n) {
        return n < 10 * 1024 ? n + " bytes" : n < 10L * 1024 * 1024 ? n / 1024 + " KB" : n / (1024 * 1024) + " MB";
    }

    /** The log of one execution: counts what it wrote and what was held back. Thread-safe (coroutines log too). */
    final class ExecutionLog {
        private final String script;
        private final LogBuffer ring;
        private final String executionId;
        private final LogQuota limits = quota; // one execution, one set of limits
        private long lines;
        private long bytes;
        private long suppressedLines;
        private long suppressedBytes;
        private boolean closed;

        private ExecutionLog(String script, LogBuffer ring, String executionId) {
            this.script = script;
            this.ring = ring;
            this.executionId = executionId;
        }

        /** A line the script wrote ({@code print}, {@code log_*}); level INFO, WARN or ERROR. */
        void script(String level, String text) {
            String line = cut(SafeText.line(String.valueOf(text)));
            long size = line.getBytes(StandardCharsets.UTF_8).length;
            synchronized (this) {
                if (closed || lines >= limits.linesPerExecution() || bytes + size > limits.bytesPerExecution()
                        || !window().admit(script, size, limits, all, clockMillis.getAsLong())) {
                    suppressedLines++;
                    suppressedBytes += size;
                    return;
                }
                lines++;
                bytes += size;
            }
            write(script, ring, executionId, level(level), line);
        }

        /**
         * A line the container writes about this execution (its failure): outside the execution's quota,
         * inside the window's, or a script failing a thousand times a second would flood the log itself.
         */
        void container(String level, String text) {
            String line = cut(SafeText.line(text));
            long size = line.getBytes(StandardCharsets.UTF_8).length;
            if (!window().admit(script, size, limits, all, clockMillis.getAsLong())) {
                synchronized (this) {
                    suppressedLines++;
                    suppressedBytes += size;
                }
                return;
            }
            write(script, ring, executionId, level, line);
        }

        /** The execution ended: the summary of what was held back, if any and if the window allows one now. */
        void close() {
            long sl;
            long sb;
            synchronized (this) {
                closed = true;
                sl = suppressedLines;
                sb = suppressedBytes;
            }
            long now = clockMillis.getAsLong();
            ScriptLogWindow.Summary summary = window().summary(executionId, sl, sb, limits, now);
            if (summary != null) {
                // a summary counts as a light script's line: one per script per window, out of the reserve if need be
                if (all.take(script, summary.text().getBytes(StandardCharsets.UTF_8).length, 0, 0, limits, now)) {
                    write(script, ring, executionId, "WARN", summary.text());
                } else {
                    all.owe(summary.lines(), summary.bytes());
                }
            }
            String forAll = all.takeSummary(limits, now);
            if (forAll != null) {
                SCRIPT_LOG.warn("{}", forAll);
            }
        }

        private ScriptLogWindow window() {
            return windows.computeIfAbsent(script, s -> new ScriptLogWindow());
        }

        private String cut(String line) {
            int max = limits.maxLineChars();
            if (line.length() <= max) {
                return line;
            }
            int end = Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max; // never half a pair
            return line.substring(0, end) + "... [" + (line.length() - end) + " more characters]";
        }

        private String level(String requested) {
            return "WARN".equals(requested) || "ERROR".equals(requested) ? requested : "INFO";
        }
    }
}
