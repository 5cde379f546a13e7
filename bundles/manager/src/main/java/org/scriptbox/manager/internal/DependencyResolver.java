package org.scriptbox.manager.internal;

import java.util.ArrayList;
import java.util.Collection;
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

    private final Function<String, Node> nodes;
    private final boolean permissionServicePresent;
    private final Set<String> presentDevices;
    private final Map<String, Verdict> verdicts = new HashMap<>();
    private final List<String> path = new ArrayList<>();

    private DependencyResolver(Function<String, Node> nodes, boolean permissionServicePresent, Set<String> devices) {
        this.nodes = nodes;
        this.permissionServicePresent = permissionServicePresent;
        this.presentDevices = devices;
    }

    /** Verdicts for every name; {@code nodes} answers {@code null} for a script that is not deployed. */
    static Map<String, Verdict> resolve(Collection<String> names, Function<String, Node> nodes,
                                        boolean permissionServicePresent, Set<String> devices) {
        DependencyResolver r = new DependencyResolver(nodes, permissionServicePresent, devices);
        Map<String, Verdict> out = new HashMap<>();
        for (String name : names) {
            out.put(name, r.verdict(name));
        }
        return out;
    }

    private Verdict verdict(String name) {
        Verdict known = verdicts.get(name);
        if (known != null) {
            return known;
        }
        Node node = nodes.apply(name);
        if (node == null) {
            return new Verdict(List.of("script " + name), null);
        }
        if (!node.compiled()) {
            return remember(name, new Verdict(List.of("a version of " + name + " that compiles"), null));
        }
        if (!node.hasRequirements()) {
            return remember(name, Verdict.RESOLVED);
        }
        int onPath = path.indexOf(name);
        if (onPath >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(onPath, path.size()));
            cycle.add(name);
            return new Verdict(List.of("dependency cycle " + String.join(" -> ", cycle)),
                    "dependency cycle " + String.join(" -> ", cycle));
        }
        path.add(name);
        List<String> waiting = new ArrayList<>();
        String problem = null;
        for (Dependency dep : node.dependencies()) {
            Node target = nodes.apply(dep.name());
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
            Verdict v = verdict(dep.name());
            if (!v.resolved()) {
                if (v.problem() != null && v.problem().startsWith("dependency cycle")) {
                    waiting.add(v.problem());
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
        path.remove(path.size() - 1);
        return remember(name, waiting.isEmpty() ? Verdict.RESOLVED : new Verdict(List.copyOf(waiting), problem));
    }

    private Verdict remember(String name, Verdict v) {
        // verdicts found while a cycle is open depend on the path and are not cached
        if (path.isEmpty() || v.resolved()) {
            verdicts.put(name, v);
        }
        return v;
    }
}
