package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.List;

/**
 * What a controller knows of one gateway, from its retained state and status (immutable).
 *
 * @param packageVersion the package version in place (0: none), with {@code packageState} from its ledger
 * @param problem        why the health is degraded (the first script that cannot run or whose last run failed), or ""
 */
public record GatewayView(String id, boolean online, List<String> groups, String health, long packageVersion,
                          String packageState, int scripts, Instant seen, String problem) {
    public GatewayView {
        groups = groups == null ? List.of() : List.copyOf(groups);
        health = health == null ? "?" : health;
        packageState = packageState == null ? "" : packageState;
        problem = problem == null ? "" : problem;
    }

    static GatewayView unknown(String id) {
        return new GatewayView(id, false, List.of(), "?", 0, "", 0, Instant.EPOCH, "");
    }

    GatewayView withState(boolean online, List<String> groups) {
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health,
                packageVersion, packageState, scripts, Instant.now(), problem);
    }

    GatewayView withStatus(List<String> groups, String health, long packageVersion, String packageState, int scripts,
                           String problem) {
        // as withState: a status without groups (not one a gateway sends) leaves them, not the gateway out of its rollouts
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health, packageVersion,
                packageState, scripts, Instant.now(), problem);
    }

    boolean degraded() {
        return "degraded".equals(health);
    }
}
