package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.security.Permission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's device API as Lua globals. Every call goes: arguments checked, device resolved, permission
 * checked (per device), token taken from the script's bucket, driver called, answer awaited with a bound.
 * {@code device_emergency_stop} skips permission and bucket and reaches every device.
 * <p>
 * Each device function takes an optional trailing device id; without it the configured default device
 * is used (or the only device, when there is exactly one).
 */
@Component(service = ScriptLibrary.class, configurationPid = DeviceApi.PID)
@Designate(ocd = DeviceApi.Config.class)
public class DeviceApi implements ScriptLibrary {
    static final String PID = "org.scriptbox.devices";
    private static final Logger LOG = LoggerFactory.getLogger(DeviceApi.class);

    static final int MAX_CHANNELS = 10;
    static final double MAX_SLEEP_SECONDS = 10.0;

    @ObjectClassDefinition(name = "scriptbox device API")
    public @interface Config {
        @AttributeDefinition(description = "Device used when a script passes no device id; empty: the only device")
        String default_device() default "";

        @AttributeDefinition(description = "How long a call waits for a driver's answer before it fails, in ms")
        long command_timeout_ms() default 2000;
    }

    record Settings(String defaultDevice, long timeoutMillis) {
    }

    private final DeviceRegistry devices;
    private final DevicePolicy policy;
    private final String defaultDevice;
    private final long timeoutNanos;
    private final Map<String, ScriptFunction> functions;
    /** A script retrying a denied call in a loop must not flood the log; every denial is still counted. */
    private final OncePerInterval denialLog = new OncePerInterval(TimeUnit.MINUTES.toNanos(1));

    @Activate
    public DeviceApi(@Reference DeviceRegistry devices, @Reference DevicePolicy policy, Config config) {
        this(devices, policy, new Settings(config.default_device(), config.command_timeout_ms()));
    }

