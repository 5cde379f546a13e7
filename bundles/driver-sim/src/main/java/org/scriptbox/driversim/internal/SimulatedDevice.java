package org.scriptbox.driversim.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelInfo;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopCoalescer;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated device, one per factory configuration ({@code etc/org.scriptbox.driver.sim-NAME.cfg}), started
 * and registered by {@link SimulatedDeviceComponent} when the configuration is valid. Its
 * configuration properties become service properties, so {@code device.id} from the file is the id scripts
 * use. Faults are chosen by configuration, as Kura's DummyDriver does, so that scripts and tests exercise
 * the error paths without hardware: unreachable, slow, silent, refusing writes per actuator, bad channels.
 * <p>
 * It keeps the driver SPI's guarantees as a real driver must: ordinary commands go one at a time through
 * a {@link CommandLane} (withdrawn if the caller gave up before sending, never resent); emergency stop and
 * safe state have their own lane and thread, an e-stop abandons what is queued, and every actuator is
 * tried and reported on its own. Health comes from real exchanges and a periodic probe.
 */
public class SimulatedDevice implements Device {
    static final String PID = "org.scriptbox.driver.sim";
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);

    /** Link faults. */
    public enum ConnectionIssue {
        /** The device answers. */
        NONE,
        /** The device is unreachable: nothing is sent, status says disconnected. */
        FAIL
    }

    /** Faults on the channel named by {@code fault.bad.channel}. */
    public enum BadValue {
        /** That channel's read fails with a message. */
        FAIL,
        /** That channel reads NaN. */
        NAN
    }

    /** The metatype (see {@link SimulatedDeviceComponent}, which reads the raw properties). */
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

        @AttributeDefinition(description = "Writable channels (device_write): name:min:max or name:bool, "
                + "comma-separated; each reads back what was last written")
        String setpoints() default "";

        @AttributeDefinition(description = "Whether an e-stop latches: ordinary writes are refused until an operator "
                + "resets it (device:reset ID)")
        boolean estop_latch() default false;

        @AttributeDefinition(description = "How fast motors reach their set speed, in percent per second")
        double ramp_rate() default 50.0;

        @AttributeDefinition(description = "Where an abnormally ended script's actuators go: stop (motors 0, outputs "
                + "off), leave, then overrides such as motor1=leave, output2=on")
        String safe_state() default "stop";

        @AttributeDefinition(description = "How long the driver waits for an answer before 'outcome unknown', in ms")
        long response_timeout_ms() default 1000;

        @AttributeDefinition(description = "Health probe interval in ms (0: no periodic probe)")
        long probe_interval_ms() default 5000;

        @AttributeDefinition(description = "Fault: NONE, or FAIL to make the device unreachable")
        ConnectionIssue fault_connect() default ConnectionIssue.NONE;

        @AttributeDefinition(description = "Fault: every answer comes this many ms late")
        long fault_delay_ms() default 0;

        @AttributeDefinition(description = "Fault: requests are lost and never answered")
        boolean fault_silent() default false;

        @AttributeDefinition(description = "Fault: these actuators refuse writes, e.g. motor0,output1")
        String fault_refuse() default "";

        @AttributeDefinition(description = "Fault: this telemetry channel gives a bad value")
        String fault_bad_channel() default "";

        @AttributeDefinition(description = "Fault: how the bad channel is bad (FAIL or NAN)")
        BadValue fault_bad_value() default BadValue.FAIL;
    }

    /** The configuration as plain values (also what the unit tests build). */
    record Settings(String id, String firmware, int motors, int outputs, List<String> channels, double rampRate,
                    SafeState safeState, long responseTimeoutMillis, long probeIntervalMillis, Faults faults,
                    List<Setpoint> setpoints, boolean estopLatch) {
        Settings {
            safeState = safeState == null ? SafeState.STOP : safeState;
            faults = faults == null ? Faults.NONE : faults;
            channels = channels == null ? List.of() : List.copyOf(channels);
            setpoints = setpoints == null ? List.of() : List.copyOf(setpoints);
        }

        /** Without setpoints (writable channels). */
        Settings(String id, String firmware, int motors, int outputs, List<String> channels, double rampRate,
                 SafeState safeState, long responseTimeoutMillis, long probeIntervalMillis, Faults faults) {
            this(id, firmware, motors, outputs, channels, rampRate, safeState, responseTimeoutMillis,
                    probeIntervalMillis, faults, List.of());
        }

        /** Not latching. */
        Settings(String id, String firmware, int motors, int outputs, List<String> channels, double rampRate,
                 SafeState safeState, long responseTimeoutMillis, long probeIntervalMillis, Faults faults,
                 List<Setpoint> setpoints) {
            this(id, firmware, motors, outputs, channels, rampRate, safeState, responseTimeoutMillis,
                    probeIntervalMillis, faults, setpoints, false);
        }
    }

    private final Settings settings;
    private final DeviceInfo info;
    private final SimModel model;
    private final HealthTracker health;
    private final CommandLane lane;
    /** The priority lane: stops and safe states, never behind ordinary commands. */
    private final ScheduledExecutorService stopLane;
    private final ScheduledExecutorService prober;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong stops = new AtomicLong();
    /** Every e-stop path (scripts, shell, any API caller) passes here: repeats join one pass, as on Modbus. */
    private final StopCoalescer coalescer = new StopCoalescer();
    /** Answers promised by the stop lane and the prober, failed at deactivation so no caller waits for nothing. */
    private final Set<Deferred<?>> promised = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Faults faults;
    /** Every channel: the telemetry ones read-only, then the setpoints, writable. */
    private final Map<String, ChannelInfo> channelInfo;
    /** What each setpoint was last written to. */
    private final Map<String, Double> setpointValues = new java.util.concurrent.ConcurrentHashMap<>();

    /** For tests in other bundles: a device from the metatype's values, unchecked by ConfigReader. */
    public SimulatedDevice(Config c) {
        this(new Settings(c.device_id(), c.firmware_version(), c.motors(), c.digital_outputs(), split(c.channels()),
                c.ramp_rate(), SafeState.parse(c.safe_state()).checkAgainst(c.motors(), c.digital_outputs()),
                c.response_timeout_ms(), c.probe_interval_ms(), new Faults(c.fault_connect(), c.fault_delay_ms(),
                c.fault_silent(), actuators(c.fault_refuse()), c.fault_bad_channel(), c.fault_bad_value()),
                Setpoint.parse(c.setpoints()), c.estop_latch()), System::nanoTime);
    }

    SimulatedDevice(Settings s, LongSupplier nanoClock) {
        if (s.id() == null || s.id().isBlank()) {
            throw new IllegalArgumentException("simulated device: device.id is required");
        }
        if (s.motors() < 0 || s.motors() > 256 || s.outputs() < 0 || s.outputs() > 256 || s.rampRate() <= 0
                || s.responseTimeoutMillis() <= 0 || s.probeIntervalMillis() < 0) {
            throw new IllegalArgumentException("simulated device '" + s.id() + "': 0 <= motors <= 256, 0 <= "
                    + "digital.outputs <= 256, ramp.rate > 0, response.timeout.ms > 0 and probe.interval.ms >= 0 "
                    + "are required");
        }
        this.settings = s;
        coalescer.latching(s.estopLatch());
        this.faults = s.faults();
        List<String> names = new ArrayList<>(s.channels());
        Map<String, ChannelInfo> ci = new LinkedHashMap<>();
        s.channels().forEach(c -> ci.put(c, ChannelInfo.readOnly(c)));
        for (Setpoint p : s.setpoints()) {
            if (ci.containsKey(p.name())) {
                throw new IllegalArgumentException("simulated device '" + s.id() + "': setpoint '" + p.name()
                        + "' is also a telemetry channel");
            }
            ci.put(p.name(), p.info());
            names.add(p.name());
            setpointValues.put(p.name(), 0.0);
        }
        this.channelInfo = java.util.Collections.unmodifiableMap(ci);
        this.info = new DeviceInfo(s.id(), "simulator", s.firmware(), s.motors(), s.outputs(), names);
        this.model = new SimModel(s.motors(), s.outputs(), s.rampRate(), nanoClock);
        Duration staleAfter = Duration.ofMillis(Math.max(3 * s.probeIntervalMillis(), 10_000));
        this.health = new HealthTracker(Clock.systemUTC(), staleAfter);
        this.lane = new CommandLane(s.id(), new CommandLane.Timing() {
            @Override
            public long delayMillis() {
                return faults.delayMillis();
            }

            @Override
            public long responseTimeoutMillis() {
                return settings.responseTimeoutMillis();
            }
        }, health);
        this.stopLane = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sim-stop-" + s.id()));
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sim-probe-" + s.id()));
        if (s.probeIntervalMillis() > 0) {
            prober.scheduleWithFixedDelay(this::probe, 0, s.probeIntervalMillis(), TimeUnit.MILLISECONDS);
        }
        for (String c : s.channels()) {
            if (!model.knows(c)) {
                LOG.info("simulated device '{}': channel '{}' reads a generic wave", s.id(), c);
            }
        }
        LOG.info("simulated device '{}' started (safe state: {}; faults: {})", s.id(), s.safeState(), faults);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Fails every answer still on its way: a caller waiting on this device learns at once that it left. */
    void deactivate() {
        lane.close();
        stopLane.shutdownNow();
        prober.shutdownNow();
        for (Deferred<?> d : promised) {
            settle(d, null, DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        LOG.info("simulated device '{}' stopped", settings.id());
    }

    /** Changes the faults while running (unit tests). */
    void faults(Faults f) {
        this.faults = f;
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** Probes the device (one exchange, off the ordinary lane) and reports health and state. */
    @Override
    public Promise<DeviceStatus> status() {
        Deferred<DeviceStatus> d = promise();
        try {
            prober.execute(() -> {
                probe();
                settle(d, new DeviceStatus(info, health.now(), details()), null);
            });
        } catch (RejectedExecutionException e) {
            settle(d, null, DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        return d.getPromise();
    }

    private void probe() {
        Faults f = faults;
        long start = System.nanoTime();
        try {
            if (f.unreachable()) {
                health.failed("simulated connection failure");
            } else if (f.silent() || f.delayMillis() > settings.responseTimeoutMillis()) {
                Thread.sleep(settings.responseTimeoutMillis());
                health.failed("no answer within " + settings.responseTimeoutMillis() + " ms");
            } else {
                Thread.sleep(f.delayMillis());
                health.good(System.nanoTime() - start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>(model.details());
        d.put("requests.sent", sent.get());
        d.put("requests.withdrawn", lane.withdrawn.get());
        d.put("requests.abandoned", lane.abandoned.get());
        d.put("requests.queued", lane.queued());
        d.put("stops", stops.get());
        if (settings.estopLatch()) {
            d.put("estop_latched", coalescer.latched());
        }
        return d;
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        if (motorId < 0 || motorId >= settings.motors()) {
            return Promises.failed(new IllegalArgumentException("no motor " + motorId));
        }
        return write(Actuator.motor(motorId), ctx, () -> model.setMotorSpeed(motorId, speed));
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        if (pin < 0 || pin >= settings.outputs()) {
            return Promises.failed(new IllegalArgumentException("no output " + pin));
        }
        return write(Actuator.output(pin), ctx, () -> model.setOutput(pin, state));
    }

    private Promise<Void> write(Actuator target, CallContext ctx, Runnable apply) {
        DeviceException latched = coalescer.refusal(settings.id());
        if (latched != null) {
            return Promises.failed(latched);
        }
        coalescer.wrote();
        return lane.submit(ctx, () -> {
            Faults f = faults;
            if (f.unreachable()) {
                return Exchange.unreachable();
            }
            sent.incrementAndGet();
            if (f.silent()) {
                return Exchange.lost();
            }
            if (f.refused().contains(target)) {
                return Exchange.refused(refusal(target));
            }
            apply.run();
            return Exchange.answered(null);
        });
    }

    private static DeviceException refusal(Actuator a) {
        return DeviceException.refused("the device refused the write to " + a + " (simulated refusal)");
    }

    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
        List<String> names = List.copyOf(channels);
        return lane.submit(ctx, () -> {
            Faults f = faults;
            if (f.unreachable()) {
                return Exchange.unreachable();
            }
            sent.incrementAndGet();
            if (f.silent()) {
                return Exchange.lost();
            }
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            for (String c : names) {
                values.put(c, read(c, f));
            }
            return Exchange.answered(values);
        });
    }

    @Override
    public Map<String, ChannelInfo> channels() {
        return channelInfo;
    }

    /** A setpoint, through the lane like every write: at most once, faults applied, abandoned by an e-stop. */
    @Override
    public Promise<Void> writeChannel(String channel, double value, CallContext ctx) {
        ChannelInfo c = channelInfo.get(channel);
        if (c == null || !c.writable() || !(value >= c.min() && value <= c.max())
                || (c.bool() && value != 0 && value != 1)) {
            return Promises.failed(new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.REFUSED,
                    "not sent: " + (c == null ? "no channel '" + channel + "'" : !c.writable() ? "channel '"
                    + channel + "' is read-only" : "value " + value + " outside " + c.min() + " .. " + c.max())));
        }
        DeviceException latched = coalescer.refusal(settings.id());
        if (latched != null) {
            return Promises.failed(latched);
        }
        coalescer.wrote();
        return lane.submit(ctx, () -> {
            Faults f = faults;
            if (f.unreachable()) {
                return Exchange.unreachable();
            }
            sent.incrementAndGet();
            if (f.silent()) {
                return Exchange.lost();
            }
            if (f.refused().contains(Actuator.channel(channel))) {
                return Exchange.refused(refusal(Actuator.channel(channel)));
            }
            setpointValues.put(channel, value);
            return Exchange.answered(null);
        });
    }

    private ChannelValue read(String channel, Faults f) {
        if (!info.telemetryChannels().contains(channel)) {
            return ChannelValue.failed("no channel '" + channel + "'");
        }
        Double setpoint = setpointValues.get(channel);
        if (setpoint != null) {
            return ChannelValue.of(setpoint);
        }
        if (channel.equals(f.badChannel())) {
            return f.badValue() == BadValue.NAN ? new ChannelValue(Double.NaN, true, null)
                    : ChannelValue.failed("simulated bad value");
        }
        return ChannelValue.of(model.read(channel));
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
        for (Setpoint p : settings.setpoints()) {
            if (p.safe() != null) {
                all.add(Actuator.channel(p.name()));
            }
        }
        return coalescer.stop(() -> onStopLane(() -> lane.abandonQueued(() -> send(all, SafeState.STOP))));
    }

    @Override
    public boolean resetEmergencyStop() {
        return coalescer.reset();
    }

    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        Set<Actuator> targets = new TreeSet<>(touched);
        coalescer.wrote();   // a safe value need not be a stop value: the next e-stop must go out
        return onStopLane(() -> lane.onWire(() -> send(targets, settings.safeState())));
    }

    /** One write per actuator, each with its own outcome; the device's answers come back after one round trip. */
    private List<ActuatorResult> send(Set<Actuator> targets, SafeState state) {
        Faults f = faults;
        stops.incrementAndGet();
        List<ActuatorResult> results = new ArrayList<>();
        for (Actuator a : targets) {
            Setpoint setpoint = a.kind() == Actuator.Kind.CHANNEL ? setpoint(a.channel()) : null;
            if (a.kind() == Actuator.Kind.CHANNEL ? setpoint == null || setpoint.safe() == null
                    || (!setpoint.safeGiven() && state.leaves(a)) : state.leaves(a)) {
                continue;   // a channel: its own safe value, else the base (an e-stop passes STOP: 0)
            }
            int count = a.kind() == Actuator.Kind.MOTOR ? settings.motors() : settings.outputs();
            if (a.kind() != Actuator.Kind.CHANNEL && a.index() >= count) {
                results.add(new ActuatorResult(a, WriteOutcome.NOT_SENT, "the device has no " + a));
            } else if (f.unreachable()) {
                results.add(new ActuatorResult(a, WriteOutcome.NOT_SENT, "simulated connection failure"));
            } else if (f.silent()) {
                results.add(new ActuatorResult(a, WriteOutcome.UNKNOWN, "no answer"));
            } else if (f.refused().contains(a)) {
                results.add(new ActuatorResult(a, WriteOutcome.REFUSED, refusal(a).getMessage()));
            } else {
                if (a.kind() == Actuator.Kind.CHANNEL) {
                    setpointValues.put(a.channel(), setpoint.safe());
                } else if (a.kind() == Actuator.Kind.MOTOR) {
                    model.stopMotor(a.index(), state.motorSpeed(a.index()));
                } else {
                    model.setOutput(a.index(), state.output(a.index()));
                }
                results.add(ActuatorResult.acknowledged(a));
            }
        }
        return results;
    }

    private Promise<StopReport> onStopLane(java.util.function.Supplier<List<ActuatorResult>> send) {
        Deferred<StopReport> d = promise();
        try {
            stopLane.execute(() -> {
                long start = System.nanoTime();
                List<ActuatorResult> results = send.get();
                try {
                    answerTime(results);
                } catch (InterruptedException e) {
                    settle(d, null, DeviceException.stopped(WriteOutcome.UNKNOWN));
                    return;
                }
                boolean answered = results.stream().anyMatch(r -> r.outcome() == WriteOutcome.ACKNOWLEDGED
                        || r.outcome() == WriteOutcome.REFUSED);
                if (answered) {
                    health.good(System.nanoTime() - start);
                } else if (!results.isEmpty()) {
                    health.failed(results.get(0).message());
                }
                settle(d, new StopReport(settings.id(), results), null);
            });
        } catch (RejectedExecutionException e) {
            settle(d, null, DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        return d.getPromise();
    }

    private <T> Deferred<T> promise() {
        Deferred<T> d = new Deferred<>();
        promised.add(d);
        return d;
    }

    /** Resolves or fails once: deactivation and the lane's thread may race, the first word counts. */
    private <T> void settle(Deferred<T> d, T value, Throwable failure) {
        if (!promised.remove(d)) {
            return;
        }
        if (failure != null) {
            d.fail(failure);
        } else {
            d.resolve(value);
        }
    }

    /** Waits as long as the device takes to answer; a silent or too slow one turns acknowledgements into "unknown". */
    private void answerTime(List<ActuatorResult> results) throws InterruptedException {
        Faults f = faults;
        boolean anySent = results.stream().anyMatch(r -> r.outcome() != WriteOutcome.NOT_SENT);
        if (!anySent) {
            return;
        }
        if (f.silent() || f.delayMillis() > settings.responseTimeoutMillis()) {
            Thread.sleep(settings.responseTimeoutMillis());
            String why = "no answer within " + settings.responseTimeoutMillis() + " ms";
            results.replaceAll(r -> r.outcome() == WriteOutcome.NOT_SENT ? r
                    : new ActuatorResult(r.actuator(), WriteOutcome.UNKNOWN, why));
        } else {
            Thread.sleep(f.delayMillis());
        }
    }

    static List<String> split(String text) {
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

    /** {@code motor0,output1} as actuators; a bad name is refused at activation. */
    private Setpoint setpoint(String name) {
        for (Setpoint p : settings.setpoints()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    static Set<Actuator> actuators(String text) {
        Set<Actuator> set = new TreeSet<>();
        for (String p : split(text)) {
            try {
                set.add(p.trim().startsWith("channel.") ? Actuator.channel(p.trim().substring(8)) : Actuator.parse(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad fault.refuse entry: " + e.getMessage());
            }
        }
        return set;
    }
}
