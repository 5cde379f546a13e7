package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopCoalescer;
import org.scriptbox.api.device.StopReport;

/**
 * A device behind a Modbus TCP server: motor speeds go to holding registers (signed 16-bit, speed times
 * {@code speed.scale}), digital outputs to coils, telemetry comes from input registers. Two lanes, each
 * with its own thread and connection: ordinary commands in order on the {@link CommandLane}, e-stops and
 * safe states on the {@link StopLane}. Callers get a promise at once; nothing here blocks them.
 */
final class ModbusDevice implements Device {
    private final ModbusSettings settings;
    private final DeviceInfo info;
    private final DeviceLink link;
    private final CommandLane commands;
    private final StopLane stops;
    /** Every e-stop path (scripts, shell, any API caller) passes here: repeats join one pass on the wire. */
    private final StopCoalescer coalescer = new StopCoalescer();

    ModbusDevice(ModbusSettings s) {
        this.settings = s;
        this.info = new DeviceInfo(s.id(), "modbus-tcp", s.firmware(), s.motorRegisters().size(), s.outputs(),
                List.copyOf(s.channels().keySet()));
        // A probe interval without an answer, plus the time the probe itself may take, makes the device stale.
        long stale = s.probeIntervalMillis() > 0 ? (2L * s.probeIntervalMillis() + s.timeoutMillis()) * 1_000_000L
                : Long.MAX_VALUE;
        this.link = new DeviceLink(s.timeoutMillis(), new LinkHealth(stale));
        this.commands = new CommandLane(s.id(), new ModbusConnection(s.host(), s.port(), s.unitId()), link,
                s.probe(), s.probeIntervalMillis());
        this.stops = new StopLane(s.id(), new ModbusConnection(s.host(), s.port(), s.unitId()), link);
    }

    void close() {
        commands.shutdown();
        stops.shutdown();
    }

    @Override
    public String id() {
        return settings.id();
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** From the health the exchanges keep: answers at once, however busy or dead the device is. */
    @Override
    public Promise<DeviceStatus> status() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("host", settings.host());
        details.put("port", settings.port());
        details.put("unit_id", settings.unitId());
        details.put("safe_state", settings.safeState().toString());
        details.put("probe_interval_ms", settings.probeIntervalMillis());
        details.put("stop_passes", coalescer.passes());
        details.put("requests_queued", commands.queued());
        return Promises.resolved(new DeviceStatus(info, link.health().snapshot(), details));
    }

