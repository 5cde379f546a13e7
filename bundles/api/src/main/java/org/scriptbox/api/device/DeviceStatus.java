package org.scriptbox.api.device;

import java.util.Map;

/**
 * A device's current state.
 *
 * @param info      its static description
 * @param connected whether the driver currently reaches it
 * @param details   further state (motor speeds, outputs...), simple values only
 */
public record DeviceStatus(DeviceInfo info, boolean connected, Map<String, Object> details) {
    public DeviceStatus {
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
