package org.scriptbox.devices.internal;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.scriptbox.api.device.Actuator;

/**
 * Which actuators each running execution has commanded, per device: what goes to the safe state when the
 * execution ends abnormally. An entry lives from the execution's first write to its end. Thread-safe.
 */
final class TouchedActuators {
    private final ConcurrentMap<String, Map<String, Set<Actuator>>> byExecution = new ConcurrentHashMap<>();

    /** Records a write about to be handed to the driver (whatever its outcome: it may reach the device). */
    void touched(String executionId, String deviceId, Actuator actuator) {
        Map<String, Set<Actuator>> devices = byExecution.computeIfAbsent(executionId, k -> new TreeMap<>());
        synchronized (devices) {
            devices.computeIfAbsent(deviceId, k -> new TreeSet<>()).add(actuator);
        }
    }

    /** Forgets the execution and returns what it touched (device id → actuators), empty if nothing. */
    Map<String, Set<Actuator>> remove(String executionId) {
        Map<String, Set<Actuator>> devices = byExecution.remove(executionId);
        if (devices == null) {
            return Map.of();
        }
        synchronized (devices) {
            Map<String, Set<Actuator>> copy = new TreeMap<>();
            devices.forEach((id, set) -> copy.put(id, Collections.unmodifiableSet(new TreeSet<>(set))));   // sorted, for logs
            return copy;
        }
    }

    /**
     * Takes one device out of every running execution's record (it is leaving) and returns the actuators they
     * commanded on it, with the number of executions; the executions keep what they touched elsewhere.
     */
    Taken removeDevice(String deviceId) {
        Set<Actuator> all = new TreeSet<>();
        int executions = 0;
        for (Map<String, Set<Actuator>> devices : byExecution.values()) {
            synchronized (devices) {
                Set<Actuator> set = devices.remove(deviceId);
                if (set != null && !set.isEmpty()) {
                    all.addAll(set);
                    executions++;
                }
            }
        }
        return new Taken(Collections.unmodifiableSet(all), executions);
    }

    /** The actuators of a leaving device and how many running executions had commanded them. */
    record Taken(Set<Actuator> actuators, int executions) {
    }

    /** Executions currently tracked (for tests: nothing may stay behind). */
    int size() {
        return byExecution.size();
    }
}
