package org.scriptbox.api.device;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;

/**
 * One device, served by a driver bundle. Register it as a service with the properties
 * {@link #DEVICE_ID} and {@link #DEVICE_TYPE}. Commands are asynchronous; implementations must be
 * thread-safe and must not block the calling thread for I/O.
 * <p>
 * Ordinary commands carry a {@link CallContext}: a request whose caller gave up before it is sent is
 * withdrawn ({@link WriteOutcome#NOT_SENT}); a write is never resent; a write that was sent and not
 * answered fails with {@link WriteOutcome#UNKNOWN}. Failures are {@link DeviceException}s. Telemetry failures
 * are reported per channel in {@link ChannelValue}, so one bad channel never spoils a batch.
 * <p>
 * {@link #emergencyStop()} and {@link #applySafeState} have their own priority lane per device.
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

    /** Current state and health; fails with {@link DeviceException} only if the status cannot be had at all. */
    Promise<DeviceStatus> status();

    /** @param speed -100.0 .. 100.0 percent; the caller has validated it */
    Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx);

    Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx);

    /** Reads channels; each value carries its own status. Reads may be retried within the caller's deadline. */
    Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx);

    /**
     * Every channel, by name, in {@link DeviceInfo#telemetryChannels()} order: which are booleans and which
     * can be written. The default: every telemetry channel, a read-only number.
     * @since 2.3
     */
    default Map<String, ChannelInfo> channels() {
        return info().telemetryChannels().stream().collect(Collectors.toMap(n -> n, ChannelInfo::readOnly,
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    /**
     * Writes one writable channel ({@link #channels()}): a boolean as 1 or 0, a number within the channel's
     * range (the caller has checked both). The same guarantees as every write: sent at most once, withdrawn
     * if the caller gave up before it left, {@link WriteOutcome#UNKNOWN} if sent and not answered, abandoned
     * by an {@link #emergencyStop()}. The default: refused, not sent (the device has no writable channels).
     * @since 2.3
     */
    default Promise<Void> writeChannel(String channel, double value, CallContext ctx) {
        return Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.REFUSED,
                "not sent: channel '" + channel + "' cannot be written"));
    }

    /**
     * Stops every motor, clears every output and puts every writable channel into its configured safe value
     * (since 2.4; a channel configured to be left alone is not written). Contract: its own priority lane per
     * device, never queued behind ordinary commands; ordinary commands still waiting for the device are
     * abandoned ({@link WriteOutcome#NOT_SENT}); every target is tried independently and reported per target;
     * a broken link is reconnected for the stop; it is attempted even when the device seems disconnected.
     * The promise resolves with the report (it fails only if the driver cannot even try).
     */
    Promise<StopReport> emergencyStop();

    /**
     * Puts the given actuators into the device's configured {@link SafeState} (configuration {@code safe.state},
     * default {@link SafeState#STOP}); a {@link Actuator.Kind#CHANNEL} into the channel's own configured safe
     * value (since 2.4); actuators left alone, or that the device does not have, are not written and not reported.
     * Same priority lane as the stop; ordinary commands waiting are not abandoned.
     */
    Promise<StopReport> applySafeState(Set<Actuator> touched);

    /**
     * The operator's reset of a latched e-stop (a device configured to latch refuses ordinary writes after an
     * e-stop, NOT_SENT, until this; see {@link StopCoalescer#latching}). Moves nothing.
     * @return whether the device was latched; the default: it never latches
     * @since 2.4
     */
    default boolean resetEmergencyStop() {
        return false;
    }
}
