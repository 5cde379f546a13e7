package org.scriptbox.api.device;

/**
 * One thing on a device that moves or switches: a motor or a digital output, by index.
 *
 * @param kind  motor or output
 * @param index motor id or output pin, from 0
 */
public record Actuator(Kind kind, int index) implements Comparable<Actuator> {
    public enum Kind {
        MOTOR,
        OUTPUT
    }

    public Actuator {
        if (kind == null || index < 0) {
            throw new IllegalArgumentException("an actuator needs a kind and an index >= 0");
        }
    }

    public static Actuator motor(int index) {
        return new Actuator(Kind.MOTOR, index);
    }

    public static Actuator output(int index) {
        return new Actuator(Kind.OUTPUT, index);
    }

    /**
     * Parses the configuration name {@code motorN} or {@code outputN} (N from 0 to 255).
     * @throws IllegalArgumentException saying what is wrong
     * @since 2.1
     */
    public static Actuator parse(String name) {
        String key = name == null ? "" : name.trim();
        Kind kind = key.startsWith("motor") ? Kind.MOTOR : key.startsWith("output") ? Kind.OUTPUT : null;
        String digits = kind == null ? "" : key.substring(kind == Kind.MOTOR ? 5 : 6);
        if (kind == null || digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(digits) > 255) {
            throw new IllegalArgumentException("'" + key + "' is not an actuator: expected motorN or outputN with N "
                    + "from 0 to 255");
        }
        return new Actuator(kind, Integer.parseInt(digits));
    }

    @Override
    public int compareTo(Actuator o) {
        int byKind = kind.compareTo(o.kind);
        return byKind != 0 ? byKind : Integer.compare(index, o.index);
    }

    /** {@code motor0}, {@code output3}: the names used in configuration, logs and shell output. */
    @Override
    public String toString() {
        return (kind == Kind.MOTOR ? "motor" : "output") + index;
    }
}
