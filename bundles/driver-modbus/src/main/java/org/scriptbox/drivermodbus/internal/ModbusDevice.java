package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import com.ghgande.j2mod.modbus.ModbusSlaveException;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.util.BitVector;

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
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device behind a Modbus TCP server, one per factory configuration
 * ({@code etc/org.scriptbox.driver.modbus-NAME.cfg}): motor speeds go to holding registers (signed 16-bit,
 * speed times {@code speed.scale}), digital outputs to coils, telemetry comes from input registers.
 * All I/O runs on the device's own thread, so callers get a promise at once and a slow or dead server
 * never blocks a script beyond the device API's timeout.
 */
@Component(service = Device.class, configurationPid = ModbusDevice.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = Device.DEVICE_TYPE + "=modbus-tcp")
@Designate(ocd = ModbusDevice.Config.class, factory = true)
public class ModbusDevice implements Device {
    static final String PID = "org.scriptbox.driver.modbus";
    private static final Logger LOG = LoggerFactory.getLogger(ModbusDevice.class);

    @ObjectClassDefinition(name = "scriptbox Modbus TCP device")
    public @interface Config {
        @AttributeDefinition(description = "The id scripts use for this device (required)")
        String device_id();

        String host() default "127.0.0.1";

        int port() default 502;

        int unit_id() default 1;

        @AttributeDefinition(description = "Connect and response timeout in ms")
        int timeout_ms() default 1000;

        @AttributeDefinition(description = "Holding register address of each motor, comma-separated (motor 0 first)")
        String motor_registers() default "";

        @AttributeDefinition(description = "Register value = speed (-100..100) times this")
        double speed_scale() default 100.0;

        @AttributeDefinition(description = "Coil address of digital output 0")
        int output_coil_start() default 0;

        int digital_outputs() default 0;

        @AttributeDefinition(description = "Telemetry channels as name:input-register[:scale], comma-separated")
        String telemetry() default "";

        String firmware_version() default "modbus-tcp";
    }

    record Settings(String id, String host, int port, int unitId, int timeoutMillis, List<Integer> motorRegisters,
                    double speedScale, int coilStart, int outputs, String telemetry, String firmware) {
    }

    private final Settings settings;
    private final DeviceInfo info;
    private final ChannelMap channels;
    private final ModbusLink link;
    private final ExecutorService io;
    private final Set<Deferred<?>> pending = new HashSet<>();
    private boolean stopped;

    @Activate
    public ModbusDevice(Config c) {
        this(new Settings(c.device_id(), c.host(), c.port(), c.unit_id(), c.timeout_ms(), ints(c.motor_registers()),
                c.speed_scale(), c.output_coil_start(), c.digital_outputs(), c.telemetry(), c.firmware_version()));
    }

