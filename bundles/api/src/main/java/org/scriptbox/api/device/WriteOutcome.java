package org.scriptbox.api.device;

/**
 * What became of a write (a motor speed, an output, one target of a stop). These are four different facts
 * and scripts, logs and operators see which one happened: a write is never reported failed and then executed.
 */
public enum WriteOutcome {
    /** The device confirmed it. */
    ACKNOWLEDGED,
    /** The device answered that it did not apply it (e.g. a Modbus exception response). */
    REFUSED,
    /** It never left scriptbox: link down, withdrawn because the caller gave up, abandoned for an e-stop. */
    NOT_SENT,
    /** It was sent and no answer came in time: the device may or may not have applied it. */
    UNKNOWN
}
