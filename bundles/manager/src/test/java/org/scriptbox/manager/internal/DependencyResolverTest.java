package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

public class DependencyResolverTest {
    private final Map<String, DependencyResolver.Node> nodes = new HashMap<>();

    private void node(String name, String version, List<String> deps, boolean permissions, List<String> devices) {
        nodes.put(name, new DependencyResolver.Node(name, SemVer.parse(version),
                deps.stream().map(Dependency::parse).toList(), permissions, devices, true));
    }

    private Map<String, DependencyResolver.Verdict> resolve(boolean permissionService, Set<String> devices) {
        return DependencyResolver.resolve(nodes.keySet(), nodes::get, permissionService, devices);
    }

    @Test
    public void devicesAndPermissionServiceAreWaitedFor() {
        node("mover", "1.0.0", List.of(), true, List.of("sim-1", "sim-2"));
        assertEquals(List.of("the permission service", "device sim-1", "device sim-2"),
                resolve(false, Set.of()).get("mover").waitingFor());
        assertEquals(List.of("device sim-2"), resolve(true, Set.of("sim-1")).get("mover").waitingFor());
        assertTrue(resolve(true, Set.of("sim-1", "sim-2")).get("mover").resolved());
    }

    @Test
    public void unresolvedDependencyLeavesItsDependentsWaiting() {
        node("app", "1.0.0", List.of("lib"), false, List.of());
        node("lib", "1.0.0", List.of(), false, List.of("sim-9"));
        DependencyResolver.Verdict app = resolve(true, Set.of()).get("app");
        assertEquals(List.of("script lib (unresolved)"), app.waitingFor());
        assertNull(app.problem());
    }

    @Test
    public void longerCycleIsNamedInOrder() {
        node("a", "1.0.0", List.of("b"), false, List.of());
        node("b", "1.0.0", List.of("c"), false, List.of());
        node("c", "1.0.0", List.of("a"), false, List.of());
        node("d", "1.0.0", List.of("a"), false, List.of());
        Map<String, DependencyResolver.Verdict> v = resolve(true, Set.of());
        // named from wherever the walk entered it, e.g. "a -> b -> c -> a"
        assertTrue(v.get("a").problem(), v.get("a").problem().matches("dependency cycle ([abc]) -> [abc] -> [abc] -> \\1"));
        assertTrue(v.get("d").problem(), v.get("d").problem().startsWith("dependency cycle"));
        assertTrue(v.values().stream().noneMatch(DependencyResolver.Verdict::resolved));
    }

    @Test
    public void diamondResolves() {
        node("top", "1.0.0", List.of("left", "right ^2"), false, List.of());
        node("left", "1.0.0", List.of("base >=1.0.0 <1.5.0"), false, List.of());
        node("right", "2.3.0", List.of("base"), false, List.of());
        node("base", "1.4.9", List.of(), false, List.of());
        assertTrue(resolve(false, Set.of()).values().stream().allMatch(DependencyResolver.Verdict::resolved));
    }

    /** Counts how often the resolver asks about a script: linear work means a bounded number per node and edge. */
    private Map<String, DependencyResolver.Verdict> resolveCounting(java.util.concurrent.atomic.AtomicLong lookups) {
        return DependencyResolver.resolve(nodes.keySet(), n -> {
            lookups.incrementAndGet();
            return nodes.get(n);
        }, true, Set.of("present"));
    }

    @Test
    public void aLatticeIsResolvedWithWorkLinearInItsSize() {
        // each script depends on the two below it: the old resolver's work doubled with every level
        int n = 2_000;
        node("s0", "1.0.0", List.of(), false, List.of("absent"));
        node("s1", "1.0.0", List.of("s0"), false, List.of());
        for (int i = 2; i < n; i++) {
            node("s" + i, "1.0.0", List.of("s" + (i - 1), "s" + (i - 2)), false, List.of());
        }
        java.util.concurrent.atomic.AtomicLong lookups = new java.util.concurrent.atomic.AtomicLong();
        Map<String, DependencyResolver.Verdict> v = resolveCounting(lookups);
        assertEquals(List.of("device absent"), v.get("s0").waitingFor());
        assertEquals(List.of("script s1998 (unresolved)", "script s1997 (unresolved)"), v.get("s1999").waitingFor());
        long edges = 2L * n;
        assertTrue("lookups: " + lookups, lookups.get() <= 2 * (n + edges));
    }

    @Test
    public void aLongChainNeitherOverflowsTheStackNorLosesTheOrder() {
        int n = 100_000;
        node("c0", "1.0.0", List.of(), false, List.of("present"));
        for (int i = 1; i < n; i++) {
            node("c" + i, "1.0.0", List.of("c" + (i - 1)), false, List.of());
        }
        DependencyResolver.Result r = DependencyResolver.analyse(nodes.keySet(), nodes::get, true, Set.of("present"));
        assertTrue(r.verdicts().values().stream().allMatch(DependencyResolver.Verdict::resolved));
        assertEquals(Integer.valueOf(n - 1), r.depth().get("c" + (n - 1)));
        assertEquals(Integer.valueOf(0), r.depth().get("c0"));
    }

    @Test
    public void aLongCycleIsNamedOnceAndItsDependentsWait() {
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            node("r" + i, "1.0.0", List.of("r" + ((i + 1) % n)), false, List.of());
        }
        node("user", "1.0.0", List.of("r5"), false, List.of());
        Map<String, DependencyResolver.Verdict> v = resolve(true, Set.of());
        String cycle = v.get("r0").problem();
        // named in full up to a point, then shortened: the message must stay readable in a log line
        assertEquals("dependency cycle r0 -> r1 -> r2 -> r3 -> r4 -> r5 -> r6 -> r7 -> r8 -> r9 -> ... -> r49999 -> r0"
                + " (50000 scripts)", cycle);
        assertEquals(cycle, v.get("user").problem());
        assertEquals(cycle, v.get("r123").problem());
    }

    @Test
    public void aScriptDependingOnItselfIsACycle() {
        node("self", "1.0.0", List.of("self"), false, List.of());
        assertEquals("dependency cycle self -> self", resolve(true, Set.of()).get("self").problem());
    }
}
