package org.scriptbox.manager.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every script's resolved state current: which devices are present, and after any change (a
 * deploy, an undeploy, a device or the permission service coming or going) which scripts became
 * runnable or stopped being so, as events in the order listeners need them. Only the part of the graph a
 * change can reach is re-examined (the changed scripts and their dependants, found through indexes kept
 * from the live versions); every other script keeps its last verdict. The decision itself is
 * {@link DependencyResolver}'s (linear in the graph); this class applies its verdicts to the entries.
 *
 * <p>Not thread-safe on its own: every method runs under the manager's lock, which serialises the
 * changes that span several scripts. Each script's own state is still replaced atomically, so readers
 * outside the lock (a run starting) always see one consistent state.
 */
final class Resolution {
    /** The manager's logger, so that operators' log filters and grep patterns keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);

    private final Map<String, ScriptEntry> entries;
    /** Present device ids, as the device directory last told them. */
    private Set<String> devices = Set.of();
    /** Who needs what, from each script's live version: the part of the graph a change can reach. */
    private final Map<String, Set<String>> dependants = new HashMap<>();
    private final Map<String, Set<String>> deviceUsers = new HashMap<>();
    private final Set<String> permissionUsers = new HashSet<>();
    /** The live version each script is indexed under. */
    private final Map<String, ScriptVersion> indexed = new HashMap<>();
    /** Each script's last verdict: what it is taken as while a change elsewhere is resolved. */
    private final Map<String, DependencyResolver.Settled> settled = new HashMap<>();

    Resolution(Map<String, ScriptEntry> entries) {
        this.entries = entries;
    }

    /** @return the scripts naming a device that came or went (to hand to {@link #resolve}) */
    Set<String> devicesPresent(Set<String> present) {
        Set<String> changedIds = new HashSet<>(present);
        changedIds.addAll(devices);
        Set<String> both = new HashSet<>(present);
        both.retainAll(devices);
        changedIds.removeAll(both);
        devices = Set.copyOf(present);
        Set<String> scripts = new HashSet<>();
        for (String id : changedIds) {
            scripts.addAll(deviceUsers.getOrDefault(id, Set.of()));
        }
        return scripts;
    }

    /** The scripts that request permissions: the ones the permission service's coming or going can change. */
    Set<String> permissionUsers() {
        return Set.copyOf(permissionUsers);
    }

    /** A script undeployed: it leaves the indexes; {@link #resolve} of its name then re-examines its dependants. */
    void forget(String name) {
        index(name, null);
        settled.remove(name);
    }

    /**
     * Re-examines the scripts {@code changed} and every script that depends on them, directly or not, and adds
     * DEPLOYED/UNRESOLVED events for the ones that changed. Nothing else can have changed (its dependencies are
     * untouched), so the cost is that part of the graph, not all scripts: 1,000 scripts dropped at once are
     * 1,000 small resolutions, not 1,000 passes over everything.
     */
    void resolve(Set<String> changed, List<ScriptEvent> events, boolean permissionService) {
        resolve(changed, events, permissionService, Map.of());
    }

