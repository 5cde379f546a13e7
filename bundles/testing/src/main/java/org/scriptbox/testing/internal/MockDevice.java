package org.scriptbox.testing.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * One mock device of a test case: its motors, outputs and channels as the script last set them, and the telemetry
 * the test gave it. A channel's value is a number, or a list read one value per read (the last one repeats);
 * {@code motorN.speed} reads motor N's speed unless the test gives it.
 */
final class MockDevice {
    static final int MAX_MOTORS = 256;
    final String id;
    final int motors;
    final double[] speeds;
    final boolean[] outputs;
    final boolean connected;
    /** Channel → a Double, or a List of Doubles with the next index in {@link #next}. */
    final Map<String, Object> channels = new LinkedHashMap<>();
    private final Map<String, Integer> next = new LinkedHashMap<>();
    boolean stopped;

    private MockDevice(String id, int motors, int outputs, boolean connected) {
        this.id = id;
        this.motors = motors;
        this.speeds = new double[motors];
        this.outputs = new boolean[outputs];
        this.connected = connected;
    }

    static MockDevice of(Args a, String id, Map<?, ?> spec) {
        for (Object key : spec.keySet()) {
            if (!List.of("motors", "digital_outputs", "telemetry", "connected").contains(key)) {
                throw a.bad(1, "spec", "unknown field '" + key + "' (fields: motors, digital_outputs, telemetry, connected)");
            }
        }
        int motors = count(a, spec, "motors", 1);
        int outputs = count(a, spec, "digital_outputs", 0);
        Object connected = spec.get("connected");
        if (connected != null && !(connected instanceof Boolean)) {
            throw a.bad(1, "spec", "connected: boolean expected, got " + Args.typeName(connected));
        }
        MockDevice d = new MockDevice(id, motors, outputs, connected == null || (Boolean) connected);
        Object telemetry = spec.get("telemetry");
        if (telemetry != null && !(telemetry instanceof Map)) {
            throw a.bad(1, "spec", "telemetry: table expected (channel = number or list of numbers), got "
                    + Args.typeName(telemetry));
        }
        if (telemetry != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) telemetry).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw a.bad(1, "spec", "telemetry: channel names are strings, got " + Args.typeName(e.getKey()));
                }
                d.channels.put((String) e.getKey(), values(a, (String) e.getKey(), e.getValue()));
            }
        }
        return d;
    }

    private static int count(Args a, Map<?, ?> spec, String field, int otherwise) {
        Object v = spec.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!(v instanceof Double d) || d != Math.rint(d) || d < 0 || d > MAX_MOTORS) {
            throw a.bad(1, "spec", field + ": a whole number from 0 to " + MAX_MOTORS + " expected, got " + Args.show(v));
        }
        return (int) (double) d;
    }

    /** A number, or a sequence of numbers (a Lua list arrives as a map 1..n). */
    private static Object values(Args a, String channel, Object v) {
        if (v instanceof Double) {
            return v;
        }
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            List<Double> list = new ArrayList<>();
            for (int i = 1; i <= m.size(); i++) {
                Object x = m.get((double) i);
                if (!(x instanceof Double)) {
                    throw a.bad(1, "spec", "telemetry." + channel + ": a number or a list of numbers expected");
                }
                list.add((Double) x);
            }
            return list;
        }
        throw a.bad(1, "spec", "telemetry." + channel + ": a number or a list of numbers expected, got " + Args.typeName(v));
    }

    List<String> channelNames() {
        List<String> names = new ArrayList<>(channels.keySet());
        for (int m = 0; m < motors; m++) {
            if (!names.contains("motor" + m + ".speed")) {
                names.add("motor" + m + ".speed");
            }
        }
        return names;
    }

    /** The channel's next value, or null if there is no such channel. */
    Double read(String channel) {
        Object v = channels.get(channel);
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof List<?> list) {
            int i = next.getOrDefault(channel, 0);
            next.put(channel, Math.min(i + 1, list.size() - 1));
            return (Double) list.get(i);
        }
        if (channel.startsWith("motor") && channel.endsWith(".speed")) {
            try {
                int m = Integer.parseInt(channel.substring(5, channel.length() - 6));
                return m >= 0 && m < motors ? speeds[m] : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    void stop() {
        java.util.Arrays.fill(speeds, 0);
        java.util.Arrays.fill(outputs, false);
        stopped = true;
    }

}
