package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;

/** A device whose answers the test chooses: at once, never (a driver gone silent), failed, or by hand. */
final class FakeDevice implements Device {
    enum Mode { AT_ONCE, NEVER, FAIL, BY_HAND, FAIL_WITH }

    final DeviceInfo info;
    final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    volatile Mode mode = Mode.AT_ONCE;
    /** What {@link Mode#FAIL_WITH} fails with. */
    volatile Throwable failure;
    volatile CallContext lastContext;
    final List<Deferred<?>> pending = Collections.synchronizedList(new ArrayList<>());

    FakeDevice(String id) {
        this.info = new DeviceInfo(id, "fake", "1.2.3", 2, 8, List.of("temperature", "voltage", "broken"));
    }

    static FakeDevice register(DeviceRegistry registry, String id) {
        FakeDevice d = new FakeDevice(id);
        registry.addDevice(d, Map.of(Device.DEVICE_ID, id, Device.DEVICE_TYPE, "fake"));
        return d;
    }

    void unregister(DeviceRegistry registry) {
        registry.removeDevice(this, Map.of(Device.DEVICE_ID, info.id(), Device.DEVICE_TYPE, "fake"));
    }

    @Override
    public String id() {
        return info.id();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    private <T> Promise<T> answer(String command, T value) {
        commands.add(command);
        switch (mode) {
            case NEVER:
                return new Deferred<T>().getPromise();
            case FAIL:
                return Promises.failed(new DeviceException("link lost"));
            case FAIL_WITH:
                return Promises.failed(failure);
            case BY_HAND:
                Deferred<T> d = new Deferred<>();
                pending.add(d);
                return d.getPromise();
            default:
                return Promises.resolved(value);
        }
    }

    /** Fails every pending answer, as a driver does when it stops. */
    void stopDriver() {
        synchronized (pending) {
            for (Deferred<?> d : pending) {
                d.fail(DeviceException.stopped(org.scriptbox.api.device.WriteOutcome.UNKNOWN));
            }
            pending.clear();
        }
    }

    @Override
    public Promise<DeviceStatus> status() {
        return answer("status", new DeviceStatus(info, DeviceHealth.good(java.time.Instant.now(), java.time.Duration.ZERO), Map.of("motor0.speed", 0.0)));
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        lastContext = ctx;
        return answer("motor " + motorId + " " + speed, null);
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        lastContext = ctx;
        return answer("output " + pin + " " + state, null);
    }

    @Override
    public Promise<StopReport> emergencyStop() {
        return answer("estop", new StopReport(info.id(), List.of()));
    }

    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        return answer("safe " + touched, new StopReport(info.id(), List.of()));
    }

    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
        Map<String, ChannelValue> values = new LinkedHashMap<>();
        for (String c : channels) {
            values.put(c, c.equals("broken") ? ChannelValue.failed("sensor open circuit") : ChannelValue.of(21.5));
        }
        lastContext = ctx;
        return answer("telemetry " + channels, values);
    }
}
