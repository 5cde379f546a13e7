package org.scriptbox.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.engine.ExecutionTracer;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;

/**
 * Records one run's trace as the engine reports its host calls and the script logs. Bounded whatever the
 * script does: at most {@link TraceLimits#maxEvents} events and {@link TraceLimits#maxChars} characters of
 * text (each field cut to {@link TraceLimits#FIELD_CHARS}); later events are only counted. Room for the END
 * event is kept back, so a full trace still says how the run ended and where. Synchronized: the run's
 * coroutines are threads of their own (they hand over one at a time, but the recorder does not rely on it).
 */
final class TraceRecorder implements ExecutionTracer {
    /** Characters an event costs besides its texts (its numbers, its type). */
    private static final int EVENT_OVERHEAD = 16;

    private final TraceLimits limits;
    private final long startNanos;
    private final List<TraceEvent> events = new ArrayList<>();
    private final String arguments;
    private int chars;
    private int omitted;
    /** A denial a host function reported during the call now ending: the call is recorded as DENIED. */
    private String pendingDenial;

    TraceRecorder(TraceLimits limits, List<Object> args) {
        this.limits = limits;
        this.startNanos = System.nanoTime();
        this.arguments = TraceText.arguments(args, TraceLimits.FIELD_CHARS);
        add(new TraceEvent(0, TraceEvent.Type.START, "", arguments, "", 0, false));
    }

    @Override
    public synchronized void hostCall(String function, Object[] args, Object result, ErrorKind errorKind, String error,
                                      long callStart, long callEnd) {
        String denial = pendingDenial;
        pendingDenial = null;
        TraceEvent.Type type = errorKind == ErrorKind.RATE_LIMIT ? TraceEvent.Type.RATE_LIMITED
                : errorKind == ErrorKind.PERMISSION || denial != null ? TraceEvent.Type.DENIED : TraceEvent.Type.CALL;
        if (!room()) {
            omitted++;
            return;
        }
        String detail = TraceText.arguments(args == null ? List.of() : Arrays.asList(args), TraceLimits.FIELD_CHARS);
        String outcome = errorKind == null ? TraceText.result(result, TraceLimits.FIELD_CHARS)
                : TraceText.cut(errorKind + ": " + error, TraceLimits.FIELD_CHARS);
        if (errorKind == null && denial != null) {
            // refused without an error (an e-stop without device:read answers true): say what was missing
            outcome = TraceText.cut(outcome + " (" + denial + " denied)", TraceLimits.FIELD_CHARS);
        }
        add(new TraceEvent(micros(callStart), type, TraceText.cut(function, TraceLimits.FIELD_CHARS), detail, outcome,
                Math.max(0, (callEnd - callStart) / 1000), errorKind != null));
    }

    @Override
    public synchronized void permissionDenied(String permission) {
        if (pendingDenial == null) {
            pendingDenial = permission == null ? "a permission" : permission;
        }
    }

    /** A line the script printed or logged. */
    synchronized void log(String level, String message) {
        if (!room()) {
            omitted++;
            return;
        }
        add(new TraceEvent(micros(System.nanoTime()), TraceEvent.Type.LOG, level, TraceText.cut(message, TraceLimits.FIELD_CHARS),
                "", 0, false));
    }

    /** The trace of the run that ended with {@code result}; the recorder is done. */
    synchronized RunTrace finish(long run, String version, String trigger, ExecutionResult result) {
        if (pendingDenial != null) {
            // a denial outside any call the engine reported
            if (room()) {
                add(new TraceEvent(micros(System.nanoTime()), TraceEvent.Type.DENIED, pendingDenial, "", "", 0, true));
            } else {
                omitted++;
            }
        }
        // a call is recorded when it ends, at the time it started: what it logged meanwhile comes after it
        events.sort(java.util.Comparator.comparingLong(TraceEvent::offsetMicros));
        ScriptError error = result.error();
        String values = TraceText.values(result.values(), TraceLimits.FIELD_CHARS);
        String outcome = error == null ? values : TraceText.cut(error.toString(), TraceLimits.FIELD_CHARS);
        Duration d = result.duration() == null ? Duration.ZERO : result.duration();
        // always recorded: the room for it was kept back
        events.add(new TraceEvent(Math.max(micros(System.nanoTime()), d.toNanos() / 1000), TraceEvent.Type.END,
                result.status().name(), "", outcome, 0, !result.succeeded()));
        ScriptError kept = error == null ? null : new ScriptError(error.kind(), TraceText.cut(error.message(), 2000),
                error.file(), error.line(), error.column(), error.traceback() == null ? null
                : TraceText.cut(error.traceback().replace('\n', ' '), 2000));
        return new RunTrace(result.scriptName(), run, result.executionId(), version, trigger,
                result.startedAt() == null ? java.time.Instant.now() : result.startedAt(), d, result.status(), arguments,
                error == null ? values : "", kept, result.instructions(), result.cpuTime(), result.allocatedBytes(),
                result.permissionDenials(), events, omitted);
    }

    private boolean room() {
        // one event and its characters are kept back for END
        return events.size() < limits.maxEvents() - 1 && chars < limits.maxChars() - TraceLimits.FIELD_CHARS;
    }

    private void add(TraceEvent e) {
        events.add(e);
        chars += EVENT_OVERHEAD + e.name().length() + e.detail().length() + e.outcome().length();
    }

    private long micros(long nanos) {
        return Math.max(0, (nanos - startNanos) / 1000);
    }
}