    ModbusDevice(Settings s) {
        if (s.id() == null || s.id().isBlank()) {
            throw new IllegalArgumentException("modbus device: device.id is required");
        }
        if (s.outputs() < 0 || s.outputs() > 256 || s.speedScale() * 100 > Short.MAX_VALUE) {
            throw new IllegalArgumentException("modbus device '" + s.id() + "': 0 <= digital.outputs <= 256 and "
                    + "speed.scale <= 327 are required");
        }
        this.settings = s;
        this.channels = ChannelMap.parse(s.telemetry());
        this.info = new DeviceInfo(s.id(), "modbus-tcp", s.firmware(), s.motorRegisters().size(), s.outputs(),
                channels.names());
        this.link = new ModbusLink(s.id(), s.host(), s.port(), s.unitId(), s.timeoutMillis());
        this.io = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "modbus-" + s.id());
            t.setDaemon(true);
            return t;
        });
        LOG.info("modbus device '{}' on {}:{} unit {}", s.id(), s.host(), s.port(), s.unitId());
    }

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
        io.shutdownNow();
        // Closing on the I/O thread would race with a running operation; the socket is closed here instead.
        link.close();
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
        return submit(() -> {
            try {
                link.connect();
            } catch (DeviceException e) {
                // not connected: that is the status
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("host", settings.host());
            details.put("port", settings.port());
            details.put("unit_id", settings.unitId());
            // Still the socket flag (SPI 2.0 mechanical change); health from real exchanges is the modbus work.
            return new DeviceStatus(info, new DeviceHealth(link.isConnected(), null, null, null, null), details);
        });
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        if (motorId < 0 || motorId >= settings.motorRegisters().size()) {
            return Promises.failed(new IllegalArgumentException("no motor " + motorId));
        }
        int address = settings.motorRegisters().get(motorId);
        int value = (int) Math.round(speed * settings.speedScale());
        return submit(() -> link.run((m, unit) -> {
            m.writeSingleRegister(unit, address, new SimpleRegister(value));
            return null;
        }));
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        if (pin < 0 || pin >= settings.outputs()) {
            return Promises.failed(new IllegalArgumentException("no output " + pin));
        }
        return submit(() -> link.run((m, unit) -> {
            m.writeCoil(unit, settings.coilStart() + pin, state);
            return null;
        }));
    }

    @Override
    public Promise<StopReport> emergencyStop() {
        // SPI 2.0 mechanical change: today's single-transaction stop, reported per target.
        return submit(() -> link.run((m, unit) -> {
            for (int address : settings.motorRegisters()) {
                m.writeSingleRegister(unit, address, new SimpleRegister(0));
            }
            if (settings.outputs() > 0) {
                m.writeMultipleCoils(unit, settings.coilStart(), new BitVector(settings.outputs()));
            }
            List<ActuatorResult> results = new ArrayList<>();
            for (int i = 0; i < settings.motorRegisters().size(); i++) {
                results.add(ActuatorResult.acknowledged(Actuator.motor(i)));
            }
            for (int i = 0; i < settings.outputs(); i++) {
                results.add(ActuatorResult.acknowledged(Actuator.output(i)));
            }
            return new StopReport(settings.id(), results);
        }));
    }

    /** SPI 2.0 mechanical change: motors to 0 and outputs off, each tried on its own. */
    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        return submit(() -> {
            List<ActuatorResult> results = new ArrayList<>();
            for (Actuator a : new java.util.TreeSet<>(touched)) {
                boolean motor = a.kind() == Actuator.Kind.MOTOR;
                if (a.index() >= (motor ? settings.motorRegisters().size() : settings.outputs())) {
                    continue;
                }
                try {
                    link.run((m, unit) -> {
                        if (motor) {
                            m.writeSingleRegister(unit, settings.motorRegisters().get(a.index()), new SimpleRegister(0));
                        } else {
                            m.writeCoil(unit, settings.coilStart() + a.index(), false);
                        }
                        return null;
                    });
                    results.add(ActuatorResult.acknowledged(a));
                } catch (DeviceException e) {
                    results.add(new ActuatorResult(a, WriteOutcome.UNKNOWN, e.getMessage()));
                }
            }
            return new StopReport(settings.id(), results);
        });
    }

    /** One request per channel, so that a bad address fails that channel only; a lost link fails the batch. */
    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> names, CallContext ctx) {
        return submit(() -> link.run((m, unit) -> {
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            for (String name : names) {
                ChannelMap.Channel c = channels.get(name);
                if (c == null) {
                    values.put(name, ChannelValue.failed("no channel '" + name + "'"));
                    continue;
                }
                try {
                    InputRegister[] r = m.readInputRegisters(unit, c.address(), 1);
                    values.put(name, ChannelValue.of(r[0].toShort() * c.scale()));
                } catch (ModbusSlaveException e) {
                    values.put(name, ChannelValue.failed(e.getMessage()));
                }
            }
            return values;
        }));
    }

    /** Work that may fail with DeviceException. */
    private interface Io<T> {
        T run() throws DeviceException;
    }

    private <T> Promise<T> submit(Io<T> work) {
        Deferred<T> deferred = new Deferred<>();
        synchronized (pending) {
            if (stopped) {
                return Promises.failed(new DeviceException("driver stopped"));
            }
            pending.add(deferred);
        }
        try {
            io.execute(() -> {
                T value;
                try {
                    value = work.run();
                } catch (Throwable e) {
                    if (forget(deferred)) {
                        deferred.fail(e);
                    }
                    return;
                }
                if (forget(deferred)) {
                    deferred.resolve(value);
                }
            });
        } catch (RejectedExecutionException e) {
            if (forget(deferred)) {
                deferred.fail(new DeviceException("driver stopped"));
            }
        }
        return deferred.getPromise();
    }

    private boolean forget(Deferred<?> d) {
        synchronized (pending) {
            return pending.remove(d);
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

    private static List<Integer> ints(String text) {
        List<Integer> values = new ArrayList<>();
        for (String p : split(text)) {
            values.add(Integer.parseInt(p));
        }
        return values;
    }
}
