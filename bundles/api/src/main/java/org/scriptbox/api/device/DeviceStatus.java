package org.scriptbox.api.device;

import java.util.Map;

/**
 * A device's current state.
 *
 * @param info    its static description
 * @param health  what the driver knows from its real exchanges with the device
 * @param details further state (motor speeds, outputs...), simple values only
 */
public record DeviceStatus(DeviceInfo info, DeviceHealth health, Map<String, Object> details) {
    public DeviceStatus {
        health = health == null ? DeviceHealth.UNKNOWN : health;
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** Whether the device answered well recently ({@link DeviceHealth#reachable()}), not whether a socket is open. */
    public boolean connected() {
        return health.reachable();
    }
}
