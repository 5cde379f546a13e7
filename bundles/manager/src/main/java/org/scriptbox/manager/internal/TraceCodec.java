package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/** A run's trace as a small TOML file ({@code N.trace.toml}), the form kept in the manager's data area. */
final class TraceCodec {
    private TraceCodec() {
    }

    static String format(RunTrace t) {
        StringBuilder sb = new StringBuilder(256 + t.events().size() * 96);
        sb.append("script = ").append(str(t.scriptName())).append('\n');
        sb.append("run = ").append(t.run()).append('\n');
        sb.append("execution_id = ").append(str(t.executionId())).append('\n');
        sb.append("version = ").append(str(t.version())).append('\n');
        sb.append("trigger = ").append(str(t.trigger())).append('\n');
        sb.append("started_at = ").append(str(t.startedAt().toString())).append('\n');
        sb.append("duration_ns = ").append(t.duration().toNanos()).append('\n');
        sb.append("status = ").append(str(t.status().name())).append('\n');
        sb.append("arguments = ").append(str(t.arguments())).append('\n');
        sb.append("result = ").append(str(t.result())).append('\n');
        sb.append("instructions = ").append(t.instructions()).append('\n');
        sb.append("cpu_ns = ").append(t.cpuTime().toNanos()).append('\n');
        sb.append("allocated_bytes = ").append(t.allocatedBytes()).append('\n');
        sb.append("permission_denials = ").append(t.permissionDenials()).append('\n');
        sb.append("omitted_events = ").append(t.omittedEvents()).append('\n');
        ScriptError e = t.error();
        if (e != null) {
            sb.append("\n[error]\n");
            sb.append("kind = ").append(str(e.kind().name())).append('\n');
            sb.append("message = ").append(str(e.message())).append('\n');
            if (e.file() != null) {
                sb.append("file = ").append(str(e.file())).append('\n');
            }
            sb.append("line = ").append(e.line()).append('\n');
            sb.append("column = ").append(e.column()).append('\n');
            if (e.traceback() != null) {
                sb.append("traceback = ").append(str(e.traceback())).append('\n');
            }
        }
        for (TraceEvent ev : t.events()) {
            sb.append("\n[[event]]\n");
            sb.append("at_us = ").append(ev.offsetMicros()).append('\n');
            sb.append("type = ").append(str(ev.type().name())).append('\n');
            sb.append("name = ").append(str(ev.name())).append('\n');
            sb.append("detail = ").append(str(ev.detail())).append('\n');
            sb.append("outcome = ").append(str(ev.outcome())).append('\n');
            sb.append("duration_us = ").append(ev.durationMicros()).append('\n');
            sb.append("failed = ").append(ev.failed()).append('\n');
        }
        return sb.toString();
    }

    /** @throws IllegalArgumentException for a damaged or foreign file (its reason, no Java text) */
    static RunTrace parse(String toml) {
        TomlParseResult doc = Toml.parse(toml);
        if (doc.hasErrors()) {
            var err = doc.errors().get(0);
            throw new IllegalArgumentException("not a trace (line " + err.position().line() + ")");
        }
        try {
            ScriptError error = null;
            TomlTable e = doc.getTable("error");
            if (e != null) {
                error = new ScriptError(ErrorKind.valueOf(e.getString("kind")), e.getString("message"), e.getString("file"),
                        Math.toIntExact(e.getLong("line", () -> 0L)), Math.toIntExact(e.getLong("column", () -> 0L)),
                        e.getString("traceback"));
            }
            List<TraceEvent> events = new ArrayList<>();
            TomlArray array = doc.getArray("event");
            for (int i = 0; array != null && i < array.size(); i++) {
                TomlTable ev = array.getTable(i);
                events.add(new TraceEvent(ev.getLong("at_us", () -> 0L), TraceEvent.Type.valueOf(ev.getString("type")),
                        ev.getString("name"), ev.getString("detail"), ev.getString("outcome"),
                        ev.getLong("duration_us", () -> 0L), ev.getBoolean("failed", () -> false)));
            }
            return new RunTrace(doc.getString("script"), doc.getLong("run"), doc.getString("execution_id"),
                    doc.getString("version"), doc.getString("trigger"), Instant.parse(doc.getString("started_at")),
                    Duration.ofNanos(doc.getLong("duration_ns", () -> 0L)), ScriptStatus.valueOf(doc.getString("status")),
                    doc.getString("arguments"), doc.getString("result"), error, doc.getLong("instructions", () -> 0L),
                    Duration.ofNanos(doc.getLong("cpu_ns", () -> 0L)), doc.getLong("allocated_bytes", () -> 0L),
                    Math.toIntExact(doc.getLong("permission_denials", () -> 0L)), events, Math.toIntExact(doc.getLong("omitted_events", () -> 0L)));
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("not a trace (a field is missing or has the wrong type)");
        }
    }

    private static String str(String s) {
        return TomlMetadataCodec.str(s == null ? "" : s);
    }
}
