package org.scriptbox.driversim.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated device, one per factory configuration ({@code etc/org.scriptbox.driver.sim-NAME.cfg}). Its
 * configuration properties become service properties, so {@code device.id} from the file is the id scripts
 * use. Faults are chosen by configuration, as Kura's DummyDriver does, so that scripts and tests exercise
 * the error paths without hardware.
 */
@Component(service = Device.class, configurationPid = SimulatedDevice.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = Device.DEVICE_TYPE + "=simulator")
@Designate(ocd = SimulatedDevice.Config.class, factory = true)
public class SimulatedDevice implements Device {
    static final String PID = "org.scriptbox.driver.sim";
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);

    /** Link faults. */
    public enum ConnectionIssue {
        /** The device answers. */
        NONE,
        /** The device is unreachable: commands fail, status says disconnected. */
        FAIL
    }

    /** Faults on the channel named by {@code fault.bad.channel}. */
    public enum BadValue {
        /** That channel's read fails with a message. */
        FAIL,
        /** That channel reads NaN. */
        NAN
    }

    @ObjectClassDefinition(name = "scriptbox simulated device")
    public @interface Config {
        @AttributeDefinition(description = "The id scripts use for this device (required)")
        String device_id();

        String firmware_version() default "sim-1.0.0";

        int motors() default 2;

        int digital_outputs() default 8;

        @AttributeDefinition(description = "Comma-separated telemetry channels: temperature, voltage, current, "
                + "motorN.speed, outputN; other names read a slow wave 0..100")
        String channels() default "temperature,voltage,current,motor0.speed,motor1.speed";

        @AttributeDefinition(description = "How fast motors reach their set speed, in percent per second")
        double ramp_rate() default 50.0;

        @AttributeDefinition(description = "Fault: NONE, or FAIL to make the device unreachable")
        ConnectionIssue fault_connect() default ConnectionIssue.NONE;

        @AttributeDefinition(description = "Fault: every answer comes this many ms late")
        long fault_delay_ms() default 0;

        @AttributeDefinition(description = "Fault: this telemetry channel gives a bad value")
        String fault_bad_channel() default "";

        @AttributeDefinition(description = "Fault: how the bad channel is bad (FAIL or NAN)")
        BadValue fault_bad_value() default BadValue.FAIL;

        @AttributeDefinition(description = "Where an abnormally ended script's actuators go: stop (motors 0, outputs "
                + "off), leave, then overrides such as motor1=leave, output2=on")
        String safe_state() default "stop";
    }

    /** The configuration as plain values (also what the unit tests build). */
    record Settings(String id, String firmware, int motors, int outputs, List<String> channels, double rampRate,
                    ConnectionIssue connect, long delayMillis, String badChannel, BadValue badValue,
                    SafeState safeState) {
        Settings {
            safeState = safeState == null ? SafeState.STOP : safeState;
        }

        Settings(String id, String firmware, int motors, int outputs, List<String> channels, double rampRate,
                 ConnectionIssue connect, long delayMillis, String badChannel, BadValue badValue) {
            this(id, firmware, motors, outputs, channels, rampRate, connect, delayMillis, badChannel, badValue,
                    SafeState.STOP);
        }
    }

    private final Settings settings;
    private final DeviceInfo info;
    private final SimModel model;
    private final ScheduledExecutorService delayer;
    private final List<Deferred<?>> pending = new ArrayList<>();
    private boolean stopped;

    @Activate
    public SimulatedDevice(Config c) {
        this(new Settings(c.device_id(), c.firmware_version(), c.motors(), c.digital_outputs(), split(c.channels()),
                c.ramp_rate(), c.fault_connect(), c.fault_delay_ms(), c.fault_bad_channel(), c.fault_bad_value(),
                SafeState.parse(c.safe_state()).checkAgainst(c.motors(), c.digital_outputs())),
                System::nanoTime);
    }

    SimulatedDevice(Settings s, LongSupplier nanoClock) {
        if (s.id() == null || s.id().isBlank()) {
            throw new IllegalArgumentException("simulated device: device.id is required");
        }
        if (s.motors() < 0 || s.outputs() < 0 || s.outputs() > 256 || s.rampRate() <= 0) {
            throw new IllegalArgumentException("simulated device '" + s.id()
                    + "': motors >= 0, 0 <= digital.outputs <= 256 and ramp.rate > 0 are required");
        }
        this.settings = s;
        this.info = new DeviceInfo(s.id(), "simulator", s.firmware(), s.motors(), s.outputs(), s.channels());
        this.model = new SimModel(s.motors(), s.outputs(), s.rampRate(), nanoClock);
        // Only a delayed device needs a thread; answers are otherwise given at once.
        this.delayer = s.delayMillis() > 0 ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sim-device-" + s.id());
            t.setDaemon(true);
            return t;
        }) : null;
        for (String c : s.channels()) {
            if (!model.knows(c)) {
                LOG.info("simulated device '{}': channel '{}' reads a generic wave", s.id(), c);
            }
        }
        LOG.info("simulated device '{}' started (faults: connect={}, delay={} ms, bad channel={})", s.id(),
                s.connect(), s.delayMillis(), s.badChannel().isEmpty() ? "none" : s.badChannel());
    }

    /** Fails every answer still on its way: a caller waiting on this device learns at once that it left. */
    @Deactivate
    void deactivate() {
        List<Deferred<?>> left;
        synchronized (pending) {
            stopped = true;
            left = new ArrayList<>(pending);
            pending.clear();
        }
        for (Deferred<?> d : left) {
            d.fail(new DeviceException("driver stopped"));
        }
        if (delayer != null) {
            delayer.shutdownNow();
        }
        LOG.info("simulated device '{}' stopped", settings.id());
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Promise<DeviceStatus> status() {
        boolean up = settings.connect() == ConnectionIssue.NONE;
        DeviceHealth health = up ? DeviceHealth.good(Instant.now(), Duration.ofMillis(settings.delayMillis()))
                : new DeviceHealth(false, null, null, "simulated connection failure", Instant.now());
        return answer(false, () -> new DeviceStatus(info, health, model.details()));
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        if (motorId < 0 || motorId >= settings.motors()) {
            return Promises.failed(new IllegalArgumentException("no motor " + motorId));
        }
        return answer(true, () -> {
            model.setMotorSpeed(motorId, speed);
            return null;
        });
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        if (pin < 0 || pin >= settings.outputs()) {
            return Promises.failed(new IllegalArgumentException("no output " + pin));
        }
        return answer(true, () -> {
            model.setOutput(pin, state);
            return null;
        });
    }

    @Override
    public Promise<StopReport> emergencyStop() {
        Set<Actuator> all = new TreeSet<>();
        for (int m = 0; m < settings.motors(); m++) {
            all.add(Actuator.motor(m));
        }
        for (int o = 0; o < settings.outputs(); o++) {
            all.add(Actuator.output(o));
        }
        return stop(all, SafeState.STOP);
    }

    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        return stop(touched, settings.safeState());
    }

    private Promise<StopReport> stop(Set<Actuator> targets, SafeState state) {
        return answer(false, () -> {
            List<ActuatorResult> results = new ArrayList<>();
            for (Actuator a : new TreeSet<>(targets)) {
                if (state.leaves(a)) {
                    continue;
                }
                int count = a.kind() == Actuator.Kind.MOTOR ? settings.motors() : settings.outputs();
                if (a.index() >= count) {
                    results.add(new ActuatorResult(a, WriteOutcome.NOT_SENT, "no " + a));
                } else if (settings.connect() == ConnectionIssue.FAIL) {
                    results.add(new ActuatorResult(a, WriteOutcome.NOT_SENT, "simulated connection failure"));
                } else {
                    if (a.kind() == Actuator.Kind.MOTOR) {
                        model.stopMotor(a.index(), state.motorSpeed(a.index()));
                    } else {
                        model.setOutput(a.index(), state.output(a.index()));
                    }
                    results.add(ActuatorResult.acknowledged(a));
                }
            }
            return new StopReport(settings.id(), results);
        });
    }

    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
        return answer(true, () -> {
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            for (String c : channels) {
                values.put(c, read(c));
            }
            return values;
        });
    }

    private ChannelValue read(String channel) {
        if (!info.telemetryChannels().contains(channel)) {
            return ChannelValue.failed("no channel '" + channel + "'");
        }
        if (channel.equals(settings.badChannel())) {
            return settings.badValue() == BadValue.NAN ? new ChannelValue(Double.NaN, true, null)
                    : ChannelValue.failed("simulated bad value");
        }
        return ChannelValue.of(model.read(channel));
    }

    /**
     * Answers now, or after the configured delay on the device's own thread (never blocking the caller).
     * @param needsLink whether the simulated link fault makes this fail
     */
    private <T> Promise<T> answer(boolean needsLink, Supplier<T> work) {
        if (delayer == null) {
            return compute(needsLink, work);
        }
        Deferred<T> deferred = new Deferred<>();
        synchronized (pending) {
            if (stopped) {
                return Promises.failed(new DeviceException("driver stopped"));
            }
            pending.add(deferred);
        }
        delayer.schedule(() -> {
            synchronized (pending) {
                if (!pending.remove(deferred)) {
                    return;   // already failed by deactivate
                }
            }
            deferred.resolveWith(compute(needsLink, work));
        }, settings.delayMillis(), TimeUnit.MILLISECONDS);
        return deferred.getPromise();
    }

    private <T> Promise<T> compute(boolean needsLink, Supplier<T> work) {
        if (needsLink && settings.connect() == ConnectionIssue.FAIL) {
            return Promises.failed(new DeviceException("simulated connection failure"));
        }
        return Promises.resolved(work.get());
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        if (text != null) {
            for (String p : text.split(",")) {
                if (!p.isBlank()) {
                    parts.add(p.trim());
                }
            }
        }
        return parts;
    }
}
