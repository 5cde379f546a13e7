package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ExecutionTracer;
import org.scriptbox.api.engine.ModuleResolver;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.engine.ScriptLog;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.scriptbox.api.security.PermissionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every execution takes, whoever asks: admission (the script must be live and resolved,
 * the optional {@link ResourceMonitor} may refuse), the {@link ExecutionGate} that bounds how many run
 * and wait, the engine's run with the script's effective limits, granted permissions and reachable
 * modules, and afterwards the statistics and the script's log. Optional services are read through
 * suppliers at each execution, because they come and go while the manager runs.
 */
final class Executions {
    /** The manager's logger, so that operators' log filters and grep patterns keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);

    private final Map<String, ScriptEntry> entries;
    private final ScriptEngine engine;
    private final StatsStore stats;
    private final Supplier<ResourceMonitor> monitor;
    private final Supplier<LimitPolicy> limitPolicy;
    private final Supplier<PermissionService> permissions;
    private final PromiseFactory promises = new PromiseFactory(PromiseFactory.inlineExecutor());
    private final ExecutionGate gate;
    private final ScriptLogSink logSink;
    private final ActivityListeners activity = new ActivityListeners();
    private final TraceStore traces;
    private volatile TraceLimits traceLimits;
    /** The cancel flags of the detached runs going or waiting (script tests). */
    private final Set<Cancellation> detached = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Executions(Map<String, ScriptEntry> entries, ScriptEngine engine, StatsStore stats, Supplier<ResourceMonitor> monitor,
               Supplier<LimitPolicy> limitPolicy, Supplier<PermissionService> permissions, ManagerSettings settings,
               TraceStore traces) {
        this.entries = entries;
        this.engine = engine;
        this.stats = stats;
        this.monitor = monitor;
        this.limitPolicy = limitPolicy;
        this.permissions = permissions;
        this.gate = new ExecutionGate(settings.capacity());
        this.logSink = new ScriptLogSink(settings.logQuota(), settings.logLines(), System::currentTimeMillis);
        logSink.tap(activity::logged);
        this.traces = traces;
        this.traceLimits = settings.trace();
    }

    ActivityListeners activity() {
        return activity;
    }

    /** New bounds apply at once; executions already admitted keep their slots. */
    void reconfigure(ManagerSettings settings) {
        gate.resize(settings.capacity());
        logSink.reconfigure(settings.logQuota(), settings.logLines());
        traceLimits = settings.trace();
        traces.keep(settings.trace().runs());
    }

    /** Stops taking work; the caller has already cancelled what runs. */
    void shutdown() {
        cancelDetached("the script manager is stopping");
        gate.shutdown();
    }

    int active() {
        return gate.active();
    }

    int queued() {
        return gate.queued();
    }

