package org.scriptbox.api.device;

/**
 * One thing on a device that moves or switches: a motor or a digital output, by index, or (since 2.4) a
 * writable channel, by name (a setpoint, a valve, a coil written through {@link Device#writeChannel}): every one
 * of them is stopped by an e-stop and put into its safe state like the others.
 *
 * @param kind    motor, output or channel
 * @param index   motor id or output pin, from 0; 0 for a channel
 * @param channel the channel's name for a {@link Kind#CHANNEL}, else {@code null} (since 2.4)
 */
public record Actuator(Kind kind, int index, String channel) implements Comparable<Actuator> {
    public enum Kind {
        MOTOR,
        OUTPUT,
        /** A writable channel, named by {@link Actuator#channel()}. @since 2.4 */
        CHANNEL
    }

    public Actuator {
        if (kind == null || index < 0) {
            throw new IllegalArgumentException("an actuator needs a kind and an index >= 0");
        }
        if ((kind == Kind.CHANNEL) != (channel != null) || (kind == Kind.CHANNEL && (channel.isBlank() || index != 0))) {
            throw new IllegalArgumentException("a channel actuator has a name and index 0; a motor or output no name");
        }
    }

    /** A motor or an output (the form before 2.4). */
    public Actuator(Kind kind, int index) {
        this(kind, index, null);
    }

    /**
     * The writable channel {@code name}.
     * @since 2.4
     */
    public static Actuator channel(String name) {
        return new Actuator(Kind.CHANNEL, 0, name);
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
        if (byKind != 0) {
            return byKind;
        }
        return kind == Kind.CHANNEL ? channel.compareTo(o.channel) : Integer.compare(index, o.index);
    }

    /** {@code motor0}, {@code output3}, {@code channel.speed_ref}: the names used in configuration, logs and shell output. */
    @Override
    public String toString() {
        return switch (kind) {
            case MOTOR -> "motor" + index;
            case OUTPUT -> "output" + index;
            case CHANNEL -> "channel." + channel;
        };
    }
}
