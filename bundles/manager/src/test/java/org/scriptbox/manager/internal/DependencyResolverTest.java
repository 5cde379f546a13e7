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
}
