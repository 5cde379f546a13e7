package org.scriptbox.api.device;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.util.promise.Promise;

/**
 * One device, served by a driver bundle. Register it as a service with the properties
 * {@link #DEVICE_ID} and {@link #DEVICE_TYPE}. Commands are asynchronous; a promise fails with
 * {@link DeviceException} when the device cannot be reached. Telemetry failures are reported per
 * channel in {@link ChannelValue}, so one bad channel never spoils a batch.
 * Implementations must be thread-safe and must not block the calling thread for I/O.
 */
@ConsumerType
public interface Device {
    /** Service property: the device's unique id (String). */
    String DEVICE_ID = "device.id";
    /** Service property: the device's type, e.g. {@code simulator}, {@code modbus-tcp} (String). */
    String DEVICE_TYPE = "device.type";

    String id();

    /** Static description: type, firmware, capabilities. */
    DeviceInfo info();

    /** Current state; fails with {@link DeviceException} only if the status cannot be had at all. */
    Promise<DeviceStatus> status();

    /** @param speed -100.0 .. 100.0 percent; the caller has validated it */
    Promise<Void> setMotorSpeed(int motorId, double speed);

    Promise<Void> setDigitalOutput(int pin, boolean state);

    /** Stops every motor and clears outputs. Must be attempted even when the device seems disconnected. */
    Promise<Void> emergencyStop();

    /** Reads channels; each value carries its own status. */
    Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels);
}