    @Override
    public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
        if (motorId < 0 || motorId >= settings.motorRegisters().size()) {
            return Promises.failed(new IllegalArgumentException("no motor " + motorId));
        }
        return write(Actuator.motor(motorId), motorWrite(motorId, speed), ctx);
    }

    @Override
    public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
        if (pin < 0 || pin >= settings.outputs()) {
            return Promises.failed(new IllegalArgumentException("no output " + pin));
        }
        return write(Actuator.output(pin), ModbusRequest.writeCoil(settings.coilStart() + pin, state), ctx);
    }

    /** Sent at most once: no resend, withdrawn if the caller gave up first, UNKNOWN if sent and not answered. */
    private Promise<Void> write(Actuator actuator, ModbusRequest request, CallContext ctx) {
        coalescer.wrote();
        return commands.submit(ctx, actuator, (connection, command) -> {
            try {
                link.exchange(connection, request, link.deadline(ctx.deadlineNanos()), command::withdrawal);
                return null;
            } catch (ModbusFailure f) {
                throw DeviceLink.writeFailure(f);
            }
        });
    }

    /**
     * One request per distinct channel, so that a refusal or a malformed answer fails that channel only.
     * A read may be tried again on a fresh connection while the caller's deadline allows; once the link
     * cannot be reached, the channels left fail with that reason at once instead of each waiting.
     */
    @Override
    public Promise<Map<String, ChannelValue>> readTelemetry(List<String> names, CallContext ctx) {
        List<String> wanted = List.copyOf(names);
        return commands.submit(ctx, null, (connection, command) -> {
            Map<String, ChannelValue> values = new LinkedHashMap<>();
            String linkDown = null;
            for (String name : wanted) {
                if (values.containsKey(name)) {
                    continue;
                }
                ModbusSettings.TelemetryChannel c = settings.channels().get(name);
                if (c == null) {
                    values.put(name, ChannelValue.failed("no channel '" + name + "'"));
                } else if (linkDown != null) {
                    values.put(name, ChannelValue.failed(linkDown));
                } else {
                    try {
                        values.put(name, ChannelValue.of(read(connection, command, c) * c.scale()));
                    } catch (ModbusFailure f) {
                        values.put(name, ChannelValue.failed(f.getMessage()));
                        if (f.kind() == ModbusFailure.Kind.NOT_SENT || f.kind() == ModbusFailure.Kind.WITHDRAWN) {
                            linkDown = f.getMessage();
                        }
                    }
                }
            }
            return values;
        });
    }

    private short read(ModbusConnection connection, CommandLane.Command<?> command,
                       ModbusSettings.TelemetryChannel c) throws ModbusFailure {
        ModbusRequest request = ModbusRequest.readInputRegisters(c.address(), 1);
        try {
            return readOnce(connection, command, request);
        } catch (ModbusFailure f) {
            if (!DeviceLink.retryable(f) || command.withdrawal() != null) {
                throw f;
            }
            // a read has no effect on the device: one more try on a fresh connection, within the deadline
            return readOnce(connection, command, request);
        }
    }

    private short readOnce(ModbusConnection connection, CommandLane.Command<?> command, ModbusRequest request)
            throws ModbusFailure {
        byte[] answer = link.exchange(connection, request, link.deadline(command.context().deadlineNanos()),
                command::withdrawal);
        return ModbusRequest.register(answer, 0);
    }

    /**
     * Every motor to 0 and every output off, each on its own; waiting ordinary commands are abandoned.
     * A stop in flight, or a complete one within the coalescing window with no write since, is joined.
     */
    @Override
    public Promise<StopReport> emergencyStop() {
        // A broken stop connection since the last pass: the device may have restarted, so that pass is not joined.
        return coalescer.stop(stops::linkIntact, this::stopPass);
    }

    private Promise<StopReport> stopPass() {
        List<StopLane.Target> targets = new ArrayList<>();
        for (int m = 0; m < settings.motorRegisters().size(); m++) {
            targets.add(new StopLane.Target(Actuator.motor(m), motorWrite(m, 0)));
        }
        for (int pin = 0; pin < settings.outputs(); pin++) {
            targets.add(new StopLane.Target(Actuator.output(pin),
                    ModbusRequest.writeCoil(settings.coilStart() + pin, false)));
        }
        commands.pause(true, this::stopValue);
        return stops.run(targets, commands::resume);
    }

    /**
     * The touched actuators to their configured safe values, on the stop lane; waiting commands stay (they
     * may belong to other executions). Actuators the safe state leaves alone, or that the device does not
     * have, are neither written nor reported.
     */
    @Override
    public Promise<StopReport> applySafeState(Set<Actuator> touched) {
        coalescer.wrote();   // a safe value need not be a stop value: the next e-stop must go out
        Set<Actuator> chosen = new TreeSet<>(touched);
        List<StopLane.Target> targets = new ArrayList<>();
        for (Actuator a : chosen) {
            ModbusRequest r = safeValue(a);
            if (r != null) {
                targets.add(new StopLane.Target(a, r));
            }
        }
        commands.pause(false, a -> chosen.contains(a) ? safeValue(a) : null);
        return stops.run(targets, commands::resume);
    }

    private ModbusRequest stopValue(Actuator a) {
        return a.kind() == Actuator.Kind.MOTOR ? motorWrite(a.index(), 0)
                : ModbusRequest.writeCoil(settings.coilStart() + a.index(), false);
    }

    /** The write that puts {@code a} into its safe value, or {@code null} if the safe state leaves it alone. */
    private ModbusRequest safeValue(Actuator a) {
        SafeState safe = settings.safeState();
        if (!exists(a) || safe.leaves(a)) {
            return null;
        }
        return a.kind() == Actuator.Kind.MOTOR ? motorWrite(a.index(), safe.motorSpeed(a.index()))
                : ModbusRequest.writeCoil(settings.coilStart() + a.index(), safe.output(a.index()));
    }

    private boolean exists(Actuator a) {
        int count = a.kind() == Actuator.Kind.MOTOR ? settings.motorRegisters().size() : settings.outputs();
        return a.index() < count;
    }

    private ModbusRequest motorWrite(int motor, double speed) {
        long value = Math.round(speed * settings.speedScale());
        value = Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
        return ModbusRequest.writeRegister(settings.motorRegisters().get(motor), (int) value);
    }
}
