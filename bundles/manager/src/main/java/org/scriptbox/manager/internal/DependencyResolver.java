package org.scriptbox.manager.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which scripts may run, the way the OSGi resolver decides for bundles: a script is resolved
 * when it compiled, every dependency is deployed in a version its range accepts and is itself resolved,
 * the devices it names are present, and — if it requests permissions — a permission service is there to
 * grant them. Anything else leaves it waiting, with the reasons spelled out; cycles and version
 * mismatches are also reported as problems, since they will not fix themselves by waiting.
 *
 * <p>Linear in the size of the graph (scripts plus dependency edges) and free of recursion, so neither
 * a lattice nor a chain of thousands of scripts can slow a deploy down or overflow the stack: one pass
 * of Tarjan's algorithm (with an explicit stack) finds the cycles and yields every script after the
 * scripts it depends on, so each verdict is made once from its dependencies' verdicts.
 */
final class DependencyResolver {

    /** What the resolver needs to know about one script. */
    record Node(String name, SemVer version, List<Dependency> dependencies, boolean needsPermissions,
                List<String> devices, boolean compiled) {
        boolean hasRequirements() {
            return !dependencies.isEmpty() || needsPermissions || !devices.isEmpty();
        }
    }

    /**
     * @param waitingFor what the script waits for; empty when resolved
     * @param problem    a cycle or version mismatch to report, or {@code null}
     */
    record Verdict(List<String> waitingFor, String problem) {
        static final Verdict RESOLVED = new Verdict(List.of(), null);

        boolean resolved() {
            return waitingFor.isEmpty();
        }
    }

    /**
     * @param verdicts one per name asked about
     * @param depth    length of the longest dependency chain below each script (0 for none; a cycle counts once)
     */
    record Result(Map<String, Verdict> verdicts, Map<String, Integer> depth) {
    }

    /** A script outside the part being re-resolved: its last verdict and depth stand (nothing below it changed). */
    record Settled(Verdict verdict, int depth) {
    }

    private static final String CYCLE = "dependency cycle ";
    /** Longer cycles are shortened in the message. */
    private static final int MAX_NAMED = 20;

    private DependencyResolver() {
    }

    /** Verdicts for every name; {@code nodes} answers {@code null} for a script that is not deployed. */
    static Map<String, Verdict> resolve(Collection<String> names, Function<String, Node> nodes,
                                        boolean permissionServicePresent, Set<String> devices) {
        return analyse(names, nodes, permissionServicePresent, devices).verdicts();
    }

    static Result analyse(Collection<String> names, Function<String, Node> nodes,
                          boolean permissionServicePresent, Set<String> devices) {
        return analyse(names, nodes, permissionServicePresent, devices, null);
    }

    /**
     * Verdicts for {@code names} only, when every script they depend on outside {@code names} is {@code settled}
     * (its verdict cannot have changed: it depends on nothing that did). Linear in the part re-resolved, not in
     * all scripts: {@code names} must hold every dependant of what changed, so a cycle is either wholly inside
     * or wholly outside it.
     *
     * @param settled the standing verdict of a script outside {@code names}, {@code null} for none; {@code null}
     *                itself to follow dependencies into the graph instead (everything re-resolved)
     */
    static Result analyse(Collection<String> names, Function<String, Node> nodes, boolean permissionServicePresent,
                          Set<String> devices, Function<String, Settled> settled) {
        Graph g = Graph.of(names, nodes, settled != null);
        int n = g.nodes.size();
        Verdict[] verdicts = new Verdict[n];
        int[] depth = new int[n];
        for (int[] component : g.componentsDependenciesFirst()) {
            String cycle = g.cycleText(component);
            for (int i : component) {
                depth[i] = 0;
                for (int t : g.edges[i]) {
                    if (g.component[t] != g.component[i]) {
                        depth[i] = Math.max(depth[i], depth[t] + 1);
                    }
                }
                if (settled != null) {
                    for (Dependency dep : g.nodes.get(i).dependencies()) {
                        Settled s = g.index.containsKey(dep.name()) ? null : settled.apply(dep.name());
                        if (s != null) {
                            depth[i] = Math.max(depth[i], s.depth() + 1);
                        }
                    }
                }
            }
            for (int i : component) {
                verdicts[i] = verdict(g, i, verdicts, cycle, permissionServicePresent, devices, nodes, settled);
            }
        }
        Map<String, Verdict> out = new HashMap<>();
        Map<String, Integer> depths = new HashMap<>();
        for (String name : names) {
            Integer i = g.index.get(name);
            out.put(name, i == null ? new Verdict(List.of("script " + name), null) : verdicts[i]);
            depths.put(name, i == null ? 0 : depth[i]);
        }
        return new Result(out, depths);
    }

