package org.scriptbox.api.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads numbers from a component's raw configuration properties (as ConfigAdmin hands them over, strings
 * from {@code etc/*.cfg} included) with a range per key. A key that is absent takes its default; a value
 * that is out of range or not a number is refused and the key keeps its {@code current} value, and the
 * refusal is one sentence for the log ({@link #refusals()}), never a stack trace. Components take
 * {@code Map<String, Object>} in {@code @Activate}/{@code @Modified} and read through this class, because
 * SCR's own conversion to the {@code Config} annotation throws (with a stack trace) on {@code abc} and
 * lets {@code 0} or {@code -1} through.
 *
 * <pre>
 * ConfigReader r = new ConfigReader("org.scriptbox.manager", properties);
 * int max = r.intBetween("max.concurrent", 1, 1000, 10, current.maxConcurrent());
 * r.refusals().forEach(LOG::error);
 * </pre>
 */
public final class ConfigReader {
    private final String pid;
    private final Map<String, ?> properties;
    private final List<String> refusals = new ArrayList<>();

    public ConfigReader(String pid, Map<String, ?> properties) {
        this.pid = pid;
        this.properties = properties == null ? Map.of() : properties;
    }

    /** An integer in {@code [min, max]}; absent: {@code defaultValue}; refused: {@code current}. */
    public int intBetween(String key, int min, int max, int defaultValue, int current) {
        return (int) longBetween(key, min, max, defaultValue, current);
    }

    /** A long in {@code [min, max]}; absent: {@code defaultValue}; refused: {@code current}. */
    public long longBetween(String key, long min, long max, long defaultValue, long current) {
        Object raw = properties.get(key);
        if (raw == null) {
            return defaultValue;
        }
        Long value = whole(raw);
        if (value == null) {
            return refuse(key, raw, "is not a whole number", current);
        }
        if (value < min || value > max) {
            String range = max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            return refuse(key, raw, "is out of range (must be " + range + ")", current);
        }
        return value;
    }

    /** Records a refusal found by the component itself (e.g. two keys that must agree); keeps {@code current}. */
    public <T> T refuse(String key, Object raw, String why, T current) {
        refusals.add("configuration " + pid + ": " + key + " = " + shown(raw) + " refused, it " + why + "; keeping " + current);
        return current;
    }

    private long refuse(String key, Object raw, String why, long current) {
        return refuse(key, raw, why, Long.valueOf(current));
    }

    /** One line per refused value, for the log at ERROR; empty when all were accepted. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    private static Long whole(Object raw) {
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 0x1p62 ? (long) d : null;
        }
        String s = raw.toString().trim();
        try {
            return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The value as the operator wrote it, kept short and on one line. */
    private static String shown(Object raw) {
        String s = String.valueOf(raw);
        if (s.length() > 40) {
            s = s.substring(0, 40) + "...";
        }
        return "'" + org.scriptbox.api.text.SafeText.line(s) + "'";
    }
}
