package org.scriptbox.api.device;

import java.util.List;

/**
 * The result of an emergency stop or a safe state on one device, per target: one failure never hides
 * the others.
 *
 * @param deviceId the device
 * @param results  one entry per actuator tried, in order
 */
public record StopReport(String deviceId, List<ActuatorResult> results) {
    public StopReport {
        results = results == null ? List.of() : List.copyOf(results);
    }

    /** Whether every target acknowledged (true for a device without actuators). */
    public boolean complete() {
        return results.stream().allMatch(ActuatorResult::ok);
    }

    /** The targets that did not acknowledge. */
    public List<ActuatorResult> failures() {
        return results.stream().filter(r -> !r.ok()).toList();
    }
}