    /** One script's verdict, from the verdicts of what it depends on (already made, unless in its own cycle). */
    private static Verdict verdict(Graph g, int i, Verdict[] verdicts, String cycle, boolean permissionServicePresent,
                                   Set<String> presentDevices, Function<String, Node> nodes,
                                   Function<String, Settled> settled) {
        Node node = g.nodes.get(i);
        if (!node.compiled()) {
            return new Verdict(List.of("a version of " + node.name() + " that compiles"), null);
        }
        if (!node.hasRequirements()) {
            return Verdict.RESOLVED;
        }
        List<String> waiting = new ArrayList<>();
        String problem = cycle;
        if (cycle != null) {
            waiting.add(cycle);
        }
        for (Dependency dep : node.dependencies()) {
            Integer t = g.index.get(dep.name());
            Node target = t != null ? g.nodes.get(t) : settled == null ? null : nodes.apply(dep.name());
            if (target == null) {
                waiting.add("script " + dep);
                continue;
            }
            if (target.version() != null && !dep.range().includes(target.version())) {
                String msg = "dependency " + dep + " is not satisfied by the deployed version " + target.version();
                waiting.add(msg);
                problem = problem == null ? msg : problem;
                continue;
            }
            if (t != null && g.component[t] == g.component[i]) {
                continue; // inside this script's own cycle: already named above
            }
            Verdict v = t != null ? verdicts[t] : settledVerdict(target, settled.apply(dep.name()));
            if (!v.resolved()) {
                if (v.problem() != null && v.problem().startsWith(CYCLE)) {
                    if (!v.problem().equals(cycle)) {
                        waiting.add(v.problem());
                    }
                    problem = problem == null ? v.problem() : problem;
                } else {
                    waiting.add("script " + dep.name() + " (unresolved)");
                }
            }
        }
        if (node.needsPermissions() && !permissionServicePresent) {
            waiting.add("the permission service");
        }
        for (String device : node.devices()) {
            if (!presentDevices.contains(device)) {
                waiting.add("device " + device);
            }
        }
        return waiting.isEmpty() ? Verdict.RESOLVED : new Verdict(List.copyOf(waiting), problem);
    }

    /** A settled script's standing verdict; one never resolved yet waits for a version that compiles. */
    private static Verdict settledVerdict(Node target, Settled s) {
        if (s != null) {
            return s.verdict();
        }
        return target.compiled() ? Verdict.RESOLVED : new Verdict(List.of("a version of " + target.name() + " that compiles"), null);
    }

    /** The deployed scripts reachable from the names asked about, with their dependency edges by index. */
    private static final class Graph {
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();
        int[][] edges;
        /** Strongly connected component of each node. */
        int[] component;

        /** @param only just {@code names}: dependencies outside them are settled and looked up, not walked */
        static Graph of(Collection<String> names, Function<String, Node> lookup, boolean only) {
            Graph g = new Graph();
            ArrayDeque<String> todo = new ArrayDeque<>(names);
            while (!todo.isEmpty()) {
                String name = todo.poll();
                if (g.index.containsKey(name)) {
                    continue;
                }
                Node node = lookup.apply(name);
                if (node == null) {
                    continue;
                }
                g.index.put(name, g.nodes.size());
                g.nodes.add(node);
                if (node.compiled() && !only) {
                    for (Dependency d : node.dependencies()) {
                        todo.add(d.name());
                    }
                }
            }
            g.edges = new int[g.nodes.size()][];
            for (int i = 0; i < g.nodes.size(); i++) {
                Node node = g.nodes.get(i);
                g.edges[i] = !node.compiled() ? new int[0] : node.dependencies().stream()
                        .map(d -> g.index.get(d.name())).filter(t -> t != null).mapToInt(Integer::intValue).toArray();
            }
            return g;
        }

