package org.scriptbox.manager.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
 * runnable or stopped being so, as events in the order listeners need them. The decision itself is
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

    Resolution(Map<String, ScriptEntry> entries) {
        this.entries = entries;
    }

    void devicesPresent(Set<String> present) {
        devices = Set.copyOf(present);
    }

    /** Whether each script may run now; taken before a change and handed to {@link #resolveAll}. */
    Map<String, Boolean> resolvedStates() {
        Map<String, Boolean> states = new HashMap<>();
        for (ScriptEntry e : entries.values()) {
            states.put(e.name, e.state().runnable());
        }
        return states;
    }

    /** Re-examines every script and adds DEPLOYED/UNRESOLVED events for the ones that changed. */
    void resolveAll(List<ScriptEvent> events, Map<String, Boolean> before, boolean permissionService) {
        resolveAll(events, before, permissionService, Map.of());
    }

    /**
     * As above, with changes to some scripts' states ({@code pending}, e.g. a new live version) applied in
     * the same atomic update as their new resolution: a new version is never visible without its verdict,
     * so a version that waits for a device cannot be run for a moment as if it did not.
     */
    void resolveAll(List<ScriptEvent> events, Map<String, Boolean> before, boolean permissionService,
                    Map<String, UnaryOperator<ScriptState>> pending) {
        DependencyResolver.Result result = DependencyResolver.analyse(entries.keySet(), n -> {
            ScriptEntry e = entries.get(n);
            if (e == null) {
                return null;
            }
            ScriptVersion live = pending.getOrDefault(n, UnaryOperator.identity()).apply(e.state()).live();
            return live == null ? new DependencyResolver.Node(n, null, List.of(), false, List.of(), false)
                    : new DependencyResolver.Node(n, live.version(), live.dependencies(),
                    !live.metadata().permissions().isEmpty(), live.metadata().devices(), true);
        }, permissionService, devices);
        List<ScriptEvent> deployed = new ArrayList<>();
        List<ScriptEvent> unresolved = new ArrayList<>();
        for (ScriptEntry e : entries.values()) {
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
            boolean was = Boolean.TRUE.equals(before.get(e.name));
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
}
