package org.scriptbox.drivermodbus.internal;

/**
 * Why one request did not succeed, in the terms the write outcomes need: whether the request may have
 * reached the device is what separates "not sent" from "outcome unknown".
 */
final class ModbusFailure extends Exception {
    private static final long serialVersionUID = 1L;

    enum Kind {
        /** Nothing left this host: no connection. */
        NOT_SENT,
        /** Nothing left this host: the caller gave up, or an e-stop abandoned the request, before it was sent. */
        WITHDRAWN,
        /** Sent (perhaps partly), and the connection broke before an answer: the device may have acted on it. */
        NO_ANSWER,
        /** Sent, and no answer within the timeout: the device may have acted on it, or still may. */
        TIMEOUT,
        /** The device answered with a Modbus exception: it refused the request. */
        REFUSED,
        /** The device answered, but the answer does not fit the request. */
        MALFORMED
    }

    private final Kind kind;

    ModbusFailure(Kind kind, String message) {
        super(message, null, false, false);   // a value, not a trace: it becomes a message for a script
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
