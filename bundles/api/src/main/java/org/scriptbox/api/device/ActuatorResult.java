package org.scriptbox.api.device;

/**
 * What one target of a stop or safe state got.
 *
 * @param actuator the motor or output
 * @param outcome  what became of its write
 * @param message  why, when not {@link WriteOutcome#ACKNOWLEDGED} (plain text for operators), else {@code null}
 */
public record ActuatorResult(Actuator actuator, WriteOutcome outcome, String message) {
    public static ActuatorResult acknowledged(Actuator actuator) {
        return new ActuatorResult(actuator, WriteOutcome.ACKNOWLEDGED, null);
    }

    public boolean ok() {
        return outcome == WriteOutcome.ACKNOWLEDGED;
    }
}
