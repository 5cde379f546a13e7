package org.scriptbox.drivermodbus.internal;

import java.util.List;
import java.util.function.Supplier;

/**
 * One connection to the device, by whatever way it is reached (Modbus TCP, RTU framing over TCP, RTU on a
 * serial line), sending each request at most once. Used by one thread at a time (its lane).
 */
interface ModbusTransport {
    /** One answer of {@link #exchangeAll}: the checked PDU, or why there is none. */
    record Reply(byte[] pdu, ModbusFailure failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /**
     * Sends {@code request} once and returns the answer's checked PDU; connects first if needed. {@code
     * withdrawal} is asked once more after connecting, right before the request leaves: if it gives a reason,
     * nothing is sent and the failure is WITHDRAWN with that reason.
     */
    byte[] exchange(ModbusRequest request, long deadlineNanos, Supplier<String> withdrawal) throws ModbusFailure;

    default byte[] exchange(ModbusRequest request, long deadlineNanos) throws ModbusFailure {
        return exchange(request, deadlineNanos, () -> null);
    }

    /** Every request, each sent at most once; per request in order its answer or why it failed. */
    List<Reply> exchangeAll(List<ModbusRequest> requests, long deadlineNanos);

    /** Whether {@link #exchangeAll} has the requests outstanding at once (one round trip for all). */
    boolean pipelines();

    boolean isOpen();

    /** Whether the open connection is still usable (a non-blocking look). */
    boolean stillOpen();

    void close();
}
