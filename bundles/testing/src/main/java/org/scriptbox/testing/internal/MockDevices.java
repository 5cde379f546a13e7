package org.scriptbox.testing.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.security.Permission;

/**
 * One test case's world: mock devices, the calls the script made to them and the virtual clock. It offers the
 * device API under the real names (library "devices", so {@code on_stop} may call it as it may the real one) and
 * the test's controls (library "testing"). A case's execution gets these two libraries INSTEAD of the registered
 * ones ({@link org.scriptbox.api.engine.ExecutionRequest#libraries()}): nothing here can reach a real device, and a
 * device function this class does not know is simply absent (a nil global), never the real one.
 * <p>
 * One instance per case execution; its calls come from that execution's threads one at a time (a coroutine's
 * thread hands over to the caller), synchronized all the same.
 */
final class MockDevices {
    /** Bounds, so that a test's own loop cannot fill the container's memory through the mocks. */
    static final int MAX_DEVICES = 100;
    static final int MAX_RECORDED_CALLS = 1000;
    static final int MAX_FAULTS = 1000;
    static final double MAX_SLEEP_SECONDS = 10.0;

    private final Map<String, MockDevice> devices = new LinkedHashMap<>();
    private final List<Map<String, Object>> calls = new ArrayList<>();
    private long callCount;
    private final List<Fault> faults = new ArrayList<>();
    /** Virtual nanoseconds: whole numbers, so ten sleeps of 0.2 s are 2 s exactly. */
    private long nanos;

    private record Fault(String function, String message, int[] left) {
    }

    /** The virtual seconds since the case started: what its sleeps added up to. */
    synchronized double now() {
        return nanos / 1e9;
    }

    ScriptLibrary devices() {
        Map<String, ScriptFunction> f = new LinkedHashMap<>();
        f.put("device_set_motor_speed", this::setMotorSpeed);
        f.put("device_set_digital_output", this::setDigitalOutput);
        f.put("device_emergency_stop", this::emergencyStop);
        f.put("device_get_status", this::getStatus);
        f.put("device_list", (scope, raw) -> call("device_list", raw, 0, () -> new ArrayList<>(ids())));
        f.put("telemetry_read", this::readTelemetry);
        f.put("device_read", this::readChannel);
        f.put("device_write", this::writeChannel);
        f.put("sleep", this::sleep);
        f.put("log_info", (scope, raw) -> log(scope, "log_info", "INFO", raw));
        f.put("log_warn", (scope, raw) -> log(scope, "log_warn", "WARN", raw));
        f.put("log_error", (scope, raw) -> log(scope, "log_error", "ERROR", raw));
        return library("devices", f);
    }

    ScriptLibrary controls() {
        Map<String, ScriptFunction> f = new LinkedHashMap<>();
        f.put("mock_device", (scope, raw) -> mockDevice(raw));
        f.put("mock_fail", (scope, raw) -> mockFail(raw));
        f.put("device_calls", (scope, raw) -> deviceCalls(raw));
        f.put("device_call_count", (scope, raw) -> deviceCallCount(raw));
        f.put("motor_speed", (scope, raw) -> motorSpeed(raw));
        f.put("digital_output", (scope, raw) -> digitalOutput(raw));
        f.put("emergency_stopped", (scope, raw) -> emergencyStopped(raw));
        f.put("test_clock", (scope, raw) -> now());
        return library("testing", f);
    }

