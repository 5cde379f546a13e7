package org.scriptbox.manager.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.PromiseFactory;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ModuleResolver;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.schedule.ExecutionLoad;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.scriptbox.api.security.PermissionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The script registry. Deploy compiles first and swaps the live version only on success, so a broken
 * update never takes a working script down. Every execution, whoever asks, goes through
 * {@link #execute}: the {@link ExecutionGate} bounds them, the optional {@link ResourceMonitor} may
 * refuse them, and their results feed the persisted statistics. Scripts whose dependencies, devices or
 * permission service are missing wait UNRESOLVED and are re-examined whenever one of those changes.
 */
@Component(service = {ScriptManager.class, ExecutionLoad.class}, configurationPid = ScriptManagerImpl.PID)
@Designate(ocd = ScriptManagerImpl.Config.class)
public class ScriptManagerImpl implements ScriptManager, ExecutionLoad {
    static final String PID = "org.scriptbox.manager";
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);
    /** Where script output goes in the container log, besides each script's own ring buffer. */
    private static final Logger SCRIPT_LOG = LoggerFactory.getLogger("org.scriptbox.scripts");

    @ObjectClassDefinition(name = "scriptbox script manager", description = "Bounds on script executions and per-script logs")
    public @interface Config {
        @AttributeDefinition(description = "Executions that may run at the same time")
        int max_concurrent() default 10;

        @AttributeDefinition(description = "Executions that may wait for a free slot; beyond this new ones are refused (BUSY)")
        int queue_capacity() default 100;

        @AttributeDefinition(description = "Log lines kept per script for script:logs")
        int log_lines() default 200;

        @AttributeDefinition(description = "Statistics are written to disk at most this often (ms), and on stop; 0 writes after every run")
        long stats_flush_ms() default 1000;
    }

    @Reference
    ScriptEngine engine;

    @Reference
    MetadataCodec codec;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ResourceMonitor monitor;

    /** The operator's caps on execution limits; the seed's defaults while it is absent. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile LimitPolicy limitPolicy;

    private volatile PermissionService permissions;
    private final Map<String, Integer> devices = new HashMap<>();
    private final List<ScriptListener> listeners = new CopyOnWriteArrayList<>();

    private final Map<String, ScriptEntry> entries = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final PromiseFactory promises = new PromiseFactory(PromiseFactory.inlineExecutor());
    private StatsStore stats;
    private volatile ExecutionGate gate;
    private volatile int logLines;
    private volatile boolean active;

    @Activate
    void activate(BundleContext context, Config config) {
        start(context.getDataFile("stats").toPath(), config);
    }

    /** Everything activation does besides finding the data area; tests call it with a temporary folder. */
    void start(Path statsFolder, Config config) {
        stats = new StatsStore(statsFolder, config.stats_flush_ms());
        gate = new ExecutionGate(Math.max(1, config.max_concurrent()), Math.max(0, config.queue_capacity()));
        logLines = Math.max(1, config.log_lines());
        active = true;
        LOG.info("script manager ready: engine {}, at most {} concurrent executions, {} queued",
                engine.version(), config.max_concurrent(), config.queue_capacity());
    }

    /**
     * New bounds apply at once. A new queue size needs a new pool: executions already admitted finish on
     * the old one, new ones go to the new one.
     */
    @Modified
    void modified(Config config) {
        int queue = Math.max(0, config.queue_capacity());
        if (queue != gate.queueCapacity()) {
            ExecutionGate old = gate;
            gate = new ExecutionGate(Math.max(1, config.max_concurrent()), queue);
            old.drain();
        } else {
            gate.resize(Math.max(1, config.max_concurrent()));
        }
        logLines = Math.max(1, config.log_lines());
        LOG.info("script manager: at most {} concurrent executions, {} queued", config.max_concurrent(), queue);
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (ScriptEntry e : entries.values()) {
            e.running.values().forEach(c -> c.cancel("the script manager is stopping"));
        }
        gate.shutdown();
        stats.close();
        for (ScriptEntry e : entries.values()) {
            stats.save(e.name, e.stats);
        }
    }

    // ---- references that change what is resolved ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPermissions(PermissionService service) {
        permissions = service;
        reresolve();
    }

    void unbindPermissions(PermissionService service) {
        if (permissions == service) {
            permissions = null;
            reresolve();
        }
    }

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDevice(ServiceReference<Device> ref) {
        Object id = ref.getProperty(Device.DEVICE_ID);
        if (id != null) {
            synchronized (lock) {
                devices.merge(id.toString(), 1, Integer::sum);
            }
            reresolve();
        }
    }

    void unbindDevice(ServiceReference<Device> ref) {
        Object id = ref.getProperty(Device.DEVICE_ID);
        if (id != null) {
            synchronized (lock) {
                devices.computeIfPresent(id.toString(), (k, n) -> n > 1 ? n - 1 : null);
            }
            reresolve();
        }
    }

    /** Whiteboard listeners hear about every script that is already runnable, then about changes. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindListener(ScriptListener listener) {
        listeners.add(listener);
        for (ScriptEntry e : entries.values()) {
            if (e.resolved()) {
                notify(listener, new ScriptEvent(ScriptEvent.Type.DEPLOYED, e.info()));
            }
        }
    }

    void unbindListener(ScriptListener listener) {
        listeners.remove(listener);
    }

    // ---- lifecycle ----

    @Override
    public ScriptInfo deploy(ScriptDefinition definition, boolean force) {
        String name = definition.name();
        ScriptMetadata m = definition.metadata();
        List<Dependency> deps;
        SemVer version;
        try {
            deps = checkStatically(definition);
            version = SemVer.parse(m.version());
        } catch (ScriptException e) {
            throw failed(name, definition, e);
        }
        ScriptEntry existing = entries.get(name);
        if (existing != null && existing.live()) {
            if (!force && version.compareTo(existing.version) < 0) {
                throw failed(name, definition, new ScriptException(ScriptError.of(ErrorKind.REFUSED, "version " + version
                        + " is lower than the deployed " + existing.version + "; deploy with force to downgrade")));
            }
            if (!force && definition.equals(existing.definition)) {
                // the live content again (a file touched, or a broken edit reverted): keep it running,
                // but an error about the abandoned attempt no longer applies
                synchronized (lock) {
                    ScriptError e = existing.lastError;
                    if (e != null && e.kind() != ErrorKind.DEPENDENCY) {
                        existing.lastError = null;
                        LOG.info("script '{}' is back to its live version {}", name, existing.version);
                    }
                }
                return existing.info();
            }
        }
        CompiledScript compiled;
        try {
            compiled = engine.compile(name + ".lua", definition.source());
        } catch (ScriptException e) {
            throw failed(name, definition, e);
        }
        List<ScriptEvent> events = new ArrayList<>();
        ScriptEntry entry;
        String conflict = null;
        synchronized (lock) {
            entry = entries.computeIfAbsent(name, n -> new ScriptEntry(n, stats.load(n)));
            boolean wasResolved = entry.resolved();
            ScriptDefinition replaced = entry.definition;
            if (replaced != null && !Origins.sameSource(replaced.origin(), definition.origin())) {
                // the latest deploy wins (as before), but never silently: each source may believe it owns the name
                conflict = Instant.now() + ": two sources deploy '" + name + "': version " + version + " from "
                        + definition.origin() + " replaced version " + entry.version + " from " + replaced.origin()
                        + " (the latest deploy wins)";
                entry.sourceConflict = conflict;
            }
            // executions of the replaced version stop: nothing of an old version keeps acting after a reload
            entry.running.values().forEach(c -> c.cancel("replaced by version " + version));
            entry.definition = definition;
            entry.compiled = compiled;
            entry.version = version;
            entry.dependencies = deps;
            entry.attempted = null;
            entry.lastError = null;
            entry.lastRun = null;
            entry.deployedAt = Instant.now();
            entry.waitingFor = List.of();
            Map<String, Boolean> before = resolvedStates();
            before.put(name, wasResolved);
            resolveAll(events, before);
            if (wasResolved && entry.resolved()) {
                events.add(new ScriptEvent(ScriptEvent.Type.UPDATED, entry.info()));
            }
        }
        if (conflict != null) {
            LOG.warn("script '{}': {}", name, conflict.substring(conflict.indexOf(": ") + 2));
        }
        LOG.info("script '{}' {} version {} from {}: {}", name, existing != null && existing.live() ? "updated to" : "deployed",
                version, definition.origin(), entry.resolved() ? "ready" : "UNRESOLVED, waiting for " + entry.waitingFor);
        fire(events);
        return entry.info();
    }

    /** The checks that need no compiler, so that validate() and deploy() agree. */
    private List<Dependency> checkStatically(ScriptDefinition def) {
        ScriptMetadata m = def.metadata();
        String file = def.name() + ".toml";
        if (!ScriptNames.isValid(def.name())) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "\"" + def.name() + "\" is not a valid script name "
                    + ScriptNames.RULE, file, 0, 0));
        }
        if (!SemVer.isValid(m.version())) {
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "version: " + "\"" + m.version()
                    + "\" is not a semantic version (expected MAJOR.MINOR.PATCH)", file, 0, 0));
        }
        for (String p : m.permissions()) {
            if (org.scriptbox.api.security.Permission.fromId(p).isEmpty()) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "unknown permission \"" + p + "\"", file, 0, 0));
            }
        }
        List<Dependency> deps = new ArrayList<>();
        for (String d : m.dependencies()) {
            try {
                deps.add(Dependency.parse(d));
            } catch (IllegalArgumentException e) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "dependencies: " + e.getMessage(), file, 0, 0));
            }
        }
        String engineVersion = engine.version();
        if (SemVer.isValid(m.minEngineVersion()) && SemVer.isValid(engineVersion)
                && SemVer.parse(m.minEngineVersion()).compareTo(SemVer.parse(engineVersion)) > 0) {
            throw new ScriptException(ScriptError.at(ErrorKind.DEPENDENCY, "needs engine " + m.minEngineVersion()
                    + " or later; this engine is " + engineVersion, file, 0, 0));
        }
        return List.copyOf(deps);
    }

    /** Keeps the error on the script (live version untouched), tells listeners and hands it back to throw. */
    private ScriptException failed(String name, ScriptDefinition attempted, ScriptException e) {
        recordFailure(name, attempted == null ? null : attempted.metadata(), e.error());
        return e;
    }

    private void recordFailure(String name, ScriptMetadata attempted, ScriptError error) {
        if (!ScriptNames.isValid(name)) {
            LOG.error("script '{}' refused: {}", name, error);
            return;
        }
        ScriptEvent event = null;
        synchronized (lock) {
            ScriptEntry entry = entries.computeIfAbsent(name, n -> new ScriptEntry(n, stats.load(n)));
            entry.lastError = error;
            if (!entry.live()) {
                entry.attempted = attempted;
            } else {
                event = new ScriptEvent(ScriptEvent.Type.UPDATE_FAILED, entry.info());
            }
        }
        LOG.error("script '{}' not {}: {}", name, event != null ? "updated, the previous version stays live" : "deployed", error);
        if (event != null) {
            fire(List.of(event));
        }
    }

    @Override
    public void reportError(String name, String origin, ScriptError error) {
        recordFailure(name, null, error);
    }

    @Override
    public List<ScriptError> validate(ScriptDefinition definition) {
        try {
            checkStatically(definition);
            engine.compile(definition.name() + ".lua", definition.source());
            return List.of();
        } catch (ScriptException e) {
            return List.of(e.error());
        }
    }

    @Override
    public boolean undeploy(String name) {
        List<ScriptEvent> events = new ArrayList<>();
        ScriptEntry removed;
        synchronized (lock) {
            Map<String, Boolean> before = resolvedStates();
            removed = entries.remove(name);
            if (removed == null) {
                return false;
            }
            removed.running.values().forEach(c -> c.cancel("script undeployed"));
            events.add(new ScriptEvent(ScriptEvent.Type.UNDEPLOYED, removed.info()));
            before.remove(name);
            resolveAll(events, before);
        }
        stats.save(name, removed.stats);
        LOG.info("script '{}' undeployed{}", name, removed.running.isEmpty() ? "" : ", its running executions cancelled");
        fire(events);
        return true;
    }

    @Override
    public List<ScriptInfo> list() {
        List<ScriptInfo> out = new ArrayList<>();
        for (ScriptEntry e : entries.values()) {
            out.add(e.info());
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public Optional<ScriptInfo> get(String name) {
        ScriptEntry e = name == null ? null : entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    @Override
    public Optional<ScriptDefinition> definition(String name) {
        ScriptEntry e = name == null ? null : entries.get(name);
        return e == null ? Optional.empty() : Optional.ofNullable(e.definition);
    }

    // ---- resolution ----

    private void reresolve() {
        if (!active) {
            return;
        }
        List<ScriptEvent> events = new ArrayList<>();
        synchronized (lock) {
            resolveAll(events, resolvedStates());
        }
        fire(events);
    }

    private Map<String, Boolean> resolvedStates() {
        Map<String, Boolean> states = new HashMap<>();
        for (ScriptEntry e : entries.values()) {
            states.put(e.name, e.resolved());
        }
        return states;
    }

    /** Re-examines every script (under the lock) and adds DEPLOYED/UNRESOLVED events for the ones that changed. */
    private void resolveAll(List<ScriptEvent> events, Map<String, Boolean> before) {
        boolean permissionService = permissions != null;
        Set<String> presentDevices = devices.keySet();
        Map<String, DependencyResolver.Verdict> verdicts = DependencyResolver.resolve(entries.keySet(), n -> {
            ScriptEntry e = entries.get(n);
            return e == null ? null : new DependencyResolver.Node(n, e.version, e.dependencies,
                    e.definition != null && !e.definition.metadata().permissions().isEmpty(),
                    e.definition == null ? List.of() : e.definition.metadata().devices(), e.live());
        }, permissionService, presentDevices);
        List<ScriptEvent> deployed = new ArrayList<>();
        List<ScriptEvent> unresolved = new ArrayList<>();
        for (ScriptEntry e : entries.values()) {
            if (!e.live()) {
                continue;
            }
            DependencyResolver.Verdict v = verdicts.get(e.name);
            e.waitingFor = v.waitingFor();
            if (v.problem() != null) {
                e.lastError = ScriptError.of(ErrorKind.DEPENDENCY, v.problem());
            } else if (e.lastError != null && e.lastError.kind() == ErrorKind.DEPENDENCY) {
                e.lastError = null;
            }
            boolean was = Boolean.TRUE.equals(before.get(e.name));
            if (was != e.resolved()) {
                if (e.resolved()) {
                    LOG.info("script '{}' resolved: ready to run", e.name);
                    deployed.add(new ScriptEvent(ScriptEvent.Type.DEPLOYED, e.info()));
                } else {
                    LOG.warn("script '{}' UNRESOLVED, waiting for {}", e.name, e.waitingFor);
                    e.running.values().forEach(c -> c.cancel("a requirement went away: " + e.waitingFor));
                    unresolved.add(new ScriptEvent(ScriptEvent.Type.UNRESOLVED, e.info()));
                }
            }
        }
        // listeners hear of a dependency becoming runnable before its dependents, and of dependents
        // going away before what they depend on
        Map<String, Integer> depth = new HashMap<>();
        Comparator<ScriptEvent> byDepth = Comparator.comparingInt(ev -> depth(ev.script().name(), depth, new HashSet<>()));
        deployed.sort(byDepth.thenComparing(ev -> ev.script().name()));
        unresolved.sort(byDepth.reversed().thenComparing(ev -> ev.script().name()));
        events.addAll(unresolved);
        events.addAll(deployed);
    }

    /** Length of the longest dependency chain below a script (0 for none); cycles count once. */
    private int depth(String name, Map<String, Integer> memo, Set<String> visiting) {
        Integer known = memo.get(name);
        if (known != null) {
            return known;
        }
        ScriptEntry e = entries.get(name);
        if (e == null || !visiting.add(name)) {
            return 0;
        }
        int d = 0;
        for (Dependency dep : e.dependencies) {
            d = Math.max(d, 1 + depth(dep.name(), memo, visiting));
        }
        visiting.remove(name);
        memo.put(name, d);
        return d;
    }

    private void fire(List<ScriptEvent> events) {
        for (ScriptEvent event : events) {
            for (ScriptListener l : listeners) {
                notify(l, event);
            }
        }
    }

    private static void notify(ScriptListener l, ScriptEvent event) {
        try {
            l.scriptChanged(event);
        } catch (RuntimeException e) {
            LOG.warn("script listener {} failed on {} of '{}'", l, event.type(), event.script().name(), e);
        }
    }

    // ---- execution ----

    @Override
    public Promise<ExecutionResult> execute(String name, List<Object> args) {
        ScriptEntry entry = name == null ? null : entries.get(name);
        if (entry == null) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no script named '" + name + "'")));
        }
        if (!entry.live()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.COMPILATION, "script '" + name
                    + "' has no version that compiled" + (entry.lastError == null ? "" : ": " + entry.lastError))));
        }
        if (!entry.resolved()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.DEPENDENCY, "script '" + name
                    + "' is unresolved, waiting for " + String.join(", ", entry.waitingFor))));
        }
        ResourceMonitor m = monitor;
        if (m != null && !m.admitsNewExecution()) {
            return promises.failed(new ScriptException(ScriptError.of(ErrorKind.BUSY,
                    "rejected: system overloaded (" + describe(m) + "); try again later")));
        }
        Deferred<ExecutionResult> deferred = promises.deferred();
        String id = UUID.randomUUID().toString();
        Cancellation cancellation = new Cancellation();
        ScriptDefinition def = entry.definition;
        CompiledScript compiled = entry.compiled;
        entry.running.put(id, cancellation);
        List<Object> argsCopy = args == null ? List.of() : new ArrayList<>(args);
        try {
            gate.submit(() -> deferred.resolve(run(entry, def, compiled, id, argsCopy, cancellation)));
        } catch (ScriptException busy) {
            entry.running.remove(id);
            return promises.failed(busy);
        }
        return deferred.getPromise();
    }

    private ExecutionResult run(ScriptEntry entry, ScriptDefinition def, CompiledScript compiled, String id,
                                List<Object> args, Cancellation cancellation) {
        Instant start = Instant.now();
        ExecutionResult result;
        try {
            if (cancellation.isCancelled()) {
                result = notRun(entry.name, id, start, ScriptStatus.CANCELLED,
                        ScriptError.of(ErrorKind.CANCELLED, "cancelled before it started: " + cancellation.reason()));
            } else {
                ScriptMetadata m = def.metadata();
                ResourceLimits limits = LimitPolicy.effective(limitPolicy, m.limits());
                ExecutionRequest request = new ExecutionRequest(entry.name, id, args, limits, granted(m), cancellation,
                        modulesFor(entry), (level, text) -> log(entry, id, level, text));
                result = engine.execute(compiled, request);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.error("script '{}' execution {} failed inside the container", entry.name, id, e);
            result = notRun(entry.name, id, start, ScriptStatus.FAILED, ScriptError.of(ErrorKind.RUNTIME,
                    "internal error: " + e));
        } finally {
            entry.running.remove(id);
        }
        finish(entry, result);
        return result;
    }

    private Set<String> granted(ScriptMetadata m) {
        if (m.permissions().isEmpty()) {
            return Set.of();
        }
        PermissionService ps = permissions;
        return ps == null ? Set.of() : ps.grant(m.name(), Set.copyOf(m.permissions()));
    }

    /** {@code require} may reach the script's declared dependencies and theirs, nothing else. */
    private ModuleResolver modulesFor(ScriptEntry entry) {
        if (entry.dependencies.isEmpty()) {
            return ModuleResolver.NONE;
        }
        Set<String> reachable = new LinkedHashSet<>();
        List<ScriptEntry> todo = new ArrayList<>(List.of(entry));
        while (!todo.isEmpty()) {
            ScriptEntry e = todo.remove(todo.size() - 1);
            for (Dependency d : e.dependencies) {
                ScriptEntry dep = entries.get(d.name());
                if (dep != null && reachable.add(d.name())) {
                    todo.add(dep);
                }
            }
        }
        return moduleName -> {
            if (!reachable.contains(moduleName)) {
                return Optional.empty();
            }
            ScriptEntry dep = entries.get(moduleName);
            return dep == null ? Optional.empty() : Optional.ofNullable(dep.compiled);
        };
    }

    private void finish(ScriptEntry entry, ExecutionResult result) {
        ExecutionStats updated;
        synchronized (entry) {
            updated = entry.stats.plus(result);
            entry.stats = updated;
            entry.lastRun = result.status();
        }
        if (!result.succeeded() && result.error() != null) {
            log(entry, result.executionId(), "ERROR", result.status() + ": " + result.error());
        }
        // undeployed meanwhile: its stats file was written by undeploy; only a still-deployed script saves.
        // Coalesced: written by the store's background writer within stats.flush.ms, and on deactivate.
        if (entries.get(entry.name) == entry) {
            stats.update(entry.name, updated);
        }
        LOG.debug("script '{}' execution {} {} in {} ms", entry.name, result.executionId(), result.status(),
                result.duration().toMillis());
    }

    private static ExecutionResult notRun(String name, String id, Instant start, ScriptStatus status, ScriptError error) {
        return new ExecutionResult(name, id, status, List.of(), error, start, Duration.between(start, Instant.now()), 0, 0,
                Duration.ZERO, 0);
    }

    private void log(ScriptEntry entry, String executionId, String level, String text) {
        entry.logs.add(new ScriptLogEntry(Instant.now(), level, entry.name, executionId, text), logLines);
        if ("ERROR".equals(level)) {
            SCRIPT_LOG.warn("[{}] {}", entry.name, text);
        } else {
            SCRIPT_LOG.info("[{}] {}", entry.name, text);
        }
    }

    @Override
    public int cancel(String name) {
        ScriptEntry e = name == null ? null : entries.get(name);
        if (e == null) {
            return 0;
        }
        int n = 0;
        for (Cancellation c : e.running.values()) {
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

    @Override
    public List<ScriptLogEntry> logs(String name, int max) {
        ScriptEntry e = name == null ? null : entries.get(name);
        return e == null ? List.of() : Collections.unmodifiableList(e.logs.latest(Math.max(0, max)));
    }

    // ---- import / export ----

    @Override
    public Path exportScript(String name, Path targetFolder, boolean withStats) {
        ScriptEntry e = entries.get(name);
        if (e == null || e.definition == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no deployed script named '" + name + "'"));
        }
        return Transfer.export(codec, e.definition, withStats ? e.stats : null, targetFolder);
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        Transfer.Imported imported = Transfer.read(codec, luaFile);
        ScriptInfo info = deploy(imported.definition(), force);
        if (imported.stats() != null) {
            ScriptEntry e = entries.get(info.name());
            if (e != null) {
                synchronized (e) {
                    e.stats = imported.stats();
                }
                stats.save(e.name, imported.stats());
                info = e.info();
            }
        }
        return info;
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

    /** Statistics files written since activation (tests, benchmark). */
    long statsWrites() {
        return stats.writes();
    }

    @Override
    public int activeExecutions() {
        ExecutionGate g = gate;
        return g == null ? 0 : g.active();
    }

    @Override
    public int queuedExecutions() {
        ExecutionGate g = gate;
        return g == null ? 0 : g.queued();
    }
}