        /**
         * Tarjan's strongly connected components with an explicit stack. Tarjan completes a component only
         * after every component it reaches, so the list comes out dependencies first.
         */
        List<int[]> componentsDependenciesFirst() {
            int n = nodes.size();
            int[] order = new int[n];
            int[] low = new int[n];
            int[] nextEdge = new int[n];
            boolean[] onStack = new boolean[n];
            Arrays.fill(order, -1);
            component = new int[n];
            int[] stack = new int[n];
            int sp = 0;
            int[] call = new int[n];
            int counter = 0;
            List<int[]> out = new ArrayList<>();
            for (int root = 0; root < n; root++) {
                if (order[root] >= 0) {
                    continue;
                }
                int depth = 0;
                call[depth++] = root;
                order[root] = low[root] = counter++;
                stack[sp++] = root;
                onStack[root] = true;
                while (depth > 0) {
                    int v = call[depth - 1];
                    if (nextEdge[v] < edges[v].length) {
                        int w = edges[v][nextEdge[v]++];
                        if (order[w] < 0) {
                            order[w] = low[w] = counter++;
                            stack[sp++] = w;
                            onStack[w] = true;
                            call[depth++] = w;
                        } else if (onStack[w]) {
                            low[v] = Math.min(low[v], order[w]);
                        }
                        continue;
                    }
                    depth--;
                    if (depth > 0) {
                        int parent = call[depth - 1];
                        low[parent] = Math.min(low[parent], low[v]);
                    }
                    if (low[v] == order[v]) {
                        int start = sp;
                        do {
                            start--;
                        } while (stack[start] != v);
                        int[] members = Arrays.copyOfRange(stack, start, sp);
                        for (int m : members) {
                            onStack[m] = false;
                            component[m] = out.size();
                        }
                        sp = start;
                        out.add(members);
                    }
                }
            }
            return out;
        }

        /** "dependency cycle a -> b -> a" for a component that is a cycle, else {@code null}. */
        String cycleText(int[] members) {
            int first = members[0];
            for (int m : members) {
                if (nodes.get(m).name().compareTo(nodes.get(first).name()) < 0) {
                    first = m;
                }
            }
            boolean selfLoop = false;
            for (int t : edges[first]) {
                selfLoop |= t == first;
            }
            if (members.length == 1 && !selfLoop) {
                return null;
            }
            // the shortest way round from the alphabetically first member, by a breadth-first walk inside the component
            Map<Integer, Integer> cameFrom = new HashMap<>();
            ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(first));
            int last = -1;
            while (!todo.isEmpty() && last < 0) {
                int v = todo.poll();
                for (int t : edges[v]) {
                    if (component[t] != component[first]) {
                        continue;
                    }
                    if (t == first) {
                        last = v;
                        break;
                    }
                    if (!cameFrom.containsKey(t)) {
                        cameFrom.put(t, v);
                        todo.add(t);
                    }
                }
            }
            List<String> backwards = new ArrayList<>();
            backwards.add(nodes.get(first).name());
            for (int v = last; v != first; v = cameFrom.get(v)) {
                backwards.add(nodes.get(v).name());
            }
            backwards.add(nodes.get(first).name());
            Collections.reverse(backwards);
            int size = backwards.size() - 1;
            if (size > MAX_NAMED) {
                // a readable log line: the first names, then the way back
                List<String> shown = new ArrayList<>(backwards.subList(0, MAX_NAMED / 2));
                shown.add("...");
                shown.addAll(backwards.subList(size - 1, size + 1));
                return CYCLE + String.join(" -> ", shown) + " (" + size + " scripts)";
            }
            return CYCLE + String.join(" -> ", backwards);
        }
    }
}
