package org.scriptbox.scheduler.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * A test double of our own {@link ScriptManager} interface: {@code execute} records the call and hands
 * back a promise the test resolves (or resolves at once, when asked to); {@code cancel} fails the open runs.
 */
class FakeManager implements ScriptManager {
    private final PromiseFactory promises = new PromiseFactory(PromiseFactory.inlineExecutor());
    final List<String> executed = new CopyOnWriteArrayList<>();
    final Map<String, List<Deferred<ExecutionResult>>> open = new ConcurrentHashMap<>();
    final AtomicInteger cancelCalls = new AtomicInteger();
    volatile boolean completeAtOnce;
    volatile boolean busy;
    volatile ScriptError refusal;

    @Override
    public Promise<ExecutionResult> execute(String name, List<Object> args) {
        if (refusal != null) {
            return promises.failed(new ScriptException(refusal));
        }
        if (busy) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.BUSY, "rejected: system busy")));
        }
        executed.add(name);
        if (completeAtOnce) {
            return promises.resolved(result(name, ScriptStatus.COMPLETED));
        }
        Deferred<ExecutionResult> d = promises.deferred();
        open.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(d);
        return d.getPromise();
    }

    int executions(String name) {
        return (int) executed.stream().filter(name::equals).count();
    }

    int running(String name) {
        return open.getOrDefault(name, List.of()).size();
    }

    /** Completes the oldest open run of a script. */
    void completeOne(String name) {
        List<Deferred<ExecutionResult>> runs = open.get(name);
        Deferred<ExecutionResult> d = runs.remove(0);
        d.resolve(result(name, ScriptStatus.COMPLETED));
    }

    @Override
    public int cancel(String name) {
        cancelCalls.incrementAndGet();
        List<Deferred<ExecutionResult>> runs = open.getOrDefault(name, new ArrayList<>());
        int n = runs.size();
        for (Deferred<ExecutionResult> d : new ArrayList<>(runs)) {
            runs.remove(d);
            d.resolve(result(name, ScriptStatus.CANCELLED));
        }
        return n;
    }

    private static ExecutionResult result(String name, ScriptStatus status) {
        return new ExecutionResult(name, "x", status, List.of(), null, Instant.EPOCH, java.time.Duration.ZERO,
                0, 0, java.time.Duration.ZERO, 0);
    }

    @Override
    public ScriptInfo deploy(ScriptDefinition definition, boolean force) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void reportError(String name, String origin, ScriptError error) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ScriptError> validate(ScriptDefinition definition) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean undeploy(String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ScriptInfo> list() {
        return List.of();
    }

    @Override
    public Optional<ScriptInfo> get(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<ScriptDefinition> definition(String name) {
        return Optional.empty();
    }

    @Override
    public List<ScriptLogEntry> logs(String name, int max) {
        return List.of();
    }

    @Override
    public Path exportScript(String name, Path targetFolder, boolean withStats) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        throw new UnsupportedOperationException();
    }
}
