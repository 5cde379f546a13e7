package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionEnd;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptLog;

/** A stand-in for the engine's scope: records logs and denials, sleeps on the cancellation flag. */
final class TestScope implements ExecutionScope {
    final String script;
    final Set<String> permissions;
    final Cancellation cancellation = new Cancellation();
    final List<String> logs = Collections.synchronizedList(new ArrayList<>());
    final List<String> denied = Collections.synchronizedList(new ArrayList<>());
    final List<Long> slept = Collections.synchronizedList(new ArrayList<>());
    final List<Consumer<ExecutionEnd>> endListeners = Collections.synchronizedList(new ArrayList<>());

    TestScope(String script, String... permissions) {
        this.script = script;
        this.permissions = Set.of(permissions);
    }

    static TestScope all(String script) {
        return new TestScope(script, "device:read", "device:write", "device:control", "telemetry:read",
                "system:info");
    }

    @Override
    public String scriptName() {
        return script;
    }

    @Override
    public String executionId() {
        return script + "-1";
    }

    @Override
    public Set<String> permissions() {
        return permissions;
    }

    @Override
    public Cancellation cancellation() {
        return cancellation;
    }

    @Override
    public ScriptLog log() {
        return (level, message) -> logs.add(level + " " + message);
    }

    @Override
    public void permissionDenied(String permission) {
        denied.add(permission);
    }

    @Override
    public void onEnd(Consumer<ExecutionEnd> listener) {
        synchronized (endListeners) {
            // As the engine: the same listener object registers once per execution.
            if (endListeners.stream().noneMatch(l -> l == listener)) {
                endListeners.add(listener);
            }
        }
    }

    /** Ends the execution as the engine does: tells every listener once. */
    void end(org.scriptbox.api.ScriptStatus status, String reason) {
        List<Consumer<ExecutionEnd>> copy;
        synchronized (endListeners) {
            copy = new ArrayList<>(endListeners);
            endListeners.clear();
        }
        for (Consumer<ExecutionEnd> l : copy) {
            l.accept(new ExecutionEnd(executionId(), script, status, reason, ""));
        }
    }

    @Override
    public void sleep(long nanos) {
        slept.add(nanos);
        try {
            if (cancellation.await(nanos)) {
                throw new ScriptCallException(ErrorKind.CANCELLED, "cancelled: " + cancellation.reason());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScriptCallException(ErrorKind.CANCELLED, "interrupted");
        }
    }
}
