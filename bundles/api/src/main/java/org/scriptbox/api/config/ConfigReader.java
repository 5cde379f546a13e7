package org.scriptbox.api.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.text.LuaNumbers;

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

    /** Whether a refusal keeps the current value (a running component) or stops the activation (a driver). */
    private final boolean activation;

    public ConfigReader(String pid, Map<String, ?> properties) {
        this(pid, properties, false);
    }

    private ConfigReader(String pid, Map<String, ?> properties, boolean activation) {
        this.pid = pid;
        this.properties = properties == null ? Map.of() : properties;
        this.activation = activation;
    }

    /**
     * For a component that is not started at all when a value is bad (a driver: better no device than one
     * with a guessed setting): the refusal lines say so instead of naming a value kept.
     */
    public static ConfigReader refusingActivation(String pid, Map<String, ?> properties) {
        return new ConfigReader(pid, properties, true);
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

    /** A finite decimal number in {@code [min, max]}; absent: {@code defaultValue}; refused (NaN, inf, text): {@code current}. */
    public double doubleBetween(String key, double min, double max, double defaultValue, double current) {
        Object raw = properties.get(key);
        if (raw == null) {
            return defaultValue;
        }
        Double value = decimal(raw);
        if (value == null) {
            return refuse(key, raw, "is not a number", current);
        }
        if (value < min || value > max) {
            return refuse(key, raw, "is out of range (must be between " + LuaNumbers.format(min) + " and "
                    + LuaNumbers.format(max) + ")", current);
        }
        return value;
    }

    /** {@code true} or {@code false} (any case); absent: {@code defaultValue}; anything else refused: {@code current}. */
    public boolean flag(String key, boolean defaultValue, boolean current) {
        Object raw = properties.get(key);
        if (raw == null) {
            return defaultValue;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        String s = raw.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        return refuse(key, raw, "is neither true nor false", current);
    }

    /** Records a refusal found by the component itself (e.g. two keys that must agree); keeps {@code current}. */
    public <T> T refuse(String key, Object raw, String why, T current) {
        refusals.add("configuration " + pid + ": " + key + " = " + shown(raw) + " refused, it " + why
                + (activation ? "; not started" : "; keeping " + current));
        return current;
    }

    private long refuse(String key, Object raw, String why, long current) {
        return refuse(key, raw, why, Long.valueOf(current));
    }

    /** One line per refused value, for the log at ERROR; empty when all were accepted. */
    public List<String> refusals() {
        return List.copyOf(refusals);
    }

    private static final java.util.regex.Pattern ASCII_WHOLE = java.util.regex.Pattern.compile("[+-]?[0-9]{1,19}");

    private double refuse(String key, Object raw, String why, double current) {
        refuse(key, raw, why, LuaNumbers.format(current)); // "keeping 0.5", "keeping 2", not Java's "2.0"
        return current;
    }

    private static final java.util.regex.Pattern ASCII_DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]{1,300}(\\.[0-9]{0,300})?|\\.[0-9]{1,300})([eE][+-]?[0-9]{1,4})?");

    private static Double decimal(Object raw) {
        double d;
        if (raw instanceof Number n) {
            d = n.doubleValue();
        } else {
            String s = raw.toString().trim();
            if (!ASCII_DECIMAL.matcher(s).matches()) {
                return null; // Double.parseDouble takes "NaN", "Infinity", "0x1p3" and a trailing "d"
            }
            d = Double.parseDouble(s);
        }
        return Double.isFinite(d) ? d : null;
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
        if (!ASCII_WHOLE.matcher(s).matches()) {
            return null; // Long.parseLong alone takes "+-5" (after the '+' is cut) and non-ASCII digits ("١٠" is 10)
        }
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
