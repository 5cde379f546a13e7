package org.scriptbox.rest.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceService;

/** The kept runs of a script (the manager's per-run traces): newest first, and one run with its events. */
final class TraceRoutes {
    private final Supplier<TraceService> traces;

    TraceRoutes(Supplier<TraceService> traces) {
        this.traces = traces;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/scripts/{name}/runs", Role.VIEWER, null, x -> {
                    TraceService t = traces.get();
                    List<RunTrace> runs = t == null ? List.of() : t.runs(x.name("name"));
                    return Reply.ok(Map.of("runs", runs.stream().map(TraceRoutes::summary).toList()));
                }),
                new Route("GET", "/scripts/{name}/runs/{id}", Role.VIEWER, null, x -> {
                    TraceService t = traces.get();
                    String id = x.param("id");
                    if (t == null || id == null || id.length() > 64) {
                        throw ApiError.notFound("No such run.");
                    }
                    RunTrace r = t.run(x.name("name"), id).orElseThrow(() -> ApiError.notFound("No such run."));
                    Map<String, Object> m = summary(r);
                    m.put("events", r.events().stream().map(TraceRoutes::event).toList());
                    return Reply.ok(Map.of("trace", m));
                }));
    }

    static Map<String, Object> summary(RunTrace r) {
        Map<String, Object> m = Views.object();
        m.put("run", r.run());
        m.put("executionId", r.executionId());
        m.put("version", r.version());
        m.put("trigger", r.trigger());
        m.put("startedAt", Views.time(r.startedAt()));
        m.put("durationMs", Views.millis(r.duration()));
        m.put("status", r.status().name());
        m.put("arguments", r.arguments());
        m.put("result", r.result());
        m.put("error", Views.error(r.error()));
        m.put("instructions", r.instructions());
        m.put("cpuTimeMs", Views.millis(r.cpuTime()));
        m.put("allocatedBytes", r.allocatedBytes());
        m.put("permissionDenials", r.permissionDenials());
        m.put("eventCount", r.events().size());
        m.put("omittedEvents", r.omittedEvents());
        return m;
    }

    private static Map<String, Object> event(TraceEvent e) {
        Map<String, Object> m = Views.object();
        m.put("atMs", e.offsetMicros() / 1000.0);
        m.put("type", e.type().name());
        m.put("name", e.name());
        m.put("detail", e.detail());
        m.put("outcome", e.outcome());
        m.put("durationMs", e.durationMicros() / 1000.0);
        m.put("failed", e.failed());
        return m;
    }
}
