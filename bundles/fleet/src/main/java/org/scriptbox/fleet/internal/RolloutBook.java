package org.scriptbox.fleet.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's rollouts in memory, indexed by group and by gateway, so that a birth looks only at the
 * rollouts of the gateway's groups (and of the groups it has results in), never at all of them (FINDINGS Q33).
 * Which of a group's rollouts to forget is decided here ({@link #prunable}): every unfinished one is kept, and
 * the newest {@code keep} finished ones. Written by the groups' lanes (each group's by its own), read by any
 * thread: the maps are concurrent, the rollouts immutable.
 */
final class RolloutBook {
    private final Map<String, Rollout> byId = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> idsByGroup = new ConcurrentHashMap<>();
    /** Per gateway, the groups in whose kept rollouts it has a result (a gateway that left a group may be owed a rollback there). */
    private final Map<String, Set<String>> groupsByGateway = new ConcurrentHashMap<>();

    /** A rollout that needs nothing more of the controller's lane (a gateway away may still be owed a rollback at its birth). */
    static boolean finished(Rollout r) {
        return r.state() == Rollout.State.COMPLETED || r.state() == Rollout.State.HALTED || r.state() == Rollout.State.ROLLED_BACK;
    }

    Rollout get(String id) {
        return byId.get(id);
    }

    Collection<Rollout> all() {
        return byId.values();
    }

    int size() {
        return byId.size();
    }

    /** Adds or replaces (same id) a rollout. */
    void put(Rollout r) {
        Rollout was = byId.put(r.id(), r);
        if (was == null) {
            idsByGroup.computeIfAbsent(r.group(), k -> ConcurrentHashMap.newKeySet()).add(r.id());
        }
        if (was == null || was.results().size() != r.results().size()) {   // results are only ever added to
            for (String g : r.results().keySet()) {
                groupsByGateway.compute(g, (k, set) -> {   // atomic per gateway: another group's lane may remove at once
                    Set<String> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                    s.add(r.group());
                    return s;
                });
            }
        }
    }

    /** The group's rollouts, oldest first. */
    List<Rollout> ofGroup(String group) {
        List<Rollout> list = new ArrayList<>();
        for (String id : idsByGroup.getOrDefault(group, Set.of())) {
            Rollout r = byId.get(id);
            if (r != null) {
                list.add(r);
            }
        }
        list.sort(Rollout.ORDER);   // not by start time alone: a clock step made an old one newest (Q56)
        return list;
    }

    /** The highest {@link Rollout#seq} held (0: none). */
    long maxSeq() {
        return byId.values().stream().mapToLong(Rollout::seq).max().orElse(0);
    }

    boolean hasGroup(String group) {
        return !idsByGroup.getOrDefault(group, Set.of()).isEmpty();
    }

    /** The groups in whose kept rollouts the gateway has a result. */
    Set<String> groupsOf(String gateway) {
        return Set.copyOf(groupsByGateway.getOrDefault(gateway, Set.of()));
    }

    /** The group's finished rollouts beyond the newest {@code keep} finished ones, oldest first. */
    List<Rollout> prunable(String group, int keep) {
        List<Rollout> finished = ofGroup(group).stream().filter(RolloutBook::finished).toList();
        return finished.subList(0, Math.max(0, finished.size() - Math.max(1, keep)));
    }

    /** Forgets a rollout and the index entries only it held. */
    void remove(Rollout r) {
        if (byId.remove(r.id()) == null) {
            return;
        }
        Set<String> ids = idsByGroup.get(r.group());
        if (ids != null) {
            ids.remove(r.id());
            if (ids.isEmpty()) {
                idsByGroup.remove(r.group());
            }
        }
        List<Rollout> left = ofGroup(r.group());
        for (String g : r.results().keySet()) {
            if (left.stream().noneMatch(x -> x.results().containsKey(g))) {
                groupsByGateway.computeIfPresent(g, (k, set) -> {
                    set.remove(r.group());
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
