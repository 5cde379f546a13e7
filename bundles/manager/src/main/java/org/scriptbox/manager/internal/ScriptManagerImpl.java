package org.scriptbox.manager.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
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
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptRevision;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.schedule.ExecutionLoad;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.security.PermissionService;
import org.scriptbox.api.text.SafeText;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The script registry. Deploy compiles first and swaps the live version only on success, so a broken
 * update never takes a working script down. Every execution, whoever asks, goes through
 * {@link #execute}: the {@link ExecutionGate} bounds them, the optional {@link ResourceMonitor} may
 * refuse them, and their results feed the persisted statistics. Scripts whose dependencies, devices or
 * permission service are missing wait UNRESOLVED and are re-examined whenever one of those changes.
 *
 * <p>This class is the DS component: it holds the references and the entries, owns the lock and the
 * deploy/undeploy lifecycle, and hands the rest to collaborators: {@link StaticChecks} (what can be
 * refused before compiling), {@link Resolution} (who is runnable), {@link Executions} (the execution
 * path) and {@link Listeners} (the whiteboard).
 */
@Component(service = {ScriptManager.class, ExecutionLoad.class, DeviceDirectory.Listener.class, TraceService.class},
        configurationPid = ScriptManagerImpl.PID)
@Designate(ocd = ScriptManagerImpl.Config.class)
public class ScriptManagerImpl implements ScriptManager, ExecutionLoad, DeviceDirectory.Listener, TraceService {
    static final String PID = "org.scriptbox.manager";
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);

    /** For the metatype only: the values are read by {@link ManagerSettings#read}, which refuses bad ones. */
    @ObjectClassDefinition(name = "scriptbox script manager", description = "Bounds on script executions and per-script logs")
    public @interface Config {
        @AttributeDefinition(description = "Executions that may run at the same time", min = "1")
        int max_concurrent() default 10;

        @AttributeDefinition(description = "Scheduled executions that may wait for a free slot; beyond this new ones are refused (BUSY)", min = "0")
        int queue_capacity() default 100;

        @AttributeDefinition(description = "Scheduled executions of one script that may run at the same time (its share)", min = "1")
        int max_concurrent_per_script() default 5;

        @AttributeDefinition(description = "Scheduled executions of one script that may wait (its share of the queue)", min = "0")
        int queue_capacity_per_script() default 20;

        @AttributeDefinition(description = "Slots only operator runs (shell, API) may take; smaller than max.concurrent", min = "0")
        int reserved_operator_slots() default 1;

        @AttributeDefinition(description = "Log lines kept per script for script:logs", min = "1")
        int log_lines() default 200;

        @AttributeDefinition(description = "Statistics are written to disk at most this often (ms), and on stop; 0 writes after every run", min = "0")
        long stats_flush_ms() default 1000;

        @AttributeDefinition(description = "Longest script log line, in characters; longer ones are cut", min = "80")
        int log_max_line_chars() default 2000;

        @AttributeDefinition(description = "Log lines one execution may write to the container log", min = "1")
        int log_max_lines_per_execution() default 1000;

        @AttributeDefinition(description = "Log bytes one execution may write to the container log", min = "1024")
        long log_max_bytes_per_execution() default 128 * 1024;

        @AttributeDefinition(description = "Log lines one script may write per window", min = "1")
        int log_max_lines_per_window() default 2000;

        @AttributeDefinition(description = "Log bytes one script may write per window", min = "1024")
        long log_max_bytes_per_window() default 512 * 1024;

        @AttributeDefinition(description = "The window of the log limits (sliding), ms", min = "1000")
        long log_window_ms() default 60_000;

        @AttributeDefinition(description = "Log lines all scripts together may write per window (1/n each while n log)", min = "1")
        int log_max_lines_per_window_total() default 10_000;

        @AttributeDefinition(description = "Log bytes all scripts together may write per window (1/n each while n log)", min = "1024")
        long log_max_bytes_per_window_total() default 2 * 1024 * 1024;

        @AttributeDefinition(description = "Versions kept per script for script:history, script:diff and script:rollback", min = "1")
        int history_size() default 10;

        @AttributeDefinition(description = "Runs whose trace is kept per script (script:trace), in memory and on disk", min = "1")
        int trace_runs() default 20;

        @AttributeDefinition(description = "Events one run's trace holds (host calls, denials, log lines); more are counted", min = "10")
        int trace_max_events() default 100;

        @AttributeDefinition(description = "Characters of text one run's trace holds; more events are counted", min = "1024")
        int trace_max_chars() default 8192;
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

    /** Where a rollback writes the version back to (the deployer's folder); absent without a deployer. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ScriptFolder folder;

    private final Map<String, ScriptEntry> entries = new ConcurrentHashMap<>();
    /** One per name ever deployed: serialises the deploys of that name only. */
    private final Map<String, Object> deployLocks = new ConcurrentHashMap<>();
    /** Guards changes to the entries and the device set; events are fired after it is released. */
    private final Object lock = new Object();
    // created before activation: devices and listeners are bound before activate() is called
    private final Resolution resolution = new Resolution(entries);
    private final Listeners listeners = new Listeners();
    private StatsStore stats;
    private TraceStore traces;
    private volatile ManagerSettings settings = ManagerSettings.DEFAULTS;
    private VersionHistory history;
    private DisabledScripts disabled;
    /** Created on activation, when the engine reference is there. */
    private volatile Executions executions;
    /** Activity listeners bound so far, also those bound before activation (SCR binds them first). */
    private final java.util.List<org.scriptbox.api.ScriptActivityListener> pendingActivity = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean active;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        start(context.getDataFile("stats").toPath(), properties);
    }

    /** Everything activation does besides finding the data area; tests call it with a temporary folder. */
    void start(Path statsFolder, Map<String, ?> properties) {
        settings = ManagerSettings.read(properties, ManagerSettings.DEFAULTS, LOG::error);
        stats = new StatsStore(statsFolder, settings.statsFlushMs());
        // beside the statistics, each in a folder of its own: no script name can collide with them
        history = new VersionHistory(statsFolder.resolveSibling("history"), settings.historySize());
        disabled = new DisabledScripts(statsFolder.resolveSibling("disabled"));
        // the optional services are read at each execution: they may come and go while scripts run
        traces = new TraceStore(statsFolder.resolveSibling("traces"), settings.statsFlushMs(), settings.trace().runs());
        executions = new Executions(entries, engine, stats, () -> monitor, () -> limitPolicy, () -> permissions, settings,
                traces);
        pendingActivity.forEach(executions.activity()::add);
        active = true;
        LOG.info("script manager ready: engine {}, {}", engine.version(), describe(settings.capacity()));
    }

    /** New bounds apply at once; executions already admitted finish under the old ones. A bad value keeps its old one. */
    @Modified
    void modified(Map<String, Object> properties) {
        settings = ManagerSettings.read(properties, settings, LOG::error);
        executions.reconfigure(settings);
        history.keep(settings.historySize());
        LOG.info("script manager: {}", describe(settings.capacity()));
    }

    private static String describe(ExecutionCapacity c) {
        return "at most " + c.maxConcurrent() + " concurrent executions (" + c.operatorReserve() + " kept for operators, "
                + c.scriptConcurrent() + " per script), " + c.queueCapacity() + " queued (" + c.scriptQueue() + " per script)";
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (ScriptEntry e : entries.values()) {
            e.cancelRuns("the script manager is stopping");
        }
        executions.shutdown();
        stats.close();
        traces.close();
        for (ScriptEntry e : entries.values()) {
            stats.save(e.name, e.state().stats());
        }
    }

    // ---- references that change what is resolved ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPermissions(PermissionService service) {
        permissions = service;
        reresolve(null);
    }

    void unbindPermissions(PermissionService service) {
        if (permissions == service) {
            permissions = null;
            reresolve(null);
        }
    }

    /**
     * The devices bundle's directory tells which device ids are present (its one id rule), only after it holds
     * them: a script resolved here can always reach its devices there.
     */
    @Override
    public void devicesChanged(Set<String> present) {
        Set<String> naming;
        synchronized (lock) {
            naming = resolution.devicesPresent(present);
        }
        reresolve(naming);
    }

    /** Whiteboard listeners hear about every script that is already runnable, then about changes. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindListener(ScriptListener listener) {
        listeners.add(listener, entries.values());
    }

    /** Whiteboard: every log line and finished execution (since api 1.6). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindActivityListener(org.scriptbox.api.ScriptActivityListener listener) {
        pendingActivity.add(listener);
        Executions ex = executions;
        if (ex != null) {
            ex.activity().add(listener);
        }
    }

    void unbindActivityListener(org.scriptbox.api.ScriptActivityListener listener) {
        pendingActivity.remove(listener);
        Executions ex = executions;
        if (ex != null) {
            ex.activity().remove(listener);
        }
    }

    void unbindListener(ScriptListener listener) {
        listeners.remove(listener);
    }

    // ---- traces ----

    @Override
    public List<RunTrace> runs(String scriptName) {
        return traces == null ? List.of() : traces.runs(scriptName);
    }

    @Override
    public Optional<RunTrace> run(String scriptName, String id) {
        return traces == null ? Optional.empty() : traces.run(scriptName, id);
    }

    // ---- lifecycle ----

    /**
     * Deploys of one name run one after the other (so versions go live and into the history in the order
     * they were deployed); deploys of different names run side by side, meeting only for the short swap
     * under the manager's lock.
     */
    @Override
    public ScriptInfo deploy(ScriptDefinition definition, boolean force) {
        synchronized (deployLocks.computeIfAbsent(definition.name(), n -> new Object())) {
            return deployInOrder(definition, force);
        }
    }

    private ScriptInfo deployInOrder(ScriptDefinition definition, boolean force) {
        String name = definition.name();
        List<Dependency> deps;
        SemVer version;
        try {
            deps = StaticChecks.check(definition, engine);
            version = SemVer.parse(definition.metadata().version());
        } catch (ScriptException e) {
            throw failed(name, definition, e);
        }
        ScriptEntry existing = entries.get(name);
        ScriptVersion current = existing == null ? null : existing.live();
        if (current != null) {
            refuseDowngrade(name, definition, version, current, force);
            if (!force && definition.equals(current.definition())) {
                // the live content again (a file touched, or a broken edit reverted): keep it running,
                // but an error about the abandoned attempt no longer applies
                ScriptState before = existing.state();
                existing.update(s -> s.lastError() != null && s.lastError().kind() != ErrorKind.DEPENDENCY
                        ? s.withLastError(null) : s);
                if (before.lastError() != null && before.lastError().kind() != ErrorKind.DEPENDENCY) {
                    LOG.info("script '{}' is back to its live version {}", name, current.version());
                }
                return existing.info();
            }
        }
        // the slow part of a deploy (compiling) runs outside the lock: deploys of other scripts go on meanwhile
        CompiledScript compiled;
        try {
            compiled = engine.compile(name + ".lua", definition.source());
        } catch (ScriptException e) {
            throw failed(name, definition, e);
        }
        ScriptVersion next = new ScriptVersion(definition, compiled, version, deps, Instant.now());
        List<ScriptEvent> events = new ArrayList<>();
        ScriptEntry entry;
        ScriptVersion replaced;
        String conflict = null;
        synchronized (lock) {
            entry = entries.computeIfAbsent(name, n -> newEntry(n));
            ScriptState was = entry.state();
            // == current: deploys of this name are serialised, so nothing else replaced it while this one compiled
            replaced = was.live();
            if (replaced != null && !Origins.sameSource(replaced.definition().origin(), definition.origin())) {
                // the latest deploy wins (as before), but never silently: each source may believe it owns the name
                conflict = Instant.now() + ": two sources deploy '" + name + "': version " + version + " from "
                        + definition.origin() + " replaced version " + replaced.version() + " from "
                        + replaced.definition().origin() + " (the latest deploy wins)";
            }
            String newConflict = conflict;
            // the new version goes live together with its verdict, in one atomic update of the script's state;
            // only this script and its dependants are re-examined
            resolution.resolve(Set.of(), events, permissions != null, Map.of(name, s -> s.withLive(next, newConflict)));
            // executions of the replaced version stop: nothing of an old version keeps acting after a reload.
            // After the swap: a run registering meanwhile either is seen here or sees the new version itself
            // (Executions.execute) and does not start.
            entry.cancelRunsOtherThan(next, "replaced by version " + version);
            if (was.runnable() && entry.state().runnable()) {
                events.add(new ScriptEvent(ScriptEvent.Type.UPDATED, entry.info()));
            }
        }
        if (conflict != null) {
            LOG.warn("script '{}': {}", name, SafeText.line(conflict.substring(conflict.indexOf(": ") + 2)));
        }
        // kept outside the lock: history files of one script never hold up the deploys of others
        history.record(name, version.toString(), next.deployedAt(), definition.origin(), definition.source(),
                codec.format(definition.metadata()));
        ScriptState now = entry.state();
        LOG.info("script '{}' {} version {} from {}: {}", name, replaced != null ? "updated to" : "deployed",
                version, SafeText.line(definition.origin()), now.resolved() ? "ready" : "UNRESOLVED, waiting for " + now.waitingFor());
        listeners.fire(events);
        return entry.info();
    }

    private void refuseDowngrade(String name, ScriptDefinition definition, SemVer version, ScriptVersion live, boolean force) {
        if (!force && version.compareTo(live.version()) < 0) {
            throw failed(name, definition, new ScriptException(ScriptError.of(ErrorKind.REFUSED, "version " + version
                    + " is lower than the deployed " + live.version() + "; deploy with force to downgrade")));
        }
    }

    private ScriptEntry newEntry(String name) {
        return new ScriptEntry(name, stats.load(name), disabled.isDisabled(name));
    }

    /** Keeps the error on the script (live version untouched), tells listeners and hands it back to throw. */
    private ScriptException failed(String name, ScriptDefinition attempted, ScriptException e) {
        recordFailure(name, attempted == null ? null : attempted.metadata(), e.error());
        return e;
    }

    private void recordFailure(String name, ScriptMetadata attempted, ScriptError error) {
        if (!ScriptNames.isValid(name)) {
            LOG.error("script '{}' refused: {}", SafeText.line(name), SafeText.line(String.valueOf(error)));
            return;
        }
        ScriptEvent event = null;
        synchronized (lock) {
            ScriptEntry entry = entries.computeIfAbsent(name, n -> newEntry(n));
            ScriptState s = entry.update(st -> st.withFailure(attempted, error));
            if (s.isLive()) {
                event = new ScriptEvent(ScriptEvent.Type.UPDATE_FAILED, entry.info());
            }
        }
        LOG.error("script '{}' not {}: {}", name, event != null ? "updated, the previous version stays live" : "deployed",
                SafeText.line(String.valueOf(error)));
        if (event != null) {
            listeners.fire(List.of(event));
        }
    }

    @Override
    public void reportError(String name, String origin, ScriptError error) {
        recordFailure(name, null, error);
    }

    @Override
    public List<ScriptError> validate(ScriptDefinition definition) {
        try {
            StaticChecks.check(definition, engine);
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
            removed = entries.remove(name);
            if (removed == null) {
                return false;
            }
            removed.cancelRuns("script undeployed");
            events.add(new ScriptEvent(ScriptEvent.Type.UNDEPLOYED, removed.info()));
            resolution.forget(name);
            resolution.resolve(Set.of(name), events, permissions != null);   // its dependants
        }
        executions.undeployed(removed);
        LOG.info("script '{}' undeployed{}", name, removed.running.isEmpty() ? "" : ", its running executions cancelled");
        listeners.fire(events);
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
        ScriptVersion live = e == null ? null : e.live();
        return live == null ? Optional.empty() : Optional.of(live.definition());
    }

    // ---- resolution ----

    /** @param scripts the scripts a change may affect (with their dependants); {@code null}: those requesting permissions */
    private void reresolve(Set<String> scripts) {
        if (!active) {
            return;
        }
        List<ScriptEvent> events = new ArrayList<>();
        synchronized (lock) {
            resolution.resolve(scripts != null ? scripts : resolution.permissionUsers(), events, permissions != null);
        }
        listeners.fire(events);
    }

    // ---- execution ----

    @Override
    public Promise<ExecutionResult> execute(String name, List<Object> args) {
        return executions.execute(name, args, ExecutionTrigger.OPERATOR);
    }

    @Override
    public Promise<ExecutionResult> execute(String name, List<Object> args, ExecutionTrigger trigger) {
        return executions.execute(name, args, trigger == null ? ExecutionTrigger.SCHEDULE : trigger);
    }

    @Override
    public Promise<ExecutionResult> executeDetached(String name, org.scriptbox.api.engine.CompiledScript chunk,
                                                    List<Object> args, List<org.scriptbox.api.engine.ScriptLibrary> libraries,
                                                    org.scriptbox.api.engine.ScriptLog log,
                                                    org.scriptbox.api.engine.Cancellation cancellation) {
        return executions.executeDetached(name, chunk, args, libraries, log, cancellation);
    }

    @Override
    public int cancel(String name) {
        return executions.cancel(name);
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
        ScriptState s = e == null ? null : e.state();
        if (s == null || s.live() == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no deployed script named '" + name + "'"));
        }
        return Transfer.export(codec, s.live().definition(), withStats ? s.stats() : null, targetFolder);
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        Transfer.Imported imported = Transfer.read(codec, luaFile);
        ScriptInfo info = deploy(imported.definition(), force);
        if (imported.stats() != null) {
            ScriptEntry e = entries.get(info.name());
            if (e != null) {
                e.update(st -> st.withStats(imported.stats()));
                stats.save(e.name, imported.stats());
                info = e.info();
            }
        }
        return info;
    }

    // ---- versions ----

    @Override
    public List<ScriptRevision> history(String name) {
        if (!ScriptNames.isValid(name)) {
            return List.of();
        }
        ScriptEntry e = entries.get(name);
        ScriptVersion live = e == null ? null : e.live();
        String liveDigest = live == null ? null : VersionHistory.digest(live.definition().source(), codec.format(live.metadata()));
        List<ScriptRevision> out = new ArrayList<>();
        boolean liveFound = false;
        for (VersionHistory.Kept v : history.list(name)) {
            // the newest kept version with the live content is the live one
            boolean isLive = !liveFound && live != null && v.digest().equals(liveDigest);
            liveFound |= isLive;
            out.add(new ScriptRevision(v.number(), v.version(), v.deployedAt(), v.origin(), isLive));
        }
        return out;
    }

    @Override
    public Optional<ScriptDefinition> revision(String name, int number) {
        if (!ScriptNames.isValid(name)) {
            return Optional.empty();
        }
        return history.get(name, number).map(v -> definitionOf(name, v));
    }

    private ScriptDefinition definitionOf(String name, VersionHistory.Stored v) {
        return new ScriptDefinition(codec.parse(v.metadataToml(), name + " #" + v.number() + ".toml", name, new ArrayList<>()),
                v.source(), v.origin());
    }

    @Override
    public ScriptInfo rollback(String name, String revision) {
        List<ScriptRevision> kept = history(name);
        if (kept.isEmpty()) {
            throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no kept versions of a script named '" + name + "'"));
        }
        ScriptRevision target = pick(name, kept, revision);
        ScriptEntry e = entries.get(name);
        ScriptVersion live = e == null ? null : e.live();
        if (live != null && live.definition().origin().startsWith("bundle:")) {
            throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "script '" + name + "' comes from "
                    + live.definition().origin() + "; roll back by deploying the older bundle"));
        }
        ScriptFolder f = folder;
        if (f == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.REFUSED,
                    "no deploy folder to write the version to (the deployer is not running); nothing changed"));
        }
        VersionHistory.Stored stored = history.get(name, target.number()).orElseThrow(() -> new ScriptException(
                ScriptError.of(ErrorKind.NOT_FOUND, "version #" + target.number() + " of '" + name + "' is no longer kept")));
        // through the deployer's folder: it is the source of truth, and it deploys what it wrote or puts the files back
        ScriptInfo info = f.install(definitionOf(name, stored), true);
        LOG.info("script '{}': rolled back to #{} (version {}), written to {}", name, target.number(), target.version(), info.origin());
        return info;
    }

    /** The revision a rollback goes to: a number, a semantic version (its newest), or the one before the live one. */
    private static ScriptRevision pick(String name, List<ScriptRevision> kept, String revision) {
        if (revision == null || revision.isBlank()) {
            for (int i = 0; i < kept.size(); i++) {
                if (kept.get(i).live()) {
                    if (i + 1 < kept.size()) {
                        return kept.get(i + 1);
                    }
                    throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "script '" + name
                            + "' has no kept version before the live one"));
                }
            }
            return kept.get(0); // nothing kept is live (e.g. undeployed): the newest
        }
        String r = revision.trim().startsWith("#") ? revision.trim().substring(1) : revision.trim();
        for (ScriptRevision k : kept) {
            if (r.matches("\\d{1,9}") ? k.number() == Integer.parseInt(r) : k.version().equals(r)) {
                return k;
            }
        }
        throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "script '" + name + "' has no kept version "
                + revision.trim() + " (script:history " + name + " lists them)"));
    }

    @Override
    public ScriptInfo setEnabled(String name, boolean enabled) {
        ScriptEntry entry = name == null ? null : entries.get(name);
        if (entry == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no deployed script named '" + name + "'"));
        }
        List<ScriptEvent> events = new ArrayList<>();
        synchronized (lock) {
            if (entry.state().disabled() == !enabled) {
                return entry.info();
            }
            // saved first: a setting that would not survive a restart is refused, not pretended
            disabled.set(name, !enabled);
            resolution.resolve(Set.of(), events, permissions != null,
                    Map.of(name, s -> s.withDisabled(!enabled)));
        }
        LOG.info("script '{}' {} by the operator", name, enabled ? "enabled" : "disabled");
        listeners.fire(events);
        return entry.info();
    }

    /** Statistics files written since activation (tests, benchmark). */
    long statsWrites() {
        return stats.writes();
    }

    @Override
    public int activeExecutions() {
        Executions x = executions;
        return x == null ? 0 : x.active();
    }

    @Override
    public int queuedExecutions() {
        Executions x = executions;
        return x == null ? 0 : x.queued();
    }
}
