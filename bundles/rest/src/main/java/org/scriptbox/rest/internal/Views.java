package org.scriptbox.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptRevision;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;

/**
 * The JSON shapes of the api's values (REST-API.md): field by field, camelCase, times as ISO-8601 strings,
 * durations in milliseconds ({@code ...Ms}). Maps keep their insertion order, so answers read the same way.
 */
final class Views {
    private Views() {
    }

    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    static Double millis(Duration d) {
        return d == null ? null : d.toNanos() / 1_000_000.0;
    }

    static Map<String, Object> error(ScriptError e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = object();
        m.put("code", e.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("message", e.message());
        if (e.file() != null) {
            m.put("file", e.file());
        }
        if (e.line() > 0) {
            m.put("line", e.line());
        }
        if (e.column() > 0) {
            m.put("column", e.column());
        }
        if (e.traceback() != null) {
            m.put("traceback", e.traceback());
        }
        return m;
    }

    static Map<String, Object> stats(ExecutionStats s) {
        Map<String, Object> m = object();
        m.put("totalExecutions", s.totalExecutions());
        m.put("successfulExecutions", s.successfulExecutions());
        m.put("failedExecutions", s.failedExecutions());
        m.put("averageDurationMs", millis(s.averageDuration()));
        m.put("lastDurationMs", millis(s.lastDuration()));
        m.put("lastExecutionTime", time(s.lastExecutionTime()));
        m.put("peakMemoryBytes", s.peakMemoryBytes());
        m.put("permissionDenials", s.permissionDenials());
        m.put("lastError", error(s.lastError()));
        m.put("lastCleanupError", error(s.lastCleanupError()));
        return m;
    }

    static Map<String, Object> script(ScriptInfo i) {
        ScriptMetadata md = i.metadata();
        Map<String, Object> m = object();
        m.put("name", md.name());
        m.put("version", md.version());
        m.put("description", md.description());
        m.put("author", md.author());
        m.put("tags", md.tags());
        m.put("status", i.status().name());
        m.put("enabled", i.status() != ScriptStatus.DISABLED);
        m.put("running", i.running());
        m.put("origin", i.origin());
        m.put("deployedAt", time(i.deployedAt()));
        m.put("waitingFor", i.waitingFor());
        m.put("warnings", i.warnings());
        m.put("jvmBytecode", i.jvmBytecode());
        m.put("permissions", md.permissions());
        m.put("devices", md.devices());
        m.put("schedule", md.schedule() == null ? null : spec(md.schedule()));
        m.put("lastError", error(i.lastError()));
        m.put("stats", stats(i.stats()));
        return m;
    }

    static Map<String, Object> result(ExecutionResult r) {
        Map<String, Object> m = object();
        m.put("script", r.scriptName());
        m.put("executionId", r.executionId());
        m.put("status", r.status().name());
        boolean[] cut = new boolean[1];
        m.put("values", values(r.values(), cut));
        if (cut[0]) {
            m.put("valuesTruncated", true);   // the trace and script:run show a shorter text still
        }
        m.put("error", error(r.error()));
        m.put("startedAt", time(r.startedAt()));
        m.put("durationMs", millis(r.duration()));
        m.put("instructions", r.instructions());
        m.put("allocatedBytes", r.allocatedBytes());
        m.put("cpuTimeMs", millis(r.cpuTime()));
        m.put("permissionDenials", r.permissionDenials());
        m.put("cleanupError", error(r.cleanupError()));
        return m;
    }

    /** How much of a run's values an answer carries, in characters of JSON (about): more is cut and said so. */
    static final int VALUES_CHARS = 1_000_000;

    /** What is left of the characters an answer's values may take; whether anything was cut. */
    private static final class Budget {
        long left;
        boolean cut;

        Budget(long chars) {
            left = chars;
        }

        boolean spent() {
            if (left <= 0) {
                cut = true;
            }
            return left <= 0;
        }
    }

    /**
     * Script values: whole doubles become integers (Lua 5.2 numbers are doubles; 42 reads better than 42.0).
     * Within {@link #VALUES_CHARS}: a result may hold tens of megabytes of text within its script's memory limit
     * (red team C7), so what does not fit is left out (strings cut, elements dropped) and {@code cut} says so.
     */
    static List<Object> values(List<Object> values, boolean[] cut) {
        Budget b = new Budget(VALUES_CHARS);
        List<Object> out = new ArrayList<>(Math.min(values.size(), 1024));
        for (Object v : values) {
            if (b.spent()) {
                break;
            }
            out.add(value(v, b));
        }
        cut[0] = b.cut;
        return out;
    }

    private static Object value(Object v, Budget b) {
        b.left -= 8;   // a number, true, null or the brackets and comma around anything
        if (v instanceof String text) {
            if (text.length() > b.left) {
                b.cut = true;
                text = text.substring(0, (int) Math.max(0, b.left));
            }
            b.left -= text.length();
            return text;
        }
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return org.scriptbox.api.text.LuaNumbers.format(d);   // JSON has no NaN or infinity: Lua's words
            }
            if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                return d.longValue();
            }
            return d;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object e : l) {
                if (b.spent()) {
                    break;
                }
                out.add(value(e, b));
            }
            return out;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = object();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (b.spent()) {
                    break;
                }
                // a number key as Lua writes it ("2", "1.5", "1e+100"; Java's text was "2.0", "1.0E100")
                String key = e.getKey() instanceof Number n ? org.scriptbox.api.text.LuaNumbers.format(n) : String.valueOf(e.getKey());
                b.left -= key.length();
                out.put(key, value(e.getValue(), b));
            }
            return out;
        }
        return v;
    }

    static Map<String, Object> log(ScriptLogEntry e) {
        Map<String, Object> m = object();
        m.put("time", time(e.time()));
        m.put("level", e.level());
        m.put("script", e.scriptName());
        m.put("executionId", e.executionId());
        m.put("message", e.message());
        return m;
    }

    static Map<String, Object> revision(ScriptRevision r) {
        Map<String, Object> m = object();
        m.put("number", r.number());
        m.put("version", r.version());
        m.put("deployedAt", time(r.deployedAt()));
        m.put("origin", r.origin());
        m.put("live", r.live());
        return m;
    }

    static Map<String, Object> device(DeviceInfo i) {
        Map<String, Object> m = object();
        m.put("id", i.id());
        m.put("type", i.type());
        m.put("firmwareVersion", i.firmwareVersion());
        m.put("motors", i.motors());
        m.put("digitalOutputs", i.digitalOutputs());
        m.put("telemetryChannels", i.telemetryChannels());
        return m;
    }

    static Map<String, Object> health(DeviceHealth h) {
        Map<String, Object> m = object();
        m.put("reachable", h.reachable());
        m.put("lastGoodExchange", time(h.lastGoodExchange()));
        m.put("latencyMs", millis(h.latency()));
        m.put("lastError", h.lastError());
        m.put("lastErrorAt", time(h.lastErrorAt()));
        return m;
    }

    static Map<String, Object> channel(ChannelValue v) {
        Map<String, Object> m = object();
        m.put("value", v.ok() && !Double.isNaN(v.value()) && !Double.isInfinite(v.value()) ? v.value() : null);
        m.put("ok", v.ok());
        m.put("message", v.message());
        return m;
    }

    static Map<String, Object> stop(StopReport r) {
        Map<String, Object> m = object();
        m.put("deviceId", r.deviceId());
        m.put("complete", r.complete());
        List<Object> results = new ArrayList<>();
        for (ActuatorResult a : r.results()) {
            // "motor 0", "output 3", "channel speed_ref" (a writable channel, api.device 2.4)
            results.add(target(a.actuator().kind().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + (a.actuator().channel() != null ? a.actuator().channel() : String.valueOf(a.actuator().index())),
                    a.outcome().name(), a.message()));
        }
        m.put("results", results);
        return m;
    }

    static Map<String, Object> unconfirmedStop(String deviceId, String outcome, String message) {
        Map<String, Object> m = object();
        m.put("deviceId", deviceId);
        m.put("complete", false);
        m.put("results", List.of(target("device", outcome, message)));
        return m;
    }

    private static Map<String, Object> target(String target, String outcome, String message) {
        Map<String, Object> t = object();
        t.put("target", target);
        t.put("outcome", outcome);
        t.put("message", message);
        return t;
    }

    static Map<String, Object> spec(ScheduleSpec s) {
        Map<String, Object> m = object();
        m.put("kind", s.kind().name());
        m.put("intervalMs", s.interval() == null ? null : s.interval().toMillis());
        m.put("delayMs", s.delay() == null ? null : s.delay().toMillis());
        m.put("at", time(s.at()));
        m.put("cron", s.cron());
        m.put("zone", s.zone());
        m.put("overlap", s.overlap().name());
        m.put("misfire", s.misfire().name());
        return m;
    }

    static Map<String, Object> schedule(ScheduledScript s) {
        Map<String, Object> m = object();
        m.put("script", s.scriptName());
        m.put("spec", spec(s.spec()));
        m.put("nextFire", time(s.nextFire()));
        m.put("lastFire", time(s.lastFire()));
        m.put("fireCount", s.fireCount());
        m.put("skipped", s.skipped());
        m.put("enabled", s.enabled());
        return m;
    }

    static Map<String, Object> resources(ResourceSnapshot r) {
        Map<String, Object> m = object();
        m.put("time", time(Instant.now()));
        if (r != null) {
            m.put("processCpuLoad", r.processCpuLoad());
            m.put("heapUsedBytes", r.heapUsedBytes());
            m.put("heapMaxBytes", r.heapMaxBytes());
            m.put("activeExecutions", r.activeExecutions());
            m.put("queuedExecutions", r.queuedExecutions());
            m.put("liveThreads", r.liveThreads());
            m.put("overloaded", r.overloaded());
        }
        return m;
    }
}