    private static ScriptLibrary library(String name, Map<String, ScriptFunction> functions) {
        Map<String, ScriptFunction> copy = Map.copyOf(functions);
        return new ScriptLibrary() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, ScriptFunction> functions() {
                return copy;
            }
        };
    }

    // ---- the device API on mock devices ----

    private Object setMotorSpeed(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_set_motor_speed", raw, 3);
        int motor = a.integer(0, "motor_id", 0, 255);
        double speed = a.number(1, "speed", -100, 100);
        return call(a, scope, Permission.DEVICE_CONTROL, 2, d -> {
            if (motor >= d.motors) {
                throw a.bad(0, "motor_id", "device '" + d.id + "' has " + d.motors + " motor" + (d.motors == 1 ? "" : "s")
                        + (d.motors > 0 ? " (0.." + (d.motors - 1) + ")" : "") + ", got " + motor);
            }
            d.speeds[motor] = speed;
            return Boolean.TRUE;
        });
    }

    private Object setDigitalOutput(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_set_digital_output", raw, 3);
        int pin = a.integer(0, "pin", 0, 255);
        boolean state = a.bool(1, "state");
        return call(a, scope, Permission.DEVICE_WRITE, 2, d -> {
            if (pin >= d.outputs.length) {
                throw a.bad(0, "pin", "device '" + d.id + "' has " + d.outputs.length + " digital output"
                        + (d.outputs.length == 1 ? "" : "s") + ", got " + pin);
            }
            d.outputs[pin] = state;
            return Boolean.TRUE;
        });
    }

    /** Always allowed, as the real one: without an id every mock device stops. */
    private Object emergencyStop(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_emergency_stop", raw, 1);
        String id = a.optionalString(0, "device_id");
        synchronized (this) {
            record(a, id);
            fault(a);
            if (id != null && !devices.containsKey(id)) {
                throw a.error(ErrorKind.DEVICE, "device unavailable: no device '" + id + "'" + known());
            }
            for (MockDevice d : id == null ? devices.values() : List.of(devices.get(id))) {
                d.stop();
            }
        }
        return Boolean.TRUE;
    }

    private Object getStatus(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_get_status", raw, 1);
        return call(a, scope, Permission.DEVICE_READ, 0, d -> {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("device_id", d.id);
            t.put("connected", d.connected);
            t.put("device_type", "mock");
            t.put("firmware_version", "test");
            t.put("motors", d.motors);
            t.put("digital_outputs", d.outputs.length);
            t.put("telemetry_channels", new ArrayList<>(d.channelNames()));
            t.put("details", new LinkedHashMap<>());
            return t;
        });
    }

    private Object readTelemetry(ExecutionScope scope, Object[] raw) {
        Args a = new Args("telemetry_read", raw, 2);
        List<String> channels = a.strings(0, "channels", 10);
        return call(a, scope, Permission.TELEMETRY_READ, 1, d -> {
            Map<String, Object> values = new LinkedHashMap<>();
            for (String c : channels) {
                Double v = d.read(c);
                if (v == null) {
                    throw a.bad(0, "channels", "device '" + d.id + "' has no channel '" + c + "' (channels: "
                            + String.join(", ", d.channelNames()) + ")");
                }
                values.put(c, v);
            }
            return new Object[] {values, null};
        });
    }

    private Object readChannel(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_read", raw, 2);
        String channel = a.string(0, "channel");
        return call(a, scope, Permission.DEVICE_READ, 1, d -> {
            Double v = d.read(channel);
            if (v == null) {
                throw a.bad(0, "channel", "device '" + d.id + "' has no channel '" + channel + "' (channels: "
                        + String.join(", ", d.channelNames()) + ")");
            }
            return v;
        });
    }

    private Object writeChannel(ExecutionScope scope, Object[] raw) {
        Args a = new Args("device_write", raw, 3);
        String channel = a.string(0, "channel");
        Object value = a.value(1);
        if (!(value instanceof Double) && !(value instanceof Boolean)) {
            throw a.bad(1, "value", "number or boolean expected, got " + Args.typeName(value));
        }
        return call(a, scope, Permission.DEVICE_WRITE, 2, d -> {
            d.channels.put(channel, value instanceof Boolean b ? (b ? 1.0 : 0.0) : value);
            return Boolean.TRUE;
        });
    }

    /** Virtual: the clock moves on at once; a cancel or the deadline still ends the run (checked at the call). */
    private Object sleep(ExecutionScope scope, Object[] raw) {
        Args a = new Args("sleep", raw, 1);
        double seconds = a.number(0, "seconds", 0.0, MAX_SLEEP_SECONDS);
        synchronized (this) {
            nanos += Math.round(seconds * 1e9);
        }
        return null;
    }

    private Object log(ExecutionScope scope, String function, String level, Object[] raw) {
        Args a = new Args(function, raw, 1);
        Object v = a.value(0);
        scope.log().log(level, v instanceof Double d ? org.scriptbox.api.text.LuaNumbers.format(d) : String.valueOf(v));
        return null;
    }

    /** A device call as the real API makes it: permission, the device (by id, or the only one), a fault, the call. */
    private Object call(Args a, ExecutionScope scope, Permission permission, int idIndex,
                        java.util.function.Function<MockDevice, Object> body) {
        String id = a.optionalString(idIndex, "device_id");
        synchronized (this) {
            record(a, id);
            if (!scope.permissions().contains(permission.id())) {
                scope.permissionDenied(permission.id());
                throw a.error(ErrorKind.PERMISSION, "permission denied: " + permission.id() + " required"
                        + (id != null ? " on device '" + id + "'" : ""));
            }
            MockDevice d = device(a, id);
            fault(a);
            return body.apply(d);
        }
    }

    private synchronized Object call(String function, Object[] raw, int max, java.util.function.Supplier<Object> body) {
        Args a = new Args(function, raw, max);
        record(a, null);
        fault(a);
        return body.get();
    }

    private MockDevice device(Args a, String id) {
        if (id != null) {
            MockDevice d = devices.get(id);
            if (d == null) {
                throw a.error(ErrorKind.DEVICE, "device unavailable: no device '" + id + "'" + known());
            }
            return d;
        }
        if (devices.size() == 1) {
            return devices.values().iterator().next();
        }
        throw a.error(ErrorKind.DEVICE, devices.isEmpty()
                ? "device unavailable: no device is connected (in a test, mock_device(id, spec) adds one)"
                : "several devices" + known() + ": pass a device id");
    }

    private String known() {
        return devices.isEmpty() ? "" : " (devices: " + String.join(", ", devices.keySet()) + ")";
    }

    private void record(Args a, String id) {
        callCount++;
        if (calls.size() < MAX_RECORDED_CALLS) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", a.function());
            c.put("args", new ArrayList<>(Arrays.asList(a.raw())));
            c.put("device", id != null ? id : devices.size() == 1 ? devices.keySet().iterator().next() : null);
            c.put("time", nanos / 1e9);
            calls.add(c);
        }
    }

    /** A fault scripted with mock_fail for this function: the call fails as a device's failure does. */
    private void fault(Args a) {
        for (Fault f : faults) {
            if (f.function().equals(a.function()) && f.left()[0] != 0) {
                if (f.left()[0] > 0) {
                    f.left()[0]--;
                }
                throw a.error(ErrorKind.DEVICE, "device error: " + f.message());
            }
        }
    }

    private synchronized List<String> ids() {
        return new ArrayList<>(devices.keySet());
    }

    // ---- the test's controls ----

    /** {@code mock_device(id [, spec])}: a device with {@code motors}, {@code digital_outputs}, {@code telemetry}. */
    private synchronized Object mockDevice(Object[] raw) {
        Args a = new Args("mock_device", raw, 2);
        String id = a.string(0, "device_id");
        Map<?, ?> spec = a.optionalTable(1, "spec");
        if (!devices.containsKey(id) && devices.size() >= MAX_DEVICES) {
            throw a.error(ErrorKind.RUNTIME, "at most " + MAX_DEVICES + " mock devices");
        }
        devices.put(id, MockDevice.of(a, id, spec == null ? Map.of() : spec));
        return id;
    }

    /** {@code mock_fail(function, message [, times])}: the next calls of a device function fail (times 0: all). */
    private synchronized Object mockFail(Object[] raw) {
        Args a = new Args("mock_fail", raw, 3);
        String function = a.string(0, "function");
        String message = a.string(1, "message");
        int times = a.value(2) == null ? 1 : a.integer(2, "times", 0, 1_000_000);
        if (faults.size() >= MAX_FAULTS) {
            throw a.error(ErrorKind.RUNTIME, "at most " + MAX_FAULTS + " faults");
        }
        faults.add(new Fault(function, message, new int[] {times == 0 ? -1 : times}));
        return null;
    }

    /** {@code device_calls([function])}: every recorded call, or those of one function, oldest first. */
    private synchronized Object deviceCalls(Object[] raw) {
        Args a = new Args("device_calls", raw, 1);
        String function = a.optionalString(0, "function");
        List<Object> out = new ArrayList<>();
        for (Map<String, Object> c : calls) {
            if (function == null || function.equals(c.get("name"))) {
                Map<String, Object> copy = new LinkedHashMap<>(c);
                copy.put("args", new ArrayList<>((List<?>) c.get("args")));
                out.add(copy);
            }
        }
        return out;
    }

    private synchronized Object deviceCallCount(Object[] raw) {
        Args a = new Args("device_call_count", raw, 1);
        String function = a.optionalString(0, "function");
        if (function == null) {
            return callCount;
        }
        return calls.stream().filter(c -> function.equals(c.get("name"))).count();
    }

    private synchronized Object motorSpeed(Object[] raw) {
        Args a = new Args("motor_speed", raw, 2);
        int motor = a.integer(0, "motor_id", 0, 255);
        MockDevice d = device(a, a.optionalString(1, "device_id"));
        if (motor >= d.motors) {
            throw a.bad(0, "motor_id", "device '" + d.id + "' has " + d.motors + " motor(s), got " + motor);
        }
        return d.speeds[motor];
    }

    private synchronized Object digitalOutput(Object[] raw) {
        Args a = new Args("digital_output", raw, 2);
        int pin = a.integer(0, "pin", 0, 255);
        MockDevice d = device(a, a.optionalString(1, "device_id"));
        if (pin >= d.outputs.length) {
            throw a.bad(0, "pin", "device '" + d.id + "' has " + d.outputs.length + " digital output(s), got " + pin);
        }
        return d.outputs[pin];
    }

    private synchronized Object emergencyStopped(Object[] raw) {
        Args a = new Args("emergency_stopped", raw, 1);
        return device(a, a.optionalString(0, "device_id")).stopped;
    }
}
