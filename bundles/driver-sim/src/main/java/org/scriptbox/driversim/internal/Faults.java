package org.scriptbox.driversim.internal;

import java.util.Set;

import org.scriptbox.api.device.Actuator;
import org.scriptbox.driversim.internal.SimulatedDevice.BadValue;
import org.scriptbox.driversim.internal.SimulatedDevice.ConnectionIssue;

/**
 * The faults a simulated device shows right now (they can change while it runs). Immutable.
 *
 * @param connect     {@code FAIL}: the device cannot be reached, nothing is sent
 * @param delayMillis every answer comes this late (a slow device: the request reaches it at once)
 * @param silent      requests are lost and never answered: writes end "outcome unknown"
 * @param refused     actuators whose writes the device refuses (a device error), stops included
 * @param badChannel  this telemetry channel reads badly
 * @param badValue    how it reads badly
 */
record Faults(ConnectionIssue connect, long delayMillis, boolean silent, Set<Actuator> refused, String badChannel,
              BadValue badValue) {
    static final Faults NONE = new Faults(ConnectionIssue.NONE, 0, false, Set.of(), "", BadValue.FAIL);

    Faults {
        connect = connect == null ? ConnectionIssue.NONE : connect;
        delayMillis = Math.max(0, delayMillis);
        refused = refused == null ? Set.of() : Set.copyOf(refused);
        badChannel = badChannel == null ? "" : badChannel;
        badValue = badValue == null ? BadValue.FAIL : badValue;
    }

    boolean unreachable() {
        return connect == ConnectionIssue.FAIL;
    }

    Faults withConnect(ConnectionIssue c) {
        return new Faults(c, delayMillis, silent, refused, badChannel, badValue);
    }

    Faults withDelay(long millis) {
        return new Faults(connect, millis, silent, refused, badChannel, badValue);
    }

    Faults withSilent(boolean s) {
        return new Faults(connect, delayMillis, s, refused, badChannel, badValue);
    }

    Faults withRefused(Set<Actuator> r) {
        return new Faults(connect, delayMillis, silent, r, badChannel, badValue);
    }

    @Override
    public String toString() {
        return "connect=" + connect + ", delay=" + delayMillis + " ms, silent=" + silent + ", refused="
                + (refused.isEmpty() ? "none" : new java.util.TreeSet<>(refused)) + ", bad channel="
                + (badChannel.isEmpty() ? "none" : badChannel + " (" + badValue + ")");
    }
}
