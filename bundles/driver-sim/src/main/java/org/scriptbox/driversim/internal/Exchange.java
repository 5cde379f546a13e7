package org.scriptbox.driversim.internal;

import org.scriptbox.api.device.DeviceException;

/**
 * What happened to one request on the simulated wire. Immutable.
 *
 * @param value   the answer when the device answered well
 * @param failure the device's error answer, or the reason nothing was sent
 * @param sent    whether the request left for the device
 * @param answers whether an answer comes back (false: a silent device)
 */
record Exchange<T>(T value, DeviceException failure, boolean sent, boolean answers) {
    static <T> Exchange<T> answered(T value) {
        return new Exchange<>(value, null, true, true);
    }

    /** The device answered with an error: still a good exchange for health. */
    static <T> Exchange<T> refused(DeviceException e) {
        return new Exchange<>(null, e, true, true);
    }

    static <T> Exchange<T> unreachable() {
        return new Exchange<>(null, new DeviceException("simulated connection failure"), false, false);
    }

    static <T> Exchange<T> lost() {
        return new Exchange<>(null, null, true, false);
    }
}
