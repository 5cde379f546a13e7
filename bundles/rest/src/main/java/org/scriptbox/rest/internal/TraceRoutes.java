package org.scriptbox.rest.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceService;

/**
 * The kept runs' traces of a script (the manager's {@link TraceService}): the list, newest first, and one run's
 * timeline. Read through a supplier: the service may come and go; while it is away a script has no kept runs.
 */
final class TraceRoutes {
    private final Supplier<TraceService> traces;

    TraceRoutes(Supplier<TraceService> traces) {
        this.traces = traces;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/scripts/{name}/runs", Role.VIEWER, null, this::runs),
                new Route("GET", "/scripts/{name}/runs/{id}", Role.VIEWER, null, this::run));
    }

    private Object runs(Exchange x) {
        TraceService t = traces.get();
        List<RunTrace> kept = t == null ? List.of() : t.runs(x.name("name"));
        return Reply.ok(Map.of("runs", kept.stream().map(TraceRoutes::summary).toList()));
    }

    private Object run(Exchange x) {
        TraceService t = traces.get();
        String name = x.name("name");
        String id = x.name("id");
        RunTrace found = (t == null ? java.util.Optional.<RunTrace>empty() : t.run(name, id))
                .orElseThrow(() -> ApiError.notFound("No kept run '" + id + "' of script '" + name + "'."));
        Map<String, Object> m = summary(found);
        m.put("events", found.events().stream().map(TraceRoutes::event).toList());
        return Reply.ok(Map.of("trace", m));
    }

    static Map<String, Object> summary(RunTrace t) {
        Map<String, Object> m = Views.object();
        m.put("run", t.run());
        m.put("executionId", t.executionId());
        m.put("version", t.version());
        m.put("trigger", t.trigger());
        m.put("startedAt", Views.time(t.startedAt()));
        m.put("durationMs", Views.millis(t.duration()));
        m.put("status", t.status().name());
        m.put("arguments", t.arguments());
        m.put("result", t.result());
        m.put("error", t.error() == null ? null : Views.error(t.error()));
        m.put("instructions", t.instructions());
        m.put("cpuTimeMs", Views.millis(t.cpuTime()));
        m.put("allocatedBytes", t.allocatedBytes());
        m.put("permissionDenials", t.permissionDenials());
        m.put("eventCount", t.events().size());
        m.put("omittedEvents", t.omittedEvents());
        return m;
    }

    private static Map<String, Object> event(TraceEvent e) {
        Map<String, Object> m = Views.object();
        m.put("atMs", e.offsetMicros() / 1000.0);
        m.put("type", e.type().name());
        m.put("name", e.name());
        m.put("detail", e.detail());
        m.put("outcome", e.outcome());
        m.put("durationMs", Views.millis(Duration.ofNanos(e.durationMicros() * 1000)));
        m.put("failed", e.failed());
        return m;
    }
}
