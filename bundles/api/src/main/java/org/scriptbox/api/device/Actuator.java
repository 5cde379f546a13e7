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
