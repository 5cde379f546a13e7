package org.scriptbox.devices.internal;

import org.scriptbox.api.text.OncePerInterval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelInfo;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.security.Permission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's device API as Lua globals. Every call goes: arguments checked, permission checked (per device,
 * before anything about the device is revealed), token taken from the script's bucket, cancellation checked,
 * driver called, answer awaited with a bound. {@code device_emergency_stop} skips permission and bucket and
 * reaches every device; writes are tracked per execution for the safe state after an abnormal end.
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
    /** Stops of one device repeated within this time after the last one finished join it (no write between). */
    static final long STOP_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

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
    private final EmergencyStops stops = new EmergencyStops(STOP_WINDOW_NANOS, System::nanoTime);
    private final SafeStates safeStates;
    /** Registered with the device registry while this component lives: a device leaving gets its safe state. */
    private final java.util.function.BiConsumer<String, Device> leavingHook = (id, device) -> safeStates().leaving(id, device);
    /** A script retrying a denied call in a loop must not flood the log; every denial is still counted. */
    private final OncePerInterval denialLog = new OncePerInterval(TimeUnit.MINUTES.toNanos(1));
    private final java.util.concurrent.atomic.AtomicLong denialLines = new java.util.concurrent.atomic.AtomicLong();
    /** A script's e-stop line at most every 10 s; the lines held back meanwhile are counted in the next one. */
    private final HeldLines stopLog = new HeldLines(TimeUnit.SECONDS.toNanos(10));
    private final AtomicLong stopLines = new AtomicLong();

    /**
     * For the metatype only, {@link Config}: the raw properties are read through ConfigReader. A change restarts
     * this component, so a refused value takes its default (with one line), never SCR's silent 0 or stack trace.
     */
    @Activate
    public DeviceApi(@Reference DeviceRegistry devices, @Reference DevicePolicy policy, Map<String, Object> properties) {
        this(devices, policy, settings(properties));
    }

    private static Settings settings(Map<String, Object> properties) {
        ConfigReader r = new ConfigReader(PID, properties);
        long timeout = r.longBetween("command.timeout.ms", 1, 600_000, 2000, 2000);
        r.refusals().forEach(LOG::error);
        Object device = properties.get("default.device");
        return new Settings(device == null ? "" : String.valueOf(device), timeout);
    }

    DeviceApi(DeviceRegistry devices, DevicePolicy policy, Settings settings) {
        this.devices = devices;
        this.policy = policy;
        this.defaultDevice = settings.defaultDevice() == null ? "" : settings.defaultDevice().trim();
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, settings.timeoutMillis()));
        this.safeStates = new SafeStates(devices, stops, timeoutNanos);
        devices.onLeaving(leavingHook);
        Map<String, ScriptFunction> f = new LinkedHashMap<>();
        f.put("device_set_motor_speed", this::setMotorSpeed);
        f.put("device_set_digital_output", this::setDigitalOutput);
        f.put("device_emergency_stop", this::emergencyStop);
        f.put("device_get_status", this::getStatus);
        f.put("device_list", this::list);
        f.put("telemetry_read", this::readTelemetry);
        f.put("device_read", this::readChannel);
        f.put("device_write", this::writeChannel);
        f.put("sleep", this::sleep);
        f.put("log_info", (scope, args) -> log(scope, "log_info", "INFO", args));
        f.put("log_warn", (scope, args) -> log(scope, "log_warn", "WARN", args));
        f.put("log_error", (scope, args) -> log(scope, "log_error", "ERROR", args));
        this.functions = Map.copyOf(f);
    }

    private SafeStates safeStates() {
        return safeStates;
    }

    @Deactivate
    void deactivate() {
        devices.removeLeaving(leavingHook);
    }

    /** Denial lines written to the log so far (tests: a script inventing ids must not flood it). */
    long denialLinesLogged() {
        return denialLines.get();
    }

    /** Executions with actuators being tracked for their safe state (tests: nothing stays behind). */
    int safeStatesTracked() {
        return safeStates.tracked();
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
        Device device = authorized(scope, args, Permission.DEVICE_CONTROL, args.optionalString(2, "device_id"));
        int motors = device.info().motors();
        if (motor >= motors) {
            throw args.bad(0, "motor_id", "device '" + device.id() + "' has " + motors + " motor"
                    + (motors == 1 ? "" : "s") + (motors > 0 ? " (0.." + (motors - 1) + ")" : "") + ", got " + motor);
        }
        take(scope, args, policy.limits().commandCost());
        write(scope, args, device, Actuator.motor(motor), ctx -> device.setMotorSpeed(motor, speed, ctx));
        return Boolean.TRUE;
    }

    Object setDigitalOutput(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_set_digital_output", raw).atMost(3);
        int pin = args.integer(0, "pin", 0, 255);
        boolean state = args.bool(1, "state");
        Device device = authorized(scope, args, Permission.DEVICE_WRITE, args.optionalString(2, "device_id"));
        int outputs = device.info().digitalOutputs();
        if (pin >= outputs) {
            throw args.bad(0, "pin", "device '" + device.id() + "' has " + outputs + " digital output"
                    + (outputs == 1 ? "" : "s") + (outputs > 0 ? " (0.." + (outputs - 1) + ")" : "") + ", got " + pin);
        }
        take(scope, args, policy.limits().commandCost());
        write(scope, args, device, Actuator.output(pin), ctx -> device.setDigitalOutput(pin, state, ctx));
        return Boolean.TRUE;
    }

    /**
     * Hands a write to the driver: refused if the execution was cancelled by now (nothing issued after a
     * cancel reaches a driver), recorded as touched (for the safe state) before it is handed over.
     */
    private void write(ExecutionScope scope, Args args, Device device, Actuator target,
                       Function<CallContext, Promise<Void>> send) {
        if (scope.cancellation().isCancelled()) {
            throw args.error(ErrorKind.CANCELLED, "cancelled: no command is sent after a cancel");
        }
        if (target != null) {
            safeStates.touched(scope, device.id(), target);
        }
        stops.wrote(device.id());
        Replies.GaveUp gaveUp = new Replies.GaveUp();
        Promise<Void> answer = send.apply(context(scope, gaveUp));
        Replies.await(args, device.id(), Replies.Kind.WRITE, answer, timeoutNanos, scope, gaveUp);
    }

    /**
     * Always allowed: no permission, no token, no execution capacity beyond the running script. Without an
     * id it reaches every device. Repeats coalesce ({@link EmergencyStops}, and in the driver). Waits for the
     * reports of the devices the script may read and raises a DEVICE error naming every target there that did
     * not acknowledge. The stops of devices it may not read are sent just the same but not waited for: their
     * outcome goes to the log only, so neither the answer nor its timing tells such a script whether an id
     * exists, how many devices there are or how they answer.
     */
    Object emergencyStop(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_emergency_stop", raw).atMost(1);
        String id = args.optionalString(0, "device_id");
        List<Device> targets = new ArrayList<>();
        if (id != null) {
            Device d = devices.get(id);
            if (d == null) {
                if (mayRead(scope, id)) {
                    throw args.error(ErrorKind.DEVICE, "device unavailable: no device '" + id + "'" + visible(scope));
                }
                // Saying "no such device" would tell a script without device:read which ids exist.
                return Boolean.TRUE;
            }
            targets.add(d);
        } else {
            targets.addAll(devices.all());
        }
        // Send to all first, then wait: one slow device must not delay the stop of the others.
        List<EmergencyStops.Ticket> tickets = new ArrayList<>();
        for (Device d : targets) {
            tickets.add(stops.stop(d));
        }
        List<String> shown = new ArrayList<>();
        List<String> logged = new ArrayList<>();
        int unseen = 0;
        boolean fresh = false;
        long coalesced = 0;
        long deadline = System.nanoTime() + timeoutNanos;
        for (EmergencyStops.Ticket t : tickets) {
            fresh |= t.fresh();
            coalesced += t.coalescedBefore();
            if (!mayRead(scope, t.deviceId())) {
                unseen++;
                if (t.fresh()) {
                    String script = LogText.clean(scope.scriptName());
                    t.report().onResolve(() -> logUnseenStop(script, t));
                }
                continue;
            }
            String outcome = StopText.outcome(t.report(), deadline);
            logged.add(t.deviceId() + ": " + outcome);
            if (!outcome.startsWith(StopText.STOPPED)) {
                shown.add(t.deviceId() + ": " + outcome);
            }
        }
        if (fresh) {
            // One line per script per interval: a script looping stops (always allowed) must not flood the log.
            String script = scope.scriptName();
            String heldBack = stopLog.admit(script);
            if (heldBack != null) {
                LOG.warn("emergency stop by script '{}': {}{}{}{}", LogText.clean(script),
                        logged.isEmpty() ? "" : String.join("; ", logged),
                        unseen == 0 ? "" : (logged.isEmpty() ? "" : "; ") + unseen
                                + " device(s) it may not read (only their failures are logged)",
                        coalesced > 0 ? " (" + coalesced + " repeated stop(s) before this one were coalesced)" : "",
                        heldBack);
                stopLines.incrementAndGet();
            }
        }
        if (!shown.isEmpty()) {
            throw args.error(ErrorKind.DEVICE, "emergency stop incomplete: " + String.join("; ", shown));
        }
        return Boolean.TRUE;
    }

    /**
     * The report of a stop the script could not be told about, when it comes (on the driver's thread): only a
     * failure is logged, once per script and device per interval (devices are the operator's, so few keys).
     */
    private void logUnseenStop(String script, EmergencyStops.Ticket t) {
        String outcome = StopText.outcome(t.report(), System.nanoTime());
        String heldBack;
        if (!outcome.startsWith(StopText.STOPPED) && (heldBack = stopLog.admit(script + "|" + t.deviceId())) != null) {
            LOG.warn("emergency stop by script '{}': {}: {}{}", script, t.deviceId(), outcome, heldBack);
            stopLines.incrementAndGet();
        }
    }

    /** E-stop lines written to the log so far (tests: a script looping stops must not flood it). */
    long stopLinesLogged() {
        return stopLines.get();
    }

    Object getStatus(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_get_status", raw).atMost(1);
        Device device = authorized(scope, args, Permission.DEVICE_READ, args.optionalString(0, "device_id"));
        take(scope, args, policy.limits().readCost());
        DeviceStatus status = Replies.await(args, device.id(), Replies.Kind.READ, device.status(), timeoutNanos, scope,
                new Replies.GaveUp());
        DeviceInfo info = status.info() != null ? status.info() : device.info();
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("device_id", device.id());
        table.put("connected", status.connected());
        table.put("device_type", info.type());
        table.put("firmware_version", info.firmwareVersion());
        table.put("motors", info.motors());
        table.put("digital_outputs", info.digitalOutputs());
        table.put("telemetry_channels", info.telemetryChannels());
        DeviceHealth h = status.health();
        if (h.latency() != null) {
            table.put("latency_ms", h.latency().toNanos() / 1e6);
        }
        if (h.lastError() != null) {
            table.put("last_error", h.lastError());
        }
        table.put("details", new LinkedHashMap<>(status.details()));
        return table;
    }

    /** The ids of the devices the script may read, sorted. */
    Object list(ExecutionScope scope, Object[] raw) {
        new Args("device_list", raw).atMost(0);
        return visibleIds(scope);
    }

    /**
     * Returns channel → value, plus a second table channel → reason for the channels that failed (or nil).
     * Costs the read cost per channel named (ten copies of one channel cost ten reads).
     */
    Object readTelemetry(ExecutionScope scope, Object[] raw) {
        Args args = new Args("telemetry_read", raw).atMost(2);
        List<String> channels = args.strings(0, "channels", 1, MAX_CHANNELS);
        Device device = authorized(scope, args, Permission.TELEMETRY_READ, args.optionalString(1, "device_id"));
        List<String> known = device.info().telemetryChannels();
        for (String c : channels) {
            if (!known.contains(c)) {
                throw args.bad(0, "channels", "device '" + device.id() + "' has no channel '" + c + "' (channels: "
                        + String.join(", ", known) + ")");
            }
        }
        take(scope, args, policy.limits().readCost() * channels.size());
        if (scope.cancellation().isCancelled()) {
            throw args.error(ErrorKind.CANCELLED, "cancelled: no command is sent after a cancel");
        }
        Replies.GaveUp gaveUp = new Replies.GaveUp();
        Map<String, ChannelValue> read = Replies.await(args, device.id(), Replies.Kind.READ,
                device.readTelemetry(channels, context(scope, gaveUp)), timeoutNanos, scope, gaveUp);
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

    /**
     * One configured channel's value: a boolean for a bool channel, else a number. A failed read raises a
     * DEVICE error naming the channel (there is no second value to carry it, unlike telemetry_read). Needs
     * device:read, and for a read-only channel (a sensor: telemetry) telemetry:read as well.
     */
    Object readChannel(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_read", raw).atMost(2);
        String channel = args.string(0, "channel");
        String id = args.optionalString(1, "device_id");
        Device device = authorized(scope, args, Permission.DEVICE_READ, id);
        ChannelInfo info = channel(args, device, channel);
        if (!info.writable()) {
            // a sensor's value is telemetry: device_read must not be a way around telemetry:read
            authorized(scope, args, Permission.TELEMETRY_READ, id);
        }
        take(scope, args, policy.limits().readCost());
        if (scope.cancellation().isCancelled()) {
            throw args.error(ErrorKind.CANCELLED, "cancelled: no command is sent after a cancel");
        }
        Replies.GaveUp gaveUp = new Replies.GaveUp();
        Map<String, ChannelValue> read = Replies.await(args, device.id(), Replies.Kind.READ,
                device.readTelemetry(List.of(channel), context(scope, gaveUp)), timeoutNanos, scope, gaveUp);
        ChannelValue v = read.get(channel);
        if (v == null || !v.ok()) {
            throw args.error(ErrorKind.DEVICE, "device error: '" + device.id() + "' channel '" + channel + "': "
                    + (v == null ? "no value" : v.message() == null ? "read failed" : v.message()));
        }
        if (!Double.isFinite(v.value())) {
            throw args.error(ErrorKind.DEVICE, "device error: '" + device.id() + "' channel '" + channel + "': bad "
                    + "value from the device: " + v.value());
        }
        return info.bool() ? Boolean.valueOf(v.value() != 0) : (Object) v.value();
    }

    /**
     * Writes one writable channel: a boolean for a bool channel, else a number within the channel's range.
     * A write like the others: at most once, tracked for e-stop coalescing, refused after a cancel.
     */
    Object writeChannel(ExecutionScope scope, Object[] raw) {
        Args args = new Args("device_write", raw).atMost(3);
        String channel = args.string(0, "channel");
        Device device = authorized(scope, args, Permission.DEVICE_WRITE, args.optionalString(2, "device_id"));
        ChannelInfo info = channel(args, device, channel);
        if (!info.writable()) {
            throw args.bad(0, "channel", "channel '" + channel + "' of device '" + device.id() + "' is read-only");
        }
        double value = info.bool() ? (args.bool(1, "value") ? 1 : 0) : args.number(1, "value", info.min(), info.max());
        take(scope, args, policy.limits().commandCost());
        // a channel the run wrote goes to its safe value when the run ends badly, like a motor or an output
        write(scope, args, device, Actuator.channel(channel), ctx -> device.writeChannel(channel, value, ctx));
        return Boolean.TRUE;
    }

    /** The channel's description, once the script may know the device: named in the error if it has none. */
    private static ChannelInfo channel(Args args, Device device, String channel) {
        Map<String, ChannelInfo> channels = device.channels();
        ChannelInfo info = channels == null ? null : channels.get(channel);
        if (info == null) {
            String known = channels == null ? "" : String.join(", ", channels.keySet());
            throw args.bad(0, "channel", "device '" + device.id() + "' has no channel '" + LogText.clean(channel)
                    + "'" + (known.length() > 300 ? " (" + channels.size() + " channels; device_get_status lists them)"
                    : " (channels: " + known + ")"));
        }
        return info;
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

    /**
     * The device the call is for, once the script is known to hold {@code permission} on it. Until then
     * nothing about devices leaks: a script without the permission learns no ids, counts or channels, and
     * lists of devices only ever name the ones the script may read.
     */
    private Device authorized(ExecutionScope scope, Args args, Permission permission, String id) {
        if (!scope.permissions().contains(permission.id())) {
            throw denied(scope, args, permission, id, id);
        }
        String target = id != null ? id : !defaultDevice.isEmpty() ? defaultDevice : onlyDevice(scope, args);
        if (!policy.isAllowed(scope.scriptName(), scope.permissions(), permission.id(), target)) {
            // Name the device only if the script named it itself.
            throw denied(scope, args, permission, target, id);
        }
        Device d = devices.get(target);
        if (d == null) {
            throw args.error(ErrorKind.DEVICE, id != null
                    ? "device unavailable: no device '" + id + "'" + visible(scope)
                    : "device unavailable: default device '" + target + "' is not available" + visible(scope));
        }
        return d;
    }

    /** Without an id and a default device: the only device there is. */
    private String onlyDevice(ExecutionScope scope, Args args) {
        List<String> ids = List.copyOf(devices.ids());
        if (ids.size() == 1) {
            return ids.get(0);
        }
        if (ids.isEmpty()) {
            throw args.error(ErrorKind.DEVICE, "device unavailable: no device is connected");
        }
        List<String> mine = visibleIds(scope);
        throw args.error(ErrorKind.DEVICE, "several devices" + (mine.isEmpty() ? "" : " (" + String.join(", ", mine)
                + ")") + ": pass a device id, or set default.device in " + PID + ".cfg");
    }

    private ScriptCallException denied(ExecutionScope scope, Args args, Permission permission, String deviceId,
                                       String named) {
        scope.permissionDenied(permission.id());
        // A denied call is charged too (a read's cost): a loop of denied calls meets the rate limit like any other.
        take(scope, args, policy.limits().readCost());
        // Keyed by what the script cannot vary at will: an id counts only if it is a real device (few), so a
        // loop inventing ids gets one line a minute and cannot fill the memory with its strings.
        String device = deviceId != null && devices.get(deviceId) != null ? deviceId : "(not a device)";
        String what = scope.scriptName() + "|" + args.function() + "|" + permission.id() + "|" + device;
        if (denialLog.shouldLog(what)) {
            denialLines.incrementAndGet();
            LOG.warn("script '{}': {} denied {} on device '{}' (repeats within a minute are counted, not logged)",
                    LogText.clean(scope.scriptName()), args.function(), permission.id(), LogText.clean(deviceId));
        }
        return args.error(ErrorKind.PERMISSION, "permission denied: " + permission.id() + " required"
                + (named != null ? " on device '" + named + "'" : ""));
    }

    private boolean mayRead(ExecutionScope scope, String id) {
        return policy.isAllowed(scope.scriptName(), scope.permissions(), Permission.DEVICE_READ.id(), id);
    }

    private List<String> visibleIds(ExecutionScope scope) {
        List<String> visible = new ArrayList<>();
        for (String id : devices.ids()) {
            if (mayRead(scope, id)) {
                visible.add(id);
            }
        }
        return visible;
    }

    private String visible(ExecutionScope scope) {
        List<String> ids = visibleIds(scope);
        return ids.isEmpty() ? "" : " (devices: " + String.join(", ", ids) + ")";
    }

    /** The caller gives up when its execution is cancelled or its wait ended without an answer. */
    private CallContext context(ExecutionScope scope, Replies.GaveUp gaveUp) {
        Cancellation c = scope.cancellation();
        return CallContext.within(timeoutNanos, () -> gaveUp.isSet() || c.isCancelled());
    }

    private void take(ExecutionScope scope, Args args, double cost) {
        TokenBucket bucket = policy.bucket(scope.scriptName());
        if (!bucket.tryConsume(cost)) {
            throw args.error(ErrorKind.RATE_LIMIT, "rate limit exceeded (" + fmt(bucket.rate()) + " calls/s, burst "
                    + fmt(bucket.burst()) + "); retry later");
        }
    }

    private static String fmt(double d) {
        return org.scriptbox.api.text.LuaNumbers.format(d); // as Lua writes it (Java wrote 0.3333333333333333)
    }
}