    Promise<ExecutionResult> execute(String name, List<Object> args, ExecutionTrigger trigger) {
        ScriptEntry entry = name == null ? null : entries.get(name);
        if (entry == null) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no script named '" + name + "'")));
        }
        // one read: the version, its resolution and its limits below all belong to the same deploy
        ScriptState state = entry.state();
        ScriptVersion version = state.live();
        if (version == null) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.COMPILATION, "script '" + name
                    + "' has no version that compiled" + (state.lastError() == null ? "" : ": " + state.lastError()))));
        }
        if (!state.resolved()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.DEPENDENCY, "script '" + name
                    + "' is unresolved, waiting for " + String.join(", ", state.waitingFor()))));
        }
        if (state.disabled()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.REFUSED, "script '" + name
                    + "' is disabled (script:enable " + name + " to run it again)")));
        }
        ScriptError tooLong = ArgumentStrings.overLimit(name, args,
                LimitPolicy.effective(limitPolicy.get(), version.metadata().limits()).maxStringLength());
        if (tooLong != null) {
            return promises.failed(new ScriptException(tooLong));
        }
        ResourceMonitor m = monitor.get();
        if (m != null && !m.admitsNewExecution()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.BUSY,
                    "rejected: system overloaded (" + describe(m) + "); try again later")));
        }
        Deferred<ExecutionResult> deferred = promises.deferred();
        String id = UUID.randomUUID().toString();
        Cancellation cancellation = new Cancellation();
        entry.running.put(id, new ScriptEntry.Run(version, cancellation));
        if (entry.live() != version) {
            // a deploy replaced the version between the read above and the registration: that deploy's
            // cancellation of running executions may have missed this one, so it must not start
            cancellation.cancel("replaced by version " + entry.live().version());
        }
        List<Object> argsCopy = args == null ? List.of() : new ArrayList<>(args);
        try {
            gate.submit(entry.name, trigger, () -> {
                try {
                    deferred.resolve(run(entry, version, id, argsCopy, cancellation, trigger));
                } catch (RuntimeException | Error e) {
                    // whatever went wrong after the run, its caller must not wait forever
                    LOG.error("script '{}' execution {} could not be completed", name, id, e);
                    deferred.fail(new ScriptException(ScriptError.of(ErrorKind.RUNTIME,
                            "internal error after the run; see the container log")));
                }
            });
        } catch (ScriptException busy) {
            entry.running.remove(id);
            return promises.failed(busy);
        }
        return deferred.getPromise();
    }

    /**
     * A script test's run (ScriptManager#executeDetached): the script's limits, permissions and modules, the gate,
     * the caller's libraries only, nothing recorded. Kept in {@link #detached} so that the manager's stop cancels it.
     */
    Promise<ExecutionResult> executeDetached(String name, CompiledScript chunk, List<Object> args,
                                             List<ScriptLibrary> libraries, ScriptLog log, Cancellation cancellation) {
        ScriptEntry entry = name == null ? null : entries.get(name);
        if (entry == null) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no script named '" + name + "'")));
        }
        ScriptVersion version = entry.state().live();
        if (version == null) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.COMPILATION, "script '" + name
                    + "' has no version that compiled")));
        }
        Deferred<ExecutionResult> deferred = promises.deferred();
        String id = UUID.randomUUID().toString();
        List<Object> argsCopy = args == null ? List.of() : new ArrayList<>(args);
        List<ScriptLibrary> only = List.copyOf(libraries);
        detached.add(cancellation);
        try {
            gate.submit(entry.name, ExecutionTrigger.OPERATOR, () -> {
                try {
                    ScriptMetadata m = version.metadata();
                    ExecutionRequest request = new ExecutionRequest(entry.name, id, argsCopy,
                            LimitPolicy.effective(limitPolicy.get(), m.limits()), granted(m), cancellation,
                            modulesFor(version), log, ExecutionTracer.NONE, only);
                    deferred.resolve(engine.execute(chunk, request));
                } catch (RuntimeException | Error e) {
                    LOG.error("script '{}' detached execution {} failed inside the container", name, id, e);
                    deferred.fail(new ScriptException(ScriptError.of(ErrorKind.RUNTIME,
                            "internal error in the container (see the container log)")));
                } finally {
                    detached.remove(cancellation);
                }
            });
        } catch (ScriptException busy) {
            detached.remove(cancellation);
            return promises.failed(busy);
        }
        return deferred.getPromise();
    }

    /** The manager is stopping: detached runs (script tests) end too. */
    void cancelDetached(String why) {
        detached.forEach(c -> c.cancel(why));
    }

    private ExecutionResult run(ScriptEntry entry, ScriptVersion version, String id, List<Object> args,
                                Cancellation cancellation, ExecutionTrigger trigger) {
        Instant start = Instant.now();
        ScriptLogSink.ExecutionLog log = logSink.open(entry.name, entry.logs, id);
        TraceRecorder trace = new TraceRecorder(traceLimits, args);
        ExecutionResult result;
        try {
            if (cancellation.isCancelled()) {
                result = notRun(entry.name, id, start, ScriptStatus.CANCELLED,
                        ScriptError.of(ErrorKind.CANCELLED, "cancelled before it started: " + cancellation.reason()));
            } else {
                ScriptMetadata m = version.metadata();
                ResourceLimits limits = LimitPolicy.effective(limitPolicy.get(), m.limits());
                ExecutionRequest request = new ExecutionRequest(entry.name, id, args, limits, granted(m), cancellation,
                        modulesFor(version), (level, line) -> {
                            log.script(level, line);
                            trace.log(level, line);
                        }, trace);
                result = engine.execute(version.compiled(), request);
            }
        } catch (RuntimeException | LinkageError e) {
            // the stack trace is for the container log; the script's author sees no Java text
            LOG.error("script '{}' execution {} failed inside the container", entry.name, id, e);
            result = notRun(entry.name, id, start, ScriptStatus.FAILED, ScriptError.of(ErrorKind.RUNTIME,
                    "internal error in the container (execution " + id + ", see the container log)"));
        }
        try {
            finish(entry, version, result, log);
            recordTrace(entry.name, version, trigger, trace, result);
        } finally {
            entry.running.remove(id);
        }
        return result;
    }

    /** The run's trace joins its script's last runs; a failure here is the container's, never the run's. */
    private void recordTrace(String name, ScriptVersion version, ExecutionTrigger trigger, TraceRecorder trace,
                             ExecutionResult result) {
        try {
            traces.add(trace.finish(traces.nextRun(name), version.version().toString(),
                    trigger == null ? "" : trigger.name(), result));
        } catch (RuntimeException e) {
            LOG.warn("script '{}' execution {}: its trace could not be kept", name, result.executionId(), e);
        }
    }

    private Set<String> granted(ScriptMetadata m) {
        if (m.permissions().isEmpty()) {
            return Set.of();
        }
        PermissionService ps = permissions.get();
        return ps == null ? Set.of() : ps.grant(m.name(), Set.copyOf(m.permissions()));
    }

    /** {@code require} may reach the script's declared dependencies and theirs, nothing else. */
    private ModuleResolver modulesFor(ScriptVersion version) {
        Set<String> reachable = new LinkedHashSet<>();
        List<ScriptVersion> todo = new ArrayList<>(List.of(version));
        while (!todo.isEmpty()) {
            ScriptVersion v = todo.remove(todo.size() - 1);
            for (Dependency d : v.dependencies()) {
                ScriptEntry dep = entries.get(d.name());
                ScriptVersion depVersion = dep == null ? null : dep.live();
                if (depVersion != null && reachable.add(d.name())) {
                    todo.add(depVersion);
                }
            }
        }
        String requiring = version.metadata().name();
        return moduleName -> {
            if (!reachable.contains(moduleName)) {
                ScriptEntry deployed = entries.get(moduleName);
                if (deployed != null && deployed.live() != null) {
                    // a deployed script the author forgot to declare: say so, "not found" sent them looking elsewhere
                    throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "script '" + moduleName + "' is deployed but '"
                            + requiring + "' does not declare it: declare it in dependencies in " + requiring + ".toml"));
                }
                return Optional.empty();
            }
            ScriptEntry dep = entries.get(moduleName);
            ScriptVersion live = dep == null ? null : dep.live();
            return live == null ? Optional.empty() : Optional.of(live.compiled());
        };
    }

    /**
     * The failure's traceback, one log line per frame ({@code    test.lua:3: in local 'f'}), so that
     * script:logs and the log file keep it (each line is escaped on its own and counts against the window).
     */
    private static void tracebackLines(org.scriptbox.api.ScriptError error, ScriptLogSink.ExecutionLog log) {
        String tb = error.traceback();
        if (tb == null) {
            return;
        }
        for (String line : tb.split("\n")) {
            if (!line.isBlank()) {
                log.container("ERROR", (line.startsWith("\t") ? "    " : "  ") + line.strip());
            }
        }
    }

    private void finish(ScriptEntry entry, ScriptVersion ran, ExecutionResult result, ScriptLogSink.ExecutionLog log) {
        ExecutionStats updated = entry.update(s -> s.withRun(ran, s.stats().plus(result), result.status())).stats();
        if (!result.succeeded() && result.error() != null) {
            log.container("ERROR", result.status() + ": " + result.error());
            tracebackLines(result.error(), log);
        }
        if (result.cleanupError() != null) {
            // The hook's failure does not change the status, but the operator must see it (script:logs).
            log.container("WARN", "on_stop failed (" + result.cleanupError().kind() + "): " + result.cleanupError());
        }
        log.close();
        activity.finished(result);
        // Coalesced: written by the store's background writer within stats.flush.ms, and on deactivate.
        if (entries.get(entry.name) == entry) {
            stats.update(entry.name, updated);
        } else {
            countAfterUndeploy(entry, result);
        }
        LOG.debug("script '{}' execution {} {} in {} ms", entry.name, result.executionId(), result.status(),
                result.duration().toMillis());
    }

    /**
     * A run that was in flight when its script was undeployed still counts: written to the script's file
     * (undeploy wrote it before this run ended), or, if the script is back meanwhile, added to the new
     * entry, which read the file without this run. Inside {@code compute}, so a deploy of the same name
     * (its {@code computeIfAbsent} reads the file) cannot come between the check and the write.
     */
    private void countAfterUndeploy(ScriptEntry old, ExecutionResult result) {
        entries.compute(old.name, (name, current) -> {
            if (current == null) {
                synchronized (old) {
                    stats.save(name, old.state().stats());
                }
            } else if (current != old) {
                stats.update(name, current.update(s -> s.withStats(s.stats().plus(result))).stats());
            }
            return current;
        });
    }

    /** After undeploy: the statistics are written (runs still ending add theirs later), owed log summaries told. */
    void undeployed(ScriptEntry removed) {
        synchronized (removed) {
            stats.save(removed.name, removed.state().stats());
        }
        logSink.forget(removed.name, removed.logs);
    }

    private static ExecutionResult notRun(String name, String id, Instant start, ScriptStatus status, ScriptError error) {
        return new ExecutionResult(name, id, status, List.of(), error, start, Duration.between(start, Instant.now()), 0, 0,
                Duration.ZERO, 0);
    }

    /** @return how many running or queued executions of the script were cancelled now */
    int cancel(String name) {
        ScriptEntry e = name == null ? null : entries.get(name);
        if (e == null) {
            return 0;
        }
        int n = 0;
        for (ScriptEntry.Run r : e.running.values()) {
            Cancellation c = r.cancellation();
            if (!c.isCancelled()) {
                c.cancel("cancelled by request");
                n++;
            }
        }
        if (n > 0) {
            LOG.info("script '{}': {} execution(s) cancelled", name, n);
        }
        return n;
    }

    /** What the monitor saw, for the refusal message; the monitor's own failure must not hide the refusal. */
    private static String describe(ResourceMonitor monitor) {
        try {
            ResourceSnapshot s = monitor.snapshot();
            return String.format("resource monitor: cpu %s, heap %d of %d MB, %d running, %d queued",
                    s.processCpuLoad() < 0 ? "unknown" : Math.round(s.processCpuLoad() * 100) + "%",
                    s.heapUsedBytes() >> 20, s.heapMaxBytes() >> 20, s.activeExecutions(), s.queuedExecutions());
        } catch (RuntimeException e) {
            return "the resource monitor refuses new executions";
        }
    }
}