    /**
     * As above, with changes to some scripts' states ({@code pending}, e.g. a new live version) applied in
     * the same atomic update as their new resolution: a new version is never visible without its verdict,
     * so a version that waits for a device cannot be run for a moment as if it did not.
     */
    void resolve(Set<String> changed, List<ScriptEvent> events, boolean permissionService,
                 Map<String, UnaryOperator<ScriptState>> pending) {
        for (Map.Entry<String, UnaryOperator<ScriptState>> p : pending.entrySet()) {
            ScriptEntry e = entries.get(p.getKey());
            index(p.getKey(), e == null ? null : p.getValue().apply(e.state()).live());
        }
        Set<String> affected = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(changed);
        todo.addAll(pending.keySet());
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (affected.add(n)) {
                todo.addAll(dependants.getOrDefault(n, Set.of()));
            }
        }
        affected.removeIf(n -> !entries.containsKey(n));
        Map<String, Boolean> before = new HashMap<>();
        for (String n : affected) {
            before.put(n, entries.get(n).state().runnable());
        }
        DependencyResolver.Result result = DependencyResolver.analyse(affected, n -> {
            ScriptEntry e = entries.get(n);
            if (e == null) {
                return null;
            }
            ScriptVersion live = pending.getOrDefault(n, UnaryOperator.identity()).apply(e.state()).live();
            return live == null ? new DependencyResolver.Node(n, null, List.of(), false, List.of(), false)
                    : new DependencyResolver.Node(n, live.version(), live.dependencies(),
                    !live.metadata().permissions().isEmpty(), live.metadata().devices(), true);
        }, permissionService, devices, settled::get);
        for (String n : affected) {
            settled.put(n, new DependencyResolver.Settled(result.verdicts().get(n), result.depth().getOrDefault(n, 0)));
        }
        List<ScriptEvent> deployed = new ArrayList<>();
        List<ScriptEvent> unresolved = new ArrayList<>();
        for (String name : affected) {
            ScriptEntry e = entries.get(name);
            UnaryOperator<ScriptState> change = pending.getOrDefault(e.name, UnaryOperator.identity());
            DependencyResolver.Verdict v = result.verdicts().get(e.name);
            ScriptState s = e.update(old -> {
                ScriptState st = change.apply(old);
                return st.live() == null ? st : st.withResolution(v.waitingFor(), v.problem() != null
                        ? ScriptError.of(ErrorKind.DEPENDENCY, v.problem())
                        : st.lastError() != null && st.lastError().kind() == ErrorKind.DEPENDENCY ? null : st.lastError());
            });
            if (s.live() == null) {
                continue;
            }
            boolean was = before.get(e.name);
            if (was != s.runnable()) {
                if (s.runnable()) {
                    LOG.info("script '{}' resolved: ready to run", e.name);
                    deployed.add(new ScriptEvent(ScriptEvent.Type.DEPLOYED, e.info()));
                } else {
                    String why = s.disabled() ? "disabled" : "UNRESOLVED, waiting for " + s.waitingFor();
                    if (s.disabled()) {
                        LOG.info("script '{}' {}", e.name, why);
                    } else {
                        LOG.warn("script '{}' {}", e.name, why);
                    }
                    e.cancelRuns(s.disabled() ? "the script was disabled"
                            : "a requirement went away: " + s.waitingFor());
                    unresolved.add(new ScriptEvent(ScriptEvent.Type.UNRESOLVED, e.info()));
                }
            }
        }
        // listeners hear of a dependency becoming runnable before its dependents, and of dependents
        // going away before what they depend on
        Map<String, Integer> depth = result.depth();
        Comparator<ScriptEvent> byDepth = Comparator.comparingInt(ev -> depth.getOrDefault(ev.script().name(), 0));
        deployed.sort(byDepth.thenComparing(ev -> ev.script().name()));
        unresolved.sort(byDepth.reversed().thenComparing(ev -> ev.script().name()));
        events.addAll(unresolved);
        events.addAll(deployed);
    }

    /** Files a script under what its live version needs ({@code null}: under nothing). */
    private void index(String name, ScriptVersion live) {
        ScriptVersion was = indexed.get(name);
        if (was == live) {
            return;
        }
        if (was != null) {
            for (Dependency d : was.dependencies()) {
                unfile(dependants, d.name(), name);
            }
            for (String device : was.metadata().devices()) {
                unfile(deviceUsers, device, name);
            }
            permissionUsers.remove(name);
            indexed.remove(name);
        }
        if (live != null) {
            indexed.put(name, live);
            for (Dependency d : live.dependencies()) {
                dependants.computeIfAbsent(d.name(), k -> new HashSet<>()).add(name);
            }
            for (String device : live.metadata().devices()) {
                deviceUsers.computeIfAbsent(device, k -> new HashSet<>()).add(name);
            }
            if (!live.metadata().permissions().isEmpty()) {
                permissionUsers.add(name);
            }
        }
    }

    private static void unfile(Map<String, Set<String>> index, String key, String name) {
        Set<String> names = index.get(key);
        if (names != null && names.remove(name) && names.isEmpty()) {
            index.remove(key);
        }
    }
}
