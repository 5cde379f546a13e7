package org.scriptbox.api.device;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A device's configured safe state (its configuration key {@code safe.state}), parsed once by the driver:
 * where {@link Device#applySafeState} puts the actuators an abnormally ended execution touched.
 * <p>
 * Text: a base, {@code stop} (motors to 0, outputs off; the default) or {@code leave} (untouched), then
 * optional per-actuator overrides, comma-separated: {@code motorN=<speed -100..100>|leave},
 * {@code outputN=on|off|leave}. Example: {@code stop, output2=on, motor1=leave} (a pump that keeps its
 * valve open and a brake motor left alone). Immutable.
 */
public final class SafeState {
    /** The default: everything a script touched stops. Safe for conveyors, spindles, heaters; not for all machines. */
    public static final SafeState STOP = new SafeState(false, Map.of());
    public static final SafeState LEAVE = new SafeState(true, Map.of());

    /** Marks an override that leaves its actuator alone. */
    private static final Object LEAVE_MARK = new Object();

    /** Per actuator: a Double speed, a Boolean output state, or {@link #LEAVE_MARK}. */
    private final Map<Actuator, Object> overrides;
    private final boolean leaveByDefault;

    private SafeState(boolean leaveByDefault, Map<Actuator, Object> overrides) {
        this.leaveByDefault = leaveByDefault;
        this.overrides = overrides;
    }

    /**
     * Parses the text; blank means {@link #STOP}.
     * @throws IllegalArgumentException naming the bad part, e.g. {@code bad safe.state entry 'motor1=fast': ...}
     */
    public static SafeState parse(String text) {
        if (text == null || text.isBlank()) {
            return STOP;
        }
        Boolean leave = null;
        Map<Actuator, Object> overrides = new TreeMap<>();
        for (String raw : text.split(",")) {
            String part = raw.trim();
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (leave != null || !(part.equals("stop") || part.equals("leave"))) {
                    throw bad(part, "expected one base 'stop' or 'leave', then motorN=... or outputN=...");
                }
                leave = part.equals("leave");
                continue;
            }
            Actuator a = actuator(part, part.substring(0, eq).trim());
            String value = part.substring(eq + 1).trim();
            overrides.put(a, value(part, a, value));
        }
        return new SafeState(leave != null && leave, Collections.unmodifiableMap(overrides));
    }

    private static Actuator actuator(String part, String key) {
        try {
            return Actuator.parse(key);
        } catch (IllegalArgumentException e) {
            throw bad(part, "the key must be motorN or outputN with N from 0 to 255");
        }
    }

    private static Object value(String part, Actuator a, String value) {
        if (value.equals("leave")) {
            return LEAVE_MARK;
        }
        if (a.kind() == Actuator.Kind.OUTPUT) {
            if (value.equals("on") || value.equals("off")) {
                return value.equals("on");
            }
            throw bad(part, "an output's safe value is on, off or leave");
        }
        try {
            double speed = Double.parseDouble(value);
            if (Double.isFinite(speed) && speed >= -100 && speed <= 100) {
                return speed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(part, "a motor's safe value is a speed from -100 to 100 or leave");
    }

    private static IllegalArgumentException bad(String part, String why) {
        return new IllegalArgumentException("bad safe.state entry '" + part + "': " + why);
    }

    /**
     * Checks that every override names an actuator the device has.
     * @throws IllegalArgumentException naming the first one it does not have
     */
    public SafeState checkAgainst(int motors, int outputs) {
        for (Actuator a : overrides.keySet()) {
            int count = a.kind() == Actuator.Kind.MOTOR ? motors : outputs;
            if (a.index() >= count) {
                throw new IllegalArgumentException("bad safe.state entry '" + a + "': the device has " + count + " "
                        + (a.kind() == Actuator.Kind.MOTOR ? "motor" : "output") + (count == 1 ? "" : "s"));
            }
        }
        return this;
    }

    /** Whether the safe state leaves this actuator as it is. */
    public boolean leaves(Actuator a) {
        Object v = overrides.get(a);
        return v == null ? leaveByDefault : v == LEAVE_MARK;
    }

    /** The safe speed of a motor that is not left alone (0 unless overridden). */
    public double motorSpeed(int motor) {
        return overrides.get(Actuator.motor(motor)) instanceof Double d ? d : 0.0;
    }

    /** The safe state of an output that is not left alone (off unless overridden). */
    public boolean output(int pin) {
        return overrides.get(Actuator.output(pin)) instanceof Boolean b && b;
    }

    /** The normalised text, e.g. {@code stop, motor1=leave, output2=on}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(leaveByDefault ? "leave" : "stop");
        overrides.forEach((a, v) -> s.append(", ").append(a).append('=').append(v == LEAVE_MARK ? "leave"
                : v instanceof Boolean b ? (b ? "on" : "off") : v));
        return s.toString();
    }
}
