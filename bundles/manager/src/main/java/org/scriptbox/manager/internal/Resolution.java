package org.scriptbox.manager.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every script's resolved state current: which devices are present, and after any change (a
 * deploy, an undeploy, a device or the permission service coming or going) which scripts became
 * runnable or stopped being so, as events in the order listeners need them. The decision itself is
 * {@link DependencyResolver}'s; this class applies its verdicts to the entries.
 *
 * <p>Not thread-safe on its own: every method runs under the manager's lock, which also guards the
 * entries' fields.
 */
final class Resolution {
    /** The manager's logger, so that operators' log filters and grep patterns keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);

    private final Map<String, ScriptEntry> entries;
    /** Present device ids, each counted by the services that carry it (two may share an id). */
    private final Map<String, Integer> devices = new HashMap<>();

    Resolution(Map<String, ScriptEntry> entries) {
        this.entries = entries;
    }

    void deviceAdded(String id) {
        devices.merge(id, 1, Integer::sum);
    }

    void deviceRemoved(String id) {
        devices.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** Whether each script is runnable now; taken before a change and handed to {@link #resolveAll}. */
    Map<String, Boolean> resolvedStates() {
        Map<String, Boolean> states = new HashMap<>();
        for (ScriptEntry e : entries.values()) {
            states.put(e.name, e.resolved());
        }
        return states;
    }

    /** Re-examines every script and adds DEPLOYED/UNRESOLVED events for the ones that changed. */
    void resolveAll(List<ScriptEvent> events, Map<String, Boolean> before, boolean permissionService) {
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
}
