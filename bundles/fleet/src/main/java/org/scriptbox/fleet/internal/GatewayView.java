package org.scriptbox.fleet.internal;

import java.time.Instant;
import java.util.List;

/**
 * What a controller knows of one gateway, from its retained state and status (immutable).
 *
 * @param packageVersion the package version in place (0: none), with {@code packageState} from its ledger
 */
public record GatewayView(String id, boolean online, List<String> groups, String health, long packageVersion,
                          String packageState, int scripts, Instant seen) {
    public GatewayView {
        groups = groups == null ? List.of() : List.copyOf(groups);
        health = health == null ? "?" : health;
        packageState = packageState == null ? "" : packageState;
    }

    static GatewayView unknown(String id) {
        return new GatewayView(id, false, List.of(), "?", 0, "", 0, Instant.EPOCH);
    }

    GatewayView withState(boolean online, List<String> groups) {
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health,
                packageVersion, packageState, scripts, Instant.now());
    }

    GatewayView withStatus(List<String> groups, String health, long packageVersion, String packageState, int scripts) {
        // as withState: a status without groups (not one a gateway sends) leaves them, not the gateway out of its rollouts
        return new GatewayView(id, online, groups == null || groups.isEmpty() ? this.groups : groups, health, packageVersion,
                packageState, scripts, Instant.now());
    }
}
