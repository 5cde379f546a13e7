package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceEvent.Type;

public class TraceRecorderTest {
    private static ExecutionResult completed(Object... values) {
        return new ExecutionResult("s", "id-1", ScriptStatus.COMPLETED, List.of(values), null, Instant.now(),
                Duration.ofMillis(3), 100, 1000, Duration.ZERO, 0);
    }

    @Test
    public void recordsCallsDenialsRateLimitsLogsAndTheEnd() {
        TraceRecorder r = new TraceRecorder(TraceLimits.DEFAULTS, List.of(1.0, "x"));
        long t = System.nanoTime();
        r.hostCall("device_read", new Object[] {"sim1", "temperature"}, 21.5, null, null, t, t + 2_000_000);
        r.permissionDenied("device:write");
        r.hostCall("device_set_motor_speed", new Object[] {"sim1", 0.0, 1.0}, null, ErrorKind.PERMISSION, "permission denied", t, t);
        r.hostCall("device_read", new Object[] {"sim1"}, null, ErrorKind.RATE_LIMIT, "rate limit exceeded", t, t);
        r.permissionDenied("device:read");
        r.hostCall("device_estop", new Object[] {"sim1"}, true, null, null, t, t);
        r.hostCall("device_read", new Object[] {"gone"}, null, ErrorKind.DEVICE, "device unavailable", t, t);
        r.log("WARN", "hot");
        RunTrace trace = r.finish(7, "1.0.0", "OPERATOR", completed(42.0));
        List<TraceEvent> e = trace.events();
        assertEquals(List.of(Type.START, Type.CALL, Type.DENIED, Type.RATE_LIMITED, Type.DENIED, Type.CALL, Type.LOG, Type.END),
                e.stream().map(TraceEvent::type).toList());
        assertEquals("(1, \"x\")", e.get(0).detail());
        assertEquals("(\"sim1\", \"temperature\")", e.get(1).detail());
        assertEquals("21.5", e.get(1).outcome());
        assertEquals(2000, e.get(1).durationMicros());
        assertEquals("PERMISSION: permission denied", e.get(2).outcome());
        assertEquals("true (device:read denied)", e.get(4).outcome());
        assertTrue(e.get(5).failed());
        assertEquals("DEVICE: device unavailable", e.get(5).outcome());
        assertEquals("COMPLETED", e.get(7).name());
        assertEquals("42", trace.result());
        assertEquals(7, trace.run());
        assertEquals(0, trace.omittedEvents());
    }

    /** A hostile loop cannot grow the trace: events and characters are bounded and the end is always there. */
    @Test
    public void aFloodIsCountedNotKeptAndTheEndSurvives() {
        TraceLimits limits = new TraceLimits(20, 50, 4096);
        TraceRecorder r = new TraceRecorder(limits, List.of());
        long t = System.nanoTime();
        String big = "z".repeat(100_000);
        for (int i = 0; i < 100_000; i++) {
            r.hostCall("f", new Object[] {big}, big, null, null, t, t);
            r.log("INFO", big);
        }
        ExecutionResult limit = new ExecutionResult("s", "id", ScriptStatus.FAILED, List.of(),
                ScriptError.at(ErrorKind.LIMIT, "instruction limit of 1000 exceeded", "s.lua", 3, 0), Instant.now(),
                Duration.ofMillis(5), 1000, 0, Duration.ZERO, 0);
        RunTrace trace = r.finish(1, "1.0.0", "SCHEDULE", limit);
        assertTrue(trace.events().size() <= 50);
        int chars = trace.events().stream().mapToInt(e -> e.name().length() + e.detail().length() + e.outcome().length()).sum();
        assertTrue("chars " + chars, chars <= 4096);
        assertEquals(200_000 - (trace.events().size() - 2), trace.omittedEvents());
        TraceEvent end = trace.events().get(trace.events().size() - 1);
        assertEquals(Type.END, end.type());
        assertEquals("s.lua:3: instruction limit of 1000 exceeded", end.outcome());
        assertEquals(3, trace.error().line());
    }
}
