package org.scriptbox.api.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A script package for a fleet: what a signature covers. A gateway applies it all or nothing.
 *
 * @param fleet       the fleet it is for; a gateway of another fleet refuses it
 * @param group       the group it is for; a gateway outside that group refuses it
 * @param version     the package version: per fleet, each gateway accepts only versions above the last it
 *                    applied (no replay, no downgrade)
 * @param scripts     the scripts, each deployed through the gateway's deploy folder
 * @param healthCheck a script of the package the controller runs after the deploy to judge its health, or null
 * @param createdAt   when it was signed
 */
public record FleetPackage(String fleet, String group, long version, List<PackageScript> scripts, String healthCheck,
                           Instant createdAt) {
    public FleetPackage {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(createdAt, "createdAt");
        scripts = scripts == null ? List.of() : List.copyOf(scripts);
    }
}
