package org.scriptbox.api.device;

/**
 * A device command did not succeed. Carries what became of the write ({@link #outcome()}) and what kind of
 * fault it was ({@link #fault()}); the message is shown to scripts and operators as it is, so it must be
 * short, plain text about the device (for a device's refusal: function, address, code and its meaning),
 * never a Java exception's text.
 */
public class DeviceException extends Exception {
    private static final long serialVersionUID = 2L;

    /** The kind of fault. */
    public enum Fault {
        /** The device could not be reached (link down, connect failed); nothing was sent. */
        UNREACHABLE,
        /** The device answered with an error (e.g. a Modbus exception response). */
        REFUSED,
        /** The request was sent and no answer came in time. */
        NO_ANSWER,
        /** Not sent: the caller gave up first, or it was abandoned for an emergency stop. */
        WITHDRAWN,
        /** The driver is stopping. */
        STOPPED
    }

    private final WriteOutcome outcome;
    private final Fault fault;

    /** The device could not be reached: {@link WriteOutcome#NOT_SENT}, {@link Fault#UNREACHABLE}. */
    public DeviceException(String message) {
        this(WriteOutcome.NOT_SENT, Fault.UNREACHABLE, message);
    }

    /** As {@link #DeviceException(String)}; the cause is for the driver's own log, never shown to scripts. */
    public DeviceException(String message, Throwable cause) {
        this(WriteOutcome.NOT_SENT, Fault.UNREACHABLE, message, cause);
    }

    public DeviceException(WriteOutcome outcome, Fault fault, String message) {
        this(outcome, fault, message, null);
    }

    public DeviceException(WriteOutcome outcome, Fault fault, String message, Throwable cause) {
        super(message, cause);
        this.outcome = outcome == null ? WriteOutcome.NOT_SENT : outcome;
        this.fault = fault == null ? Fault.UNREACHABLE : fault;
    }

    /** The device answered with an error: {@link WriteOutcome#REFUSED}. */
    public static DeviceException refused(String message) {
        return new DeviceException(WriteOutcome.REFUSED, Fault.REFUSED, message);
    }

    /** Sent, no answer in time: {@link WriteOutcome#UNKNOWN}. */
    public static DeviceException noAnswer(String message) {
        return new DeviceException(WriteOutcome.UNKNOWN, Fault.NO_ANSWER, message);
    }

    /** Not sent because the caller gave up or an e-stop abandoned it: {@link WriteOutcome#NOT_SENT}. */
    public static DeviceException withdrawn(String message) {
        return new DeviceException(WriteOutcome.NOT_SENT, Fault.WITHDRAWN, message);
    }

    /** The driver is stopping; {@code outcome} says whether the request had been sent. */
    public static DeviceException stopped(WriteOutcome outcome) {
        return new DeviceException(outcome, Fault.STOPPED, "driver stopped");
    }

    public WriteOutcome outcome() {
        return outcome;
    }

    public Fault fault() {
        return fault;
    }
}