    DeviceApi(DeviceRegistry devices, DevicePolicy policy, Settings settings) {
        this.devices = devices;
        this.policy = policy;
        this.defaultDevice = settings.defaultDevice() == null ? "" : settings.defaultDevice().trim();
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, settings.timeoutMillis()));
        Map<String, ScriptFunction> f = new LinkedHashMap<>();
        f.put("device_set_motor_speed", this::setMotorSpeed);
        f.put("device_set_digital_output", this::setDigitalOutput);
        f.put("device_emergency_stop", this::emergencyStop);
        f.put("device_get_status", this::getStatus);
        f.put("device_list", this::list);
        f.put("telemetry_read", this::readTelemetry);
        f.put("sleep", this::sleep);
        f.put("log_info", (scope, args) -> log(scope, "log_info", "INFO", args));
        f.put("log_warn", (scope, args) -> log(scope, "log_warn", "WARN", args));
        f.put("log_error", (scope, args) -> log(scope, "log_error", "ERROR", args));
        this.functions = Map.copyOf(f);
    }

    @Override
    public String name() {
        return "devices";
    }

    @Override
    public Map<String, ScriptFunction> functions() {
        return functions;
    }

    Object setMotorSpeed(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_set_motor_speed", raw).atMost(3);
        int motor = args.integer(0, "motor_id", 0, 255);
        double speed = args.number(1, "speed", -100.0, 100.0);
        Device device = resolve(args, args.optionalString(2, "device_id"));
        int motors = device.info().motors();
        if (motor >= motors) {
            throw args.bad(0, "motor_id", "device '" + device.id() + "' has " + motors + " motor"
                    + (motors == 1 ? "" : "s") + (motors > 0 ? " (0.." + (motors - 1) + ")" : "") + ", got " + motor);
        }
        authorize(scope, args, Permission.DEVICE_CONTROL, device.id());
        take(scope, args, policy.limits().commandCost());
        Replies.await(args, device.id(), device.setMotorSpeed(motor, speed, context(scope)), timeoutNanos, scope);
        return Boolean.TRUE;
    }

    Object setDigitalOutput(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_set_digital_output", raw).atMost(3);
        int pin = args.integer(0, "pin", 0, 255);
        boolean state = args.bool(1, "state");
        Device device = resolve(args, args.optionalString(2, "device_id"));
        int outputs = device.info().digitalOutputs();
        if (pin >= outputs) {
            throw args.bad(0, "pin", "device '" + device.id() + "' has " + outputs + " digital output"
                    + (outputs == 1 ? "" : "s") + (outputs > 0 ? " (0.." + (outputs - 1) + ")" : "") + ", got " + pin);
        }
        authorize(scope, args, Permission.DEVICE_WRITE, device.id());
        take(scope, args, policy.limits().commandCost());
        Replies.await(args, device.id(), device.setDigitalOutput(pin, state, context(scope)), timeoutNanos, scope);
        return Boolean.TRUE;
    }

    /** Always allowed: no permission, no token. Without an id it reaches every device, failures collected. */
    Object emergencyStop(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_emergency_stop", raw).atMost(1);
        String id = args.optionalString(0, "device_id");
        List<Device> targets = new ArrayList<>();
        if (id != null) {
            targets.add(resolve(args, id));
        } else {
            targets.addAll(devices.all());
        }
        // Send to all first, then wait: one slow device must not delay the stop of the others.
        Map<Device, Promise<StopReport>> sent = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Device d : targets) {
            try {
                sent.put(d, d.emergencyStop());
            } catch (RuntimeException e) {
                failures.add(d.id() + ": " + e.getMessage());
            }
        }
        for (Map.Entry<Device, Promise<StopReport>> e : sent.entrySet()) {
            try {
                StopReport report = Replies.await(args, e.getKey().id(), e.getValue(), timeoutNanos, null);
                if (!report.complete()) {
                    failures.add(e.getKey().id() + ": " + report.failures().size() + " of " + report.results().size()
                            + " targets not stopped");
                }
            } catch (RuntimeException failure) {
                failures.add(failure.getMessage());
            }
        }
        LOG.warn("emergency stop by script '{}' on {} device(s){}", scope.scriptName(), targets.size(),
                failures.isEmpty() ? "" : ", failed: " + failures);
        if (!failures.isEmpty()) {
            throw args.error(ErrorKind.DEVICE, "failed on " + failures.size() + " of " + targets.size()
                    + " device(s): " + String.join("; ", failures));
        }
        return Boolean.TRUE;
    }

    Object getStatus(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_get_status", raw).atMost(1);
        Device device = resolve(args, args.optionalString(0, "device_id"));
        authorize(scope, args, Permission.DEVICE_READ, device.id());
        take(scope, args, policy.limits().readCost());
        DeviceStatus status = Replies.await(args, device.id(), device.status(), timeoutNanos, scope);
        DeviceInfo info = status.info() != null ? status.info() : device.info();
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("device_id", device.id());
        table.put("connected", status.connected());
        table.put("device_type", info.type());
        table.put("firmware_version", info.firmwareVersion());
        table.put("motors", info.motors());
        table.put("digital_outputs", info.digitalOutputs());
        table.put("telemetry_channels", info.telemetryChannels());
        table.put("details", new LinkedHashMap<>(status.details()));
        return table;
    }

    /** The ids of the devices the script may read, sorted. */
    Object list(ExecutionScope scope, Object[] raw) {
        new Args("device_list", raw).atMost(0);
        List<String> visible = new ArrayList<>();
        for (String id : devices.ids()) {
            if (policy.isAllowed(scope.scriptName(), scope.permissions(), Permission.DEVICE_READ.id(), id)) {
                visible.add(id);
            }
        }
        return visible;
    }

    /** Returns channel → value, plus a second table channel → reason for the channels that failed (or nil). */
    Object readTelemetry(ExecutionScope scope, Object[] raw) {
        Args args = new Args("telemetry_read", raw).atMost(2);
        List<String> channels = args.strings(0, "channels", 1, MAX_CHANNELS);
        Device device = resolve(args, args.optionalString(1, "device_id"));
        List<String> known = device.info().telemetryChannels();
        for (String c : channels) {
            if (!known.contains(c)) {
                throw args.bad(0, "channels", "device '" + device.id() + "' has no channel '" + c + "' (channels: "
                        + String.join(", ", known) + ")");
            }
        }
        authorize(scope, args, Permission.TELEMETRY_READ, device.id());
        take(scope, args, policy.limits().readCost());
        Map<String, ChannelValue> read = Replies.await(args, device.id(), device.readTelemetry(channels, context(scope)),
                timeoutNanos, scope);
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Object> errors = new LinkedHashMap<>();
        for (String c : channels) {
            ChannelValue v = read.get(c);
            if (v == null) {
                errors.put(c, "no value");
            } else if (v.ok() && !Double.isFinite(v.value())) {
                // A driver's NaN would poison the script's arithmetic silently: report it as a failed channel.
                errors.put(c, "bad value from the device: " + v.value());
            } else if (v.ok()) {
                values.put(c, v.value());
            } else {
                errors.put(c, v.message() == null ? "read failed" : v.message());
            }
        }
        return new Object[] {values, errors.isEmpty() ? null : errors};
    }

    Object sleep(ExecutionScope scope, Object[] raw) {
        Args args = new Args("sleep", raw).atMost(1);
        double seconds = args.number(0, "seconds", 0.0, MAX_SLEEP_SECONDS);
        scope.sleep((long) (seconds * 1e9));
        return null;
    }

    Object log(ExecutionScope scope, String function, String level, Object[] raw) {
        Args args = new Args(function, raw).atMost(1);
        scope.log().log(level, args.text(0, "message"));
        return null;
    }

    private Device resolve(Args args, String id) {
        if (id != null) {
            Device d = devices.get(id);
            if (d == null) {
                throw args.error(ErrorKind.DEVICE, "device unavailable: no device '" + id + "'" + known());
            }
            return d;
        }
        if (!defaultDevice.isEmpty()) {
            Device d = devices.get(defaultDevice);
            if (d == null) {
                throw args.error(ErrorKind.DEVICE, "device unavailable: default device '" + defaultDevice
                        + "' is not available" + known());
            }
            return d;
        }
        List<Device> all = devices.all();
        if (all.size() == 1) {
            return all.get(0);
        }
        if (all.isEmpty()) {
            throw args.error(ErrorKind.DEVICE, "device unavailable: no device is connected");
        }
        throw args.error(ErrorKind.DEVICE, "several devices (" + String.join(", ", devices.ids())
                + "): pass a device id, or set default.device in " + PID + ".cfg");
    }

    private String known() {
        List<String> ids = devices.ids();
        return ids.isEmpty() ? " (no devices)" : " (devices: " + String.join(", ", ids) + ")";
    }

    /** The caller gives up when its execution is cancelled or the command timeout passes. */
    private CallContext context(ExecutionScope scope) {
        return CallContext.within(timeoutNanos, () -> scope.cancellation().isCancelled());
    }

    private void authorize(ExecutionScope scope, Args args, Permission permission, String deviceId) {
        if (!policy.isAllowed(scope.scriptName(), scope.permissions(), permission.id(), deviceId)) {
            scope.permissionDenied(permission.id());
            String what = scope.scriptName() + "|" + args.function() + "|" + permission.id() + "|" + deviceId;
            if (denialLog.shouldLog(what)) {
                LOG.warn("script '{}': {} denied {} on device '{}' (repeats within a minute are counted, not logged)",
                        scope.scriptName(), args.function(), permission.id(), deviceId);
            }
            throw args.error(ErrorKind.PERMISSION, "permission denied: " + permission.id() + " required on device '"
                    + deviceId + "'");
        }
    }

    private void take(ExecutionScope scope, Args args, double cost) {
        TokenBucket bucket = policy.bucket(scope.scriptName());
        if (!bucket.tryConsume(cost)) {
            throw args.error(ErrorKind.RATE_LIMIT, "rate limit exceeded (" + fmt(bucket.rate()) + " calls/s, burst "
                    + fmt(bucket.burst()) + "); retry later");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
