package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.scriptbox.api.device.SafeState;

/**
 * A Modbus device's configuration, checked as a whole before the device exists: {@link #parse} either
 * returns settings in which every address, count and scale fits the protocol, or throws one
 * {@link Invalid} naming each bad key with its value. Keys are those of the .cfg file
 * ({@code etc/org.scriptbox.driver.modbus-NAME.cfg}); see {@link ModbusDeviceComponent.Config}.
 */
record ModbusSettings(String id, String host, int port, int unitId, int timeoutMillis, List<Integer> motorRegisters,
                      double speedScale, int coilStart, int outputs, Map<String, TelemetryChannel> channels,
                      String firmware, SafeState safeState, int probeIntervalMillis, ModbusRequest probe) {

    /** A telemetry channel: an input register read as a signed 16-bit value times the scale. */
    record TelemetryChannel(String name, int address, double scale) {
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
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,63}");
    /** Keys the platform adds to every configuration; anything else unknown is a typo that would go unnoticed. */
    private static final List<String> PLATFORM_PREFIXES = List.of("service.", "felix.", "component.", "osgi.");
    static final Set<String> KEYS = Set.of("device.id", "host", "port", "unit.id", "timeout.ms", "motor.registers",
            "speed.scale", "output.coil.start", "digital.outputs", "telemetry", "firmware.version", "safe.state",
            "probe.interval.ms", "probe");

    ModbusSettings {
        motorRegisters = List.copyOf(motorRegisters);
        channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));   // in configured order
    }

    static ModbusSettings parse(Map<String, ?> properties) throws Invalid {
        Reader r = new Reader(properties);
        for (String key : properties.keySet()) {
            if (!KEYS.contains(key) && PLATFORM_PREFIXES.stream().noneMatch(key::startsWith)) {
                r.error(key, properties.get(key), "unknown key (known: " + String.join(", ", KEYS.stream().sorted()
                        .toList()) + ")");
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
        Map<String, TelemetryChannel> channels = r.channels("telemetry");
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
        r.throwIfInvalid();
        return new ModbusSettings(id, host.trim(), port, unit, timeout, motors, scale, coilStart, outputs, channels,
                r.text("firmware.version", "modbus-tcp"), safe, probeInterval, probe);
    }

    /** Reads typed values from raw configuration properties, collecting every error. */
    private static final class Reader {
        private final Map<String, ?> properties;
        private final List<String> errors = new ArrayList<>();

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
                int n = Integer.parseInt(v);
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

        Map<String, TelemetryChannel> channels(String key) {
            Map<String, TelemetryChannel> channels = new LinkedHashMap<>();
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
                if (address != null && channels.put(name, new TelemetryChannel(name, address, scale)) != null) {
                    error(key, entry, "channel '" + name + "' is defined twice");
                }
            }
            return channels;
        }

        /** {@code input:N}, {@code holding:N} or {@code coil:N}; empty: the first channel, motor or output. */
        ModbusRequest probe(String key, List<Integer> motors, int coilStart, int outputs,
                            Map<String, TelemetryChannel> channels) {
            String spec = text(key, "");
            if (spec.isEmpty()) {
                if (!channels.isEmpty()) {
                    return ModbusRequest.readInputRegisters(channels.values().iterator().next().address(), 1);
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
                int a = Integer.parseInt(text);
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
