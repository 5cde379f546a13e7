package org.scriptbox.driversim.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The physics of a simulated device, on an injectable clock: motors ramp towards their set speed at a
 * fixed rate, outputs latch, and telemetry follows the motors (current draw, voltage sag, warming) with a
 * slow wave on top so that repeated reads move. Thread-safe.
 */
final class SimModel {
    private final int motors;
    private final boolean[] outputs;
    private final double rampPerSecond;
    private final LongSupplier nanoClock;
    private final long startNanos;
    // Per motor: where the ramp started, when, and where it is heading.
    private final double[] fromSpeed;
    private final long[] fromNanos;
    private final double[] target;

    SimModel(int motors, int outputs, double rampPerSecond, LongSupplier nanoClock) {
        this.motors = motors;
        this.outputs = new boolean[outputs];
        this.rampPerSecond = rampPerSecond;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.fromSpeed = new double[motors];
        this.fromNanos = new long[motors];
        this.target = new double[motors];
    }

    synchronized void setMotorSpeed(int motor, double speed) {
        long now = nanoClock.getAsLong();
        fromSpeed[motor] = speedAt(motor, now);
        fromNanos[motor] = now;
        target[motor] = speed;
    }

    synchronized void setOutput(int pin, boolean state) {
        outputs[pin] = state;
    }

    /** Sets a motor to {@code speed} at once, without a ramp (a stop brakes). */
    synchronized void stopMotor(int motor, double speed) {
        fromSpeed[motor] = speed;
        fromNanos[motor] = nanoClock.getAsLong();
        target[motor] = speed;
    }

    synchronized double speed(int motor) {
        return speedAt(motor, nanoClock.getAsLong());
    }

    synchronized double target(int motor) {
        return target[motor];
    }

    synchronized boolean output(int pin) {
        return outputs[pin];
    }

    private double speedAt(int motor, long now) {
        double maxStep = rampPerSecond * (now - fromNanos[motor]) / 1e9;
        double delta = target[motor] - fromSpeed[motor];
        return Math.abs(delta) <= maxStep ? target[motor] : fromSpeed[motor] + Math.signum(delta) * maxStep;
    }

    /**
     * A channel's current value: {@code temperature} (°C), {@code voltage} (V), {@code current} (A),
     * {@code motorN.speed}, {@code outputN} (0/1); any other name reads a slow wave between 0 and 100.
     */
    synchronized double read(String channel) {
        long now = nanoClock.getAsLong();
        double seconds = (now - startNanos) / 1e9;
        double load = 0;
        for (int m = 0; m < motors; m++) {
            load += Math.abs(speedAt(m, now));
        }
        switch (channel) {
            case "temperature":
                return round(25.0 + 0.02 * load + 1.5 * Math.sin(seconds / 7.0) + 0.2 * Math.sin(seconds * 1.3));
            case "voltage":
                return round(24.0 - 0.004 * load + 0.05 * Math.sin(seconds * 2.1));
            case "current":
                return round(0.05 * load + 0.1 + 0.02 * Math.abs(Math.sin(seconds * 3.7)));
            default:
                Integer motor = index(channel, "motor", ".speed", motors);
                if (motor != null) {
                    return speedAt(motor, now);
                }
                Integer pin = index(channel, "output", "", outputs.length);
                if (pin != null) {
                    return outputs[pin] ? 1 : 0;
                }
                return round(50 + 50 * Math.sin(seconds / 5.0 + channel.hashCode()));
        }
    }

    /** Whether {@link #read} gives something specific for this name. */
    boolean knows(String channel) {
        return List.of("temperature", "voltage", "current").contains(channel)
                || index(channel, "motor", ".speed", motors) != null || index(channel, "output", "", outputs.length) != null;
    }

    synchronized Map<String, Object> details() {
        long now = nanoClock.getAsLong();
        Map<String, Object> d = new LinkedHashMap<>();
        for (int m = 0; m < motors; m++) {
            d.put("motor" + m + ".speed", speedAt(m, now));
            d.put("motor" + m + ".target", target[m]);
        }
        StringBuilder bits = new StringBuilder();
        for (boolean o : outputs) {
            bits.append(o ? '1' : '0');
        }
        d.put("outputs", bits.toString());
        return d;
    }

    private static Integer index(String channel, String prefix, String suffix, int count) {
        if (!channel.startsWith(prefix) || !channel.endsWith(suffix)
                || channel.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        try {
            int i = Integer.parseInt(channel.substring(prefix.length(), channel.length() - suffix.length()));
            return i >= 0 && i < count ? i : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
