package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.device.SafeState;

/**
 * A Modbus device's configuration, checked as a whole before the device exists: {@link #parse} either
 * returns settings in which every address, count and scale fits the protocol, or throws one
 * {@link Invalid} naming each bad key with its value. Keys are those of the .cfg file
 * ({@code etc/org.scriptbox.driver.modbus-NAME.cfg}); see {@link ModbusDeviceComponent.Config}.
 */
record ModbusSettings(String id, String host, int port, int unitId, int timeoutMillis, List<Integer> motorRegisters,
                      double speedScale, int coilStart, int outputs, Map<String, ChannelSpec> channels,
                      String firmware, SafeState safeState, int probeIntervalMillis, ModbusRequest probe,
                      Wire wire, LinkTiming timing, Batching batching, Polling polling, boolean multipleWrites,
                      boolean estopLatch) {

    /** How the device is reached. */
    enum Transport {
        TCP("tcp"), RTU_OVER_TCP("rtu-over-tcp"), RTU("rtu");

        final String word;

        Transport(String word) {
            this.word = word;
        }
    }

    /** The way to the device: TCP host and port, or a serial line. */
    record Wire(Transport transport, String serialPort, int baud, SerialByteLink.Parity parity, int stopBits) {
        static final Wire TCP = new Wire(Transport.TCP, null, 0, SerialByteLink.Parity.NONE, 1);
    }

    /** Channels of one table and unit at most {@code gap} registers (or bits) apart share one request. */
    record Batching(int gap, int maxRegisters, int maxBits) {
        static final Batching DEFAULT = new Batching(0, ModbusRequest.MAX_READ_REGISTERS, ModbusRequest.MAX_READ_BITS);
    }

    /** Every channel read every {@code intervalMillis} (0: no polling); a value older than the max age is not used. */
    record Polling(int intervalMillis, int maxAgeMillis) {
        static final Polling OFF = new Polling(0, 0);

        boolean on() {
            return intervalMillis > 0;
        }
    }

    /** The configuration cannot make a working device; the message names every bad key and its value. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static final int MAX_OUTPUTS = 256;
    /** As many as outputs: each is one write of an e-stop, which must stay short. */
    static final int MAX_MOTORS = 256;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final Pattern CHANNEL = ChannelSpec.NAME;
    /** Keys the platform adds to every configuration; anything else unknown is a typo that would go unnoticed. */
    private static final List<String> PLATFORM_PREFIXES = List.of("service.", "felix.", "component.", "osgi.");
    /** One key per channel: {@code channel.NAME = TABLE ADDRESS TYPE [option=value ...]}. */
    static final String CHANNEL_PREFIX = "channel.";
    static final int MAX_CHANNELS = 1000;
    static final Set<String> KEYS = Set.of("device.id", "host", "port", "unit.id", "timeout.ms", "motor.registers",
            "speed.scale", "output.coil.start", "digital.outputs", "telemetry", "firmware.version", "safe.state",
            "probe.interval.ms", "probe", "transport", "serial.port", "serial.baud", "serial.parity",
            "serial.stop.bits", "connect.timeout.ms", "transaction.delay.ms", "reconnect.backoff.ms",
            "reconnect.backoff.max.ms", "batch.gap", "batch.max.registers", "batch.max.bits", "poll.interval.ms",
            "poll.max.age.ms", "actuator.write", "estop.latch");
    private static final Set<Integer> BAUDS = Set.of(1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
            460800, 921600);

    ModbusSettings {
        motorRegisters = List.copyOf(motorRegisters);
        channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));   // in configured order
    }

    static ModbusSettings parse(Map<String, ?> properties) throws Invalid {
        Reader r = new Reader(properties);
        for (String key : properties.keySet()) {
            if (!KEYS.contains(key) && !key.startsWith(CHANNEL_PREFIX)
                    && PLATFORM_PREFIXES.stream().noneMatch(key::startsWith)) {
                r.error(key, properties.get(key), "unknown key (known: " + String.join(", ", KEYS.stream().sorted()
                        .toList()) + ", channel.NAME)");
            }
        }
        String id = r.text("device.id", null);
        if (id == null || !ID.matcher(id).matches()) {
            r.error("device.id", id, "required: 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter "
                    + "or digit");
        }
        String host = r.text("host", "127.0.0.1");
        if (host.isBlank()) {
            r.error("host", host, "must not be empty");
        }
        int port = r.integer("port", 502, 1, 65535);
        int unit = r.integer("unit.id", 1, 0, 255);
        int timeout = r.integer("timeout.ms", 1000, 1, 60_000);
        List<Integer> motors = r.registers("motor.registers");
        if (motors.size() > MAX_MOTORS) {
            r.error("motor.registers", r.raw("motor.registers"), "at most " + MAX_MOTORS + " motors");
        }
        double scale = r.number("speed.scale", 100.0);
        if (!(scale > 0) || scale * 100 > Short.MAX_VALUE) {
            r.error("speed.scale", r.raw("speed.scale"), "must be above 0 and at most 327 (100 % times the scale "
                    + "must fit a signed 16-bit register)");
        }
        int coilStart = r.integer("output.coil.start", 0, 0, 65535);
        int outputs = r.integer("digital.outputs", 0, 0, MAX_OUTPUTS);
        if (coilStart + outputs - 1 > 65535) {
            r.error("digital.outputs", r.raw("digital.outputs"), "output.coil.start " + coilStart + " + "
                    + outputs + " outputs run past coil 65535");
        }
        Wire wire = r.wire();
        // RTU: unit 0 is broadcast (no device answers it, so no write could be acknowledged), 248.. reserved
        int minUnit = wire.transport() == Transport.TCP ? 0 : 1;
        int maxUnit = wire.transport() == Transport.TCP ? 255 : 247;
        if (unit < minUnit || unit > maxUnit) {
            r.error("unit.id", unit, "must be " + minUnit + ".." + maxUnit + " for transport = " + wire.transport().word);
        }
        Map<String, ChannelSpec> channels = r.channels("telemetry");
        r.channelKeys(channels, minUnit, maxUnit);
        r.writableOverlaps(channels, motors, coilStart, outputs, unit);
        SafeState safe = SafeState.STOP;
        try {
            safe = SafeState.parse(r.text("safe.state", "stop")).checkAgainst(motors.size(), outputs);
        } catch (IllegalArgumentException e) {
            r.error("safe.state", r.raw("safe.state"), e.getMessage());
        }
        int probeInterval = r.integer("probe.interval.ms", 2000, 0, 3_600_000);
        if (probeInterval > 0 && probeInterval < 100) {
            r.error("probe.interval.ms", probeInterval, "must be 0 (no probe) or at least 100");
        }
        ModbusRequest probe = r.probe("probe", motors, coilStart, outputs, channels);
        ConfigReader c = ConfigReader.refusingActivation(ModbusDeviceComponent.PID, properties);
        int connectTimeout = c.intBetween("connect.timeout.ms", 1, 60_000, timeout, timeout);
        // RTU needs 3.5 characters of silence between frames (11 bits each); at least 2 ms
        int defaultDelay = wire.transport() == Transport.RTU ? Math.max(2, (int) Math.ceil(3.5 * 11 * 1000.0
                / wire.baud())) : 0;
        int delay = c.intBetween("transaction.delay.ms", 0, 10_000, defaultDelay, defaultDelay);
        int backoff = c.intBetween("reconnect.backoff.ms", 0, 60_000, 0, 0);
        int backoffMax = c.intBetween("reconnect.backoff.max.ms", 1, 600_000, Math.max(30_000, backoff),
                Math.max(30_000, backoff));
        if (backoffMax < backoff) {
            c.refuse("reconnect.backoff.max.ms", backoffMax, "is below reconnect.backoff.ms " + backoff, backoffMax);
        }
        int gap = c.intBetween("batch.gap", 0, ModbusRequest.MAX_READ_REGISTERS - 1, 0, 0);
        int maxRegisters = c.intBetween("batch.max.registers", 1, ModbusRequest.MAX_READ_REGISTERS,
                ModbusRequest.MAX_READ_REGISTERS, ModbusRequest.MAX_READ_REGISTERS);
        int maxBits = c.intBetween("batch.max.bits", 1, ModbusRequest.MAX_READ_BITS, ModbusRequest.MAX_READ_BITS,
                ModbusRequest.MAX_READ_BITS);
        for (ChannelSpec ch : channels.values()) {
            if (!ch.table().bits() && ch.span() > maxRegisters) {
                c.refuse("batch.max.registers", maxRegisters, "is below the " + ch.span() + " registers of channel '"
                        + ch.name() + "'", maxRegisters);
                break;
            }
        }
        int pollInterval = c.intBetween("poll.interval.ms", 0, 3_600_000, 0, 0);
        if (pollInterval > 0 && pollInterval < 50) {
            c.refuse("poll.interval.ms", pollInterval, "must be 0 (no polling) or at least 50", pollInterval);
        }
        if (pollInterval > 0 && channels.isEmpty()) {
            c.refuse("poll.interval.ms", pollInterval, "polls channels, and the device has none", pollInterval);
        }
        int maxAge = c.intBetween("poll.max.age.ms", 1, 7_200_000, 2 * pollInterval, 2 * pollInterval);
        if (pollInterval > 0 && maxAge < pollInterval) {
            c.refuse("poll.max.age.ms", maxAge, "is below poll.interval.ms " + pollInterval + " (the cache would "
                    + "never answer)", maxAge);
        }
        String actuatorWrite = r.text("actuator.write", "single");
        if (!actuatorWrite.equals("single") && !actuatorWrite.equals("multiple")) {
            r.error("actuator.write", actuatorWrite, "expected single (FC06/FC05) or multiple (FC16/FC15)");
        }
        String latch = r.text("estop.latch", "false");
        if (!latch.equals("true") && !latch.equals("false")) {
            r.error("estop.latch", latch, "expected true (an e-stop latches until device:reset) or false");
        }
        c.refusals().forEach(line -> r.errors.add(line));
        r.throwIfInvalid();
        return new ModbusSettings(id, host.trim(), port, unit, timeout, motors, scale, coilStart, outputs, channels,
                r.text("firmware.version", "modbus-" + wire.transport().word), safe, probeInterval, probe, wire,
                new LinkTiming(connectTimeout, delay, backoff, backoffMax),
                new Batching(gap, maxRegisters, maxBits), new Polling(pollInterval, pollInterval == 0 ? 0 : maxAge),
                actuatorWrite.equals("multiple"), latch.equals("true"));
    }

    /** Reads typed values from raw configuration properties, collecting every error. */
    private static final class Reader {
        private final Map<String, ?> properties;
        final List<String> errors = new ArrayList<>();

        Reader(Map<String, ?> properties) {
            this.properties = properties;
        }

        Object raw(String key) {
            return properties.get(key);
        }

        /** The value as written, but never more than one short line of plain text (it goes to the log). */
        void error(String key, Object value, String why) {
            String shown = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
            if (shown.length() > 80) {
                shown = shown.substring(0, 77) + "...";
            }
            errors.add(key + " = '" + shown + "': " + why);
        }

        void throwIfInvalid() throws Invalid {
            if (!errors.isEmpty()) {
                throw new Invalid(String.join("; ", errors));
            }
        }

        String text(String key, String otherwise) {
            Object v = properties.get(key);
            return v == null ? otherwise : String.valueOf(v).trim();
        }

        int integer(String key, int otherwise, int min, int max) {
            String v = text(key, null);
            if (v == null) {
                return otherwise;
            }
            try {
                int n = asciiInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
                error(key, v, "must be " + min + ".." + max);
            } catch (NumberFormatException e) {
                error(key, v, "not a whole number");
            }
            return otherwise;
        }

        double number(String key, double otherwise) {
            String v = text(key, null);
            if (v == null) {
                return otherwise;
            }
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            error(key, v, "not a finite number");
            return otherwise;
        }

        List<Integer> registers(String key) {
            List<Integer> values = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (String part : split(text(key, ""))) {
                Integer address = address(key, text(key, ""), part);
                if (address != null && !seen.add(address)) {
                    error(key, text(key, ""), "register " + address + " is listed twice");
                } else if (address != null) {
                    values.add(address);
                }
            }
            return values;
        }

        Wire wire() {
            String t = text("transport", "tcp");
            Transport transport = null;
            for (Transport x : Transport.values()) {
                if (x.word.equals(t)) {
                    transport = x;
                }
            }
            if (transport == null) {
                error("transport", t, "expected tcp, rtu-over-tcp or rtu");
                return Wire.TCP;
            }
            String serial = text("serial.port", null);
            if (transport != Transport.RTU) {
                for (String k : List.of("serial.port", "serial.baud", "serial.parity", "serial.stop.bits")) {
                    if (properties.containsKey(k)) {
                        error(k, raw(k), "only for transport = rtu");
                    }
                }
                return new Wire(transport, null, 0, SerialByteLink.Parity.NONE, 1);
            }
            if (serial == null || !serial.matches("/dev/[A-Za-z0-9_./-]{1,100}") || serial.contains("..")) {
                error("serial.port", serial, "required for transport = rtu: a device path such as /dev/ttyUSB0");
            }
            for (String k : List.of("host", "port")) {
                if (properties.containsKey(k)) {
                    error(k, raw(k), "not for transport = rtu (the line is serial.port)");
                }
            }
            int baud = integer("serial.baud", 9600, 1200, 921600);
            if (!BAUDS.contains(baud)) {
                error("serial.baud", baud, "expected one of " + BAUDS.stream().sorted().map(String::valueOf).toList());
            }
            String parity = text("serial.parity", "even");
            SerialByteLink.Parity p = switch (parity) {
                case "none" -> SerialByteLink.Parity.NONE;
                case "even" -> SerialByteLink.Parity.EVEN;
                case "odd" -> SerialByteLink.Parity.ODD;
                default -> {
                    error("serial.parity", parity, "expected none, even or odd");
                    yield SerialByteLink.Parity.EVEN;
                }
            };
            int stop = integer("serial.stop.bits", 1, 1, 2);
            return new Wire(transport, serial, baud, p, stop);
        }

        /** The {@code channel.NAME} keys, after the {@code telemetry} ones (sorted by name, for a stable order). */
        void channelKeys(Map<String, ChannelSpec> channels, int minUnit, int maxUnit) {
            List<String> keys = properties.keySet().stream().filter(k -> k.startsWith(CHANNEL_PREFIX)).sorted()
                    .toList();
            for (String key : keys) {
                String name = key.substring(CHANNEL_PREFIX.length());
                try {
                    ChannelSpec spec = ChannelSpec.parse(name, text(key, ""), minUnit, maxUnit);
                    if (channels.put(name, spec) != null) {
                        error(key, raw(key), "channel '" + name + "' is also defined in telemetry");
                    }
                } catch (IllegalArgumentException e) {
                    error(key, raw(key), e.getMessage());
                }
            }
            if (channels.size() > MAX_CHANNELS) {
                error("channel.*", channels.size() + " channels", "at most " + MAX_CHANNELS);
            }
        }

        /**
         * A writable channel on a motor register or an output coil would drive an actuator outside the motor API's
         * range, the permission for it (device:control) and the safe state; two writable channels on one register
         * (or coil) would corrupt each other. Both are refused naming the keys. Read-only channels may overlap
         * anything (reading a setpoint back is useful).
         */
        void writableOverlaps(Map<String, ChannelSpec> channels, List<Integer> motors, int coilStart, int outputs,
                              int deviceUnit) {
            List<ChannelSpec> writable = channels.values().stream().filter(ChannelSpec::writable).toList();
            for (int i = 0; i < writable.size(); i++) {
                ChannelSpec c = writable.get(i);
                String key = CHANNEL_PREFIX + c.name();
                boolean ownUnit = c.unit() == ModbusRequest.DEVICE_UNIT || c.unit() == deviceUnit;
                if (ownUnit && c.table() == ChannelSpec.Table.HOLDING) {
                    for (int m = 0; m < motors.size(); m++) {
                        if (motors.get(m) >= c.address() && motors.get(m) < c.address() + c.span()) {
                            error(key, raw(key), "a writable channel on motor" + m + "'s register " + motors.get(m)
                                    + " (motor.registers): motors are driven by device_set_motor_speed only");
                        }
                    }
                }
                if (ownUnit && c.table() == ChannelSpec.Table.COIL && c.address() >= coilStart
                        && c.address() < coilStart + outputs) {
                    error(key, raw(key), "a writable channel on output" + (c.address() - coilStart) + "'s coil "
                            + c.address() + " (output.coil.start, digital.outputs): outputs are set by "
                            + "device_set_digital_output only");
                }
                for (int j = i + 1; j < writable.size(); j++) {
                    ChannelSpec o = writable.get(j);
                    int cu = c.unit() == ModbusRequest.DEVICE_UNIT ? deviceUnit : c.unit();
                    int ou = o.unit() == ModbusRequest.DEVICE_UNIT ? deviceUnit : o.unit();
                    if (cu == ou && c.table() == o.table() && c.address() < o.address() + o.span()
                            && o.address() < c.address() + c.span()) {
                        error(key, raw(key), "writable, and overlaps the writable channel " + CHANNEL_PREFIX + o.name()
                                + " (two writers of one register corrupt each other)");
                    }
                }
            }
        }

        Map<String, ChannelSpec> channels(String key) {
            Map<String, ChannelSpec> channels = new LinkedHashMap<>();
            for (String entry : split(text(key, ""))) {
                String[] parts = entry.split(":", -1);
                String name = parts[0].trim();
                if (parts.length < 2 || parts.length > 3 || !CHANNEL.matcher(name).matches()) {
                    error(key, entry, "expected name:input-register[:scale], the name a letter or '_' and then "
                            + "letters, digits, '_' or '.'");
                    continue;
                }
                Integer address = address(key, entry, parts[1].trim());
                double scale = 1.0;
                if (parts.length == 3) {
                    try {
                        scale = Double.parseDouble(parts[2].trim());
                    } catch (NumberFormatException e) {
                        scale = Double.NaN;
                    }
                    if (!(scale > 0) || !Double.isFinite(scale)) {
                        error(key, entry, "the scale must be a finite number above 0");
                        continue;
                    }
                }
                if (address != null && channels.put(name, ChannelSpec.telemetry(name, address, scale)) != null) {
                    error(key, entry, "channel '" + name + "' is defined twice");
                }
            }
            return channels;
        }

        /** {@code input:N}, {@code holding:N} or {@code coil:N}; empty: the first channel, motor or output. */
        ModbusRequest probe(String key, List<Integer> motors, int coilStart, int outputs,
                            Map<String, ChannelSpec> channels) {
            String spec = text(key, "");
            if (spec.isEmpty()) {
                if (!channels.isEmpty()) {
                    ChannelSpec first = channels.values().iterator().next();
                    return new ModbusRequest(first.table().readFunction, first.address(), first.span())
                            .forUnit(first.unit());
                }
                if (!motors.isEmpty()) {
                    return ModbusRequest.readHoldingRegisters(motors.get(0), 1);
                }
                return outputs > 0 ? ModbusRequest.readCoils(coilStart, 1) : ModbusRequest.readInputRegisters(0, 1);
            }
            String[] parts = spec.split(":", -1);
            Integer address = parts.length == 2 ? address(key, spec, parts[1].trim()) : null;
            if (address != null) {
                switch (parts[0].trim()) {
                    case "input": return ModbusRequest.readInputRegisters(address, 1);
                    case "holding": return ModbusRequest.readHoldingRegisters(address, 1);
                    case "coil": return ModbusRequest.readCoils(address, 1);
                    default: break;
                }
            }
            if (parts.length != 2 || address != null) {
                error(key, spec, "expected input:N, holding:N or coil:N");
            }
            return ModbusRequest.readInputRegisters(0, 1);
        }

        /** A register or coil address from {@code text}, part of {@code shown}; reports and returns null if bad. */
        private Integer address(String key, String shown, String text) {
            try {
                int a = asciiInt(text);
                if (a >= 0 && a <= 65535) {
                    return a;
                }
                error(key, shown, "address " + a + " is outside 0..65535");
            } catch (NumberFormatException e) {
                error(key, shown, "'" + text + "' is not an address");
            }
            return null;
        }
    }

    /** Integer.parseInt takes non-ASCII digits ("١٠" is 10): a configuration number is ASCII. */
    static int asciiInt(String text) {
        if (!text.matches("[+-]?[0-9]{1,9}")) {
            throw new NumberFormatException(text);
        }
        return Integer.parseInt(text);
    }

    static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (String p : text.split(",")) {
            if (!p.isBlank()) {
                parts.add(p.trim());
            }
        }
        return parts;
    }
}
