package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ExecutionTracer;
import org.scriptbox.api.engine.ModuleResolver;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;

/** The engine tells the run's tracer about every host call, at its one door, whatever the function does. */
public class HostCallTraceTest {
    private final List<String> seen = new ArrayList<>();

    private final ExecutionTracer tracer = new ExecutionTracer() {
        @Override
        public void hostCall(String function, Object[] args, Object result, ErrorKind errorKind, String error,
                             long startNanos, long endNanos) {
            assertTrue(endNanos >= startNanos);
            seen.add(function + java.util.Arrays.asList(args) + (errorKind == null ? " -> " + result : " !" + errorKind + " " + error));
        }

        @Override
        public void permissionDenied(String permission) {
            seen.add("denied " + permission);
        }
    };

    private ExecutionResult run(Scripts s, String source) {
        ExecutionRequest r = new ExecutionRequest("test", UUID.randomUUID().toString(), List.of(), ResourceLimits.DEFAULTS,
                Set.of(), new Cancellation(), ModuleResolver.NONE, null, tracer);
        return s.engine.execute(s.engine.compile("test.lua", source), r);
    }

    @Test
    public void everyHostCallIsTracedWithItsOutcome() {
        Map<String, ScriptFunction> f = Map.of(
                "ok", (scope, args) -> (Double) args[0] * 2,
                "refused", (scope, args) -> {
                    scope.permissionDenied("device:write");
                    throw new ScriptCallException(ErrorKind.PERMISSION, "permission denied");
                },
                "limited", (scope, args) -> {
                    throw new ScriptCallException(ErrorKind.RATE_LIMIT, "rate limit exceeded");
                },
                "buggy", (scope, args) -> {
                    throw new IllegalStateException("secret java text");
                });
        Scripts s = new Scripts().withLibrary("t", f);
        ExecutionResult r = run(s, "local a = ok(21)\n pcall(refused, 'm')\n pcall(limited)\n pcall(buggy)\n return a");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("ok[21.0] -> 42.0", "denied device:write", "refused[m] !PERMISSION permission denied",
                "limited[] !RATE_LIMIT rate limit exceeded", "buggy[] !RUNTIME buggy failed (details in the container log)"), seen);
    }

    @Test
    public void aCancelDuringACallIsTracedAndEndsTheRun() {
        Cancellation c = new Cancellation();
        Scripts s = new Scripts().withLibrary("t", Map.of("wait", (scope, args) -> {
            c.cancel("operator");
            scope.sleep(5_000_000_000L);
            return null;
        }));
        ExecutionRequest r = new ExecutionRequest("test", "id", List.of(), ResourceLimits.DEFAULTS, Set.of(), c,
                ModuleResolver.NONE, null, tracer);
        ExecutionResult result = s.engine.execute(s.engine.compile("test.lua", "wait()"), r);
        assertEquals(ScriptStatus.CANCELLED, result.status());
        assertEquals(1, seen.size());
        assertTrue(seen.get(0), seen.get(0).startsWith("wait[] !CANCELLED"));
    }

    @Test
    public void aBrokenTracerChangesNothing() {
        Scripts s = new Scripts().withLibrary("t", Map.of("ok", (scope, args) -> "fine"));
        ExecutionTracer broken = new ExecutionTracer() {
            @Override
            public void hostCall(String function, Object[] args, Object result, ErrorKind errorKind, String error,
                                 long startNanos, long endNanos) {
                throw new IllegalStateException("tracer bug");
            }
        };
        ExecutionRequest r = new ExecutionRequest("test", "id", List.of(), ResourceLimits.DEFAULTS, Set.of(),
                new Cancellation(), ModuleResolver.NONE, null, broken);
        ExecutionResult result = s.engine.execute(s.engine.compile("test.lua", "return ok()"), r);
        assertEquals(ScriptStatus.COMPLETED, result.status());
        assertEquals(List.of("fine"), result.values());
        assertNull(result.error());
    }
}
