package org.scriptbox.rest.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptActivityListener;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptListener;

import jakarta.servlet.AsyncContext;

/**
 * The live events of GET /api/v1/events (Server-Sent Events): script lifecycle changes (the manager's
 * ScriptListener whiteboard), log lines and finished runs (its ScriptActivityListener whiteboard). Each event
 * is made into its SSE frame once and offered to every stream that wants it; publishing never blocks
 * (see {@link EventStream}).
 */
@Component(service = {EventHub.class, ScriptListener.class, ScriptActivityListener.class}, configurationPid = RestConfig.PID)
public final class EventHub implements ScriptListener, ScriptActivityListener {
    static final Set<String> TYPES = Set.of("log", "run", "script");
    /** A run event whose values are longer than this (as JSON) goes without them ("valuesOmitted": true). */
    static final int RUN_VALUES_CHARS = 64 * 1024;

    private final List<EventStream> streams = new CopyOnWriteArrayList<>();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile int maxStreams;
    private volatile int perCaller;
    private volatile int buffer;
    private volatile long bufferChars;
    private volatile long writeDeadlineNanos;
    private ScheduledExecutorService watchdog;

    @Activate
    void activate(RestConfig config) {
        modified(config);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scriptbox-sse-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::dropStalled, 1, 1, TimeUnit.SECONDS);
    }

    @Modified
    void modified(RestConfig config) {
        maxStreams = config.sse_max_streams();
        perCaller = Math.max(1, config.sse_streams_per_caller());
        buffer = Math.max(16, config.sse_buffer_events());
        bufferChars = Math.max(64 * 1024, config.sse_buffer_chars());
        writeDeadlineNanos = TimeUnit.SECONDS.toNanos(Math.max(1, config.sse_write_deadline_seconds()));
    }

    @Deactivate
    void deactivate() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        streams.forEach(EventStream::close);
    }

    private void dropStalled() {
        long now = System.nanoTime();
        for (EventStream s : streams) {
            if (s.stalled(now, writeDeadlineNanos)) {
                s.abort();
            }
        }
    }

    @Override
    public void scriptChanged(ScriptEvent event) {
        if (streams.isEmpty()) {
            return;
        }
        Map<String, Object> data = Views.object();
        data.put("type", event.type().name());
        data.put("script", Views.script(event.script()));
        publish("script", event.script().name(), data);
    }

    @Override
    public void logged(ScriptLogEntry entry) {
        if (!streams.isEmpty()) {
            publish("log", entry.scriptName(), Views.log(entry));
        }
    }

    @Override
    public void executionFinished(ExecutionResult result) {
        if (!streams.isEmpty()) {
            Map<String, Object> data = Views.result(result);
            if (Json.write(data.get("values")).length() > RUN_VALUES_CHARS) {
                // the run's answer and its trace have them; the live view must not carry megabytes per run
                data.put("values", List.of());
                data.put("valuesOmitted", true);
            }
            publish("run", result.scriptName(), data);
        }
    }

    void publish(String type, String script, Object data) {
        String frame = null;
        for (EventStream s : streams) {
            if (s.wants(type, script)) {
                if (frame == null) {
                    frame = "event: " + type + "\ndata: " + Json.write(data) + "\n\n";
                }
                s.offer(frame);
            }
        }
    }

    int openStreams() {
        return streams.size();
    }

    List<Route> routes() {
        return List.of(new Route("GET", "/events", Role.VIEWER, null, this::open));
    }

    private Object open(Exchange x) {
        String script = x.query("script");
        if (script != null && !Exchange.NAME.matcher(script).matches()) {
            throw ApiError.badRequest("'script' is not a script name.");
        }
        Set<String> types = new HashSet<>();
        String asked = x.query("types");
        if (asked != null && !asked.isBlank()) {
            for (String t : asked.split(",")) {
                if (!TYPES.contains(t.trim())) {
                    throw ApiError.badRequest("'types' takes log, run and script.");
                }
                types.add(t.trim());
            }
        }
        String caller = x.caller.name();
        EventStream stream;
        synchronized (streams) {   // the check and the reservation of a slot are one step
            if (streams.size() >= maxStreams) {
                throw new ApiError(503, "busy", "Too many event streams are open; try again later.");
            }
            if (streams.stream().filter(s -> s.caller.equals(caller)).count() >= perCaller) {
                throw new ApiError(429, "too_many_requests", "You have " + perCaller + " event streams open already.");
            }
            x.response.setStatus(200);
            x.response.setContentType("text/event-stream;charset=utf-8");
            x.response.setHeader("X-Accel-Buffering", "no");
            AsyncContext async = x.request.startAsync();
            async.setTimeout(0);
            EventStream[] holder = new EventStream[1];
            stream = new EventStream(async, caller, script, Set.copyOf(types), buffer, bufferChars, () -> streams.remove(holder[0]));
            holder[0] = stream;
            streams.add(stream);
        }
        Thread t = new Thread(stream, "scriptbox-sse-" + threads.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return null;   // answered by the stream
    }
}
