package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Statistics as a small TOML file ({@code name.stats.toml}): the persisted form in the manager's data
 * area and the form {@code script:export --stats} writes, so both round-trip through one definition.
 */
final class StatsCodec {
    private StatsCodec() {
    }

    static String format(ExecutionStats s) {
        StringBuilder sb = new StringBuilder();
        sb.append("total_executions = ").append(s.totalExecutions()).append('\n');
        sb.append("successful_executions = ").append(s.successfulExecutions()).append('\n');
        sb.append("failed_executions = ").append(s.failedExecutions()).append('\n');
        sb.append("average_duration_ns = ").append(s.averageDuration().toNanos()).append('\n');
        if (s.lastDuration() != null) {
            sb.append("last_duration_ns = ").append(s.lastDuration().toNanos()).append('\n');
        }
        if (s.lastExecutionTime() != null) {
            sb.append("last_execution_time = ").append(DateTimeFormatter.ISO_INSTANT.format(s.lastExecutionTime())).append('\n');
        }
        sb.append("peak_memory_bytes = ").append(s.peakMemoryBytes()).append('\n');
        sb.append("permission_denials = ").append(s.permissionDenials()).append('\n');
        error(sb, "last_error", s.lastError());
        error(sb, "last_cleanup_error", s.lastCleanupError());
        return sb.toString();
    }

    private static void error(StringBuilder sb, String table, ScriptError e) {
        if (e == null) {
            return;
        }
        sb.append("\n[").append(table).append("]\n");
        sb.append("kind = ").append(TomlMetadataCodec.str(e.kind().name())).append('\n');
        sb.append("message = ").append(TomlMetadataCodec.str(e.message())).append('\n');
        if (e.file() != null) {
            sb.append("file = ").append(TomlMetadataCodec.str(e.file())).append('\n');
        }
        sb.append("line = ").append(e.line()).append('\n');
        sb.append("column = ").append(e.column()).append('\n');
        if (e.traceback() != null) {
            sb.append("traceback = ").append(TomlMetadataCodec.str(e.traceback())).append('\n');
        }
    }

    private static ScriptError error(TomlTable e) {
        return e == null ? null : new ScriptError(ErrorKind.valueOf(e.getString("kind")), e.getString("message"),
                e.getString("file"), Math.toIntExact(e.getLong("line", () -> 0L)), Math.toIntExact(e.getLong("column", () -> 0L)),
                e.getString("traceback"));
    }

    /** @throws ScriptException METADATA naming the file, for a damaged or foreign file */
    static ExecutionStats parse(String toml, String fileName) {
        TomlParseResult doc = Toml.parse(toml);
        if (doc.hasErrors()) {
            var err = doc.errors().get(0);
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "invalid statistics file: " + err.getMessage(),
                    fileName, err.position().line(), err.position().column()));
        }
        try {
            Long lastNs = doc.getLong("last_duration_ns");
            String lastTime = doc.get("last_execution_time") == null ? null : doc.get("last_execution_time").toString();
            Instant last = doc.getOffsetDateTime("last_execution_time") != null
                    ? doc.getOffsetDateTime("last_execution_time").toInstant() : lastTime == null ? null : Instant.parse(lastTime);
            return new ExecutionStats(doc.getLong("total_executions", () -> 0L), doc.getLong("successful_executions", () -> 0L),
                    doc.getLong("failed_executions", () -> 0L), Duration.ofNanos(doc.getLong("average_duration_ns", () -> 0L)),
                    lastNs == null ? null : Duration.ofNanos(lastNs), last, doc.getLong("peak_memory_bytes", () -> 0L),
                    error(doc.getTable("last_error")), doc.getLong("permission_denials", () -> 0L),
                    error(doc.getTable("last_cleanup_error")));
        } catch (RuntimeException ex) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "invalid statistics file: " + ex.getMessage(),
                    fileName, 0, 0), ex);
        }
    }

}
