package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;

/**
 * A stand-in for the Lua engine that understands a few one-line "programs", so the manager's
 * lifecycle can be tested without Luaj: {@code return X} returns the string X; {@code block} waits until
 * cancelled; {@code fail} fails; {@code require X} returns what module X returns; a line containing
 * {@code syntax error} does not compile (error at that line, column 1); {@code cleanup fails} fails, and so does its
 * on_stop hook.
 */
final class FakeEngine implements ScriptEngine {
    final CountDownLatch blocked = new CountDownLatch(1);
    /** A source containing "slow compile" waits in compile() until this opens (compileStarted tells it began). */
    final CountDownLatch compileMayFinish = new CountDownLatch(1);
    final CountDownLatch compileStarted = new CountDownLatch(1);
    volatile int executions;

    record Compiled(String chunkName, String source) implements CompiledScript {
        @Override
        public Duration compileTime() {
            return Duration.ZERO;
        }

        @Override
        public long retainedBytes() {
            return source.length() * 2L;
        }
    }

    @Override
    public String version() {
        return "1.0.0";
    }

    @Override
    public CompiledScript compile(String chunkName, String source) {
        if (source.contains("slow compile")) {
            compileStarted.countDown();
            try {
                compileMayFinish.await(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String[] lines = source.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("syntax error")) {
                throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "unexpected symbol", chunkName, i + 1, 1));
            }
        }
        return new Compiled(chunkName, source);
    }

    @Override
    public ExecutionResult execute(CompiledScript script, ExecutionRequest request) {
        executions++;
        Instant start = Instant.now();
        String src = ((Compiled) script).source().trim();
        List<Object> values = new ArrayList<>();
        ScriptStatus status = ScriptStatus.COMPLETED;
        ScriptError error = null;
        if (src.startsWith("return ")) {
            values.add(src.substring(7));
            request.log().log("INFO", "returning " + src.substring(7));
        } else if (src.equals("block")) {
            blocked.countDown();
            try {
                request.cancellation().await(Duration.ofSeconds(20).toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            status = ScriptStatus.CANCELLED;
            error = ScriptError.of(ErrorKind.CANCELLED, String.valueOf(request.cancellation().reason()));
        } else if (src.startsWith("require ")) {
            String name = src.substring(8);
            java.util.Optional<CompiledScript> module = java.util.Optional.empty();
            String refused = null;
            try {
                module = request.modules().resolve(name);
            } catch (RuntimeException e) {
                refused = e.getMessage();   // as the real engine's require: the refusal is the script's error
            }
            if (refused != null || module.isEmpty()) {
                status = ScriptStatus.FAILED;
                error = ScriptError.of(ErrorKind.RUNTIME, refused != null
                        ? "module '" + name + "' cannot be resolved: " + refused : "module '" + name + "' not found");
            } else {
                return execute(module.get(), request);
            }
        } else if (src.startsWith("limits ")) {
            // the code's own mark beside the instruction limit the run was given (from the metadata)
            values.add(src.substring(7));
            values.add(Long.toString(request.limits().maxInstructions()));
        } else if (src.equals("traced")) {
            // what the real engine tells the tracer at its host-call door (HostFunctionTraceTest covers that door)
            long t0 = System.nanoTime();
            request.tracer().hostCall("device_read", new Object[] {"sim1", "temperature"}, 21.5, null, null, t0, t0 + 30_000);
            request.log().log("INFO", "<script>alert(1)</script>");
            long t1 = System.nanoTime() + 1000; // after the log line, on the microsecond scale of the trace
            request.tracer().permissionDenied("device:write");
            request.tracer().hostCall("device_set_motor_speed", new Object[] {"sim1", 0.0, 25.0}, null, ErrorKind.PERMISSION,
                    "permission denied: device:write required", t1, t1 + 1000);
            values.add("done");
        } else if (src.equals("args")) {
            values.addAll(request.args());
        } else if (src.equals("traceback")) {
            status = ScriptStatus.FAILED;
            error = new ScriptError(ErrorKind.RUNTIME, "attempt to call a nil value (global 'f')", script.chunkName(), 2, 0,
                    "stack traceback:\n\t" + script.chunkName() + ":2: in local 'g'\n\t" + script.chunkName() + ":4: in main chunk");
        } else if (src.equals("permissions")) {
            values.addAll(new java.util.TreeSet<>(request.permissions()));
        } else if (src.equals("cleanup fails")) {
            // a failed run whose on_stop hook failed too (the real engine's EngineCleanupTest covers the hook)
            return new ExecutionResult(request.scriptName(), request.executionId(), ScriptStatus.FAILED, values,
                    ScriptError.at(ErrorKind.RUNTIME, "boom", script.chunkName(), 1, 0), start,
                    Duration.between(start, Instant.now()), 10, 1000, Duration.ZERO, 0,
                    ScriptError.at(ErrorKind.RUNTIME, "on_stop: cleanup broke", script.chunkName(), 3, 7));
        } else {
            status = ScriptStatus.FAILED;
            error = ScriptError.at(ErrorKind.RUNTIME, "boom", script.chunkName(), 1, 0);
        }
        return new ExecutionResult(request.scriptName(), request.executionId(), status, values, error, start,
                Duration.between(start, Instant.now()), 10, 1000, Duration.ZERO, 0);
    }
}
