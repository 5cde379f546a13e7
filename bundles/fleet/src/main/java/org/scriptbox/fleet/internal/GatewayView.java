package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a controller knows of one gateway, from its retained state and status (immutable).
 *
 * @param packages per group, the package in place there (versions are per group: a gateway in line1 and building-b
 *                 has one of each); a gateway of before per-group versions reports one package, taken for each of
 *                 its groups
 * @param problem  why the health is degraded (the first script that cannot run or whose last run failed), or ""
 */
public record GatewayView(String id, boolean online, List<String> groups, String health, Map<String, Installed> packages,
                          int scripts, Instant seen, String problem) {
    /** A group's package in place on the gateway: its version and the state its ledger gives it. */
    public record Installed(long version, String state) {
        public Installed {
            state = state == null ? "" : state;
        }
    }

    public GatewayView {
        groups = groups == null ? List.of() : List.copyOf(groups);
        health = health == null ? "?" : health;
        packages = packages == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(packages));
        problem = problem == null ? "" : problem;
    }

    static GatewayView unknown(String id) {
        return new GatewayView(id, false, List.of(), "?", Map.of(), 0, Instant.EPOCH, "");
    }

    /** The version of {@code group}'s package in place (0: none). */
    public long packageVersion(String group) {
        Installed i = packages.get(group);
        return i == null ? 0 : i.version();
    }

    /** The state of {@code group}'s package in place ("" for none). */
    public String packageState(String group) {
        Installed i = packages.get(group);
        return i == null ? "" : i.state();
    }

    GatewayView withState(boolean online, List<String> groups) {
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health,
                packages, scripts, Instant.now(), problem);
    }

    GatewayView withStatus(List<String> groups, String health, Map<String, Installed> packages, int scripts, String problem) {
        // as withState: a status without groups (not one a gateway sends) leaves them, not the gateway out of its rollouts
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health, packages,
                scripts, Instant.now(), problem);
    }

    boolean degraded() {
        return "degraded".equals(health);
    }

    /** Its last status could not be read (over the controller's limit): a rollout stage counts it failed. */
    boolean healthUnknown() {
        return ControllerLink.UNKNOWN.equals(health);
    }
}
