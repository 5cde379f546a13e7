package org.scriptbox.drivermodbus.internal;

import java.util.List;
import java.util.function.Supplier;

import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.WriteOutcome;

/**
 * What both lanes share: the per-request timeout, the health every exchange feeds, and the one rule that
 * turns a failed request into a {@link DeviceException} with the right write outcome. Thread-safe (each
 * lane passes its own connection).
 */
final class DeviceLink {
    private final long timeoutNanos;
    private final LinkHealth health;

    DeviceLink(int timeoutMillis, LinkHealth health) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.health = health;
    }

    LinkHealth health() {
        return health;
    }

    /** The deadline of one request started now: the request timeout, or the caller's deadline if sooner. */
    long deadline(long callerDeadlineNanos) {
        long own = System.nanoTime() + timeoutNanos;
        return callerDeadlineNanos - own < 0 ? callerDeadlineNanos : own;
    }

    long deadline() {
        return System.nanoTime() + timeoutNanos;
    }

    /** One exchange on {@code connection}, recorded in the health: an answer (a refusal too) proves the link. */
    byte[] exchange(ModbusTransport connection, ModbusRequest request, long deadlineNanos,
                    Supplier<String> withdrawal) throws ModbusFailure {
        long start = System.nanoTime();
        try {
            byte[] answer = connection.exchange(request, deadlineNanos, withdrawal);
            health.answered(start, null);
            return answer;
        } catch (ModbusFailure f) {
            switch (f.kind()) {
                case REFUSED, MALFORMED -> health.answered(start, f.getMessage());
                case NOT_SENT, NO_ANSWER, TIMEOUT -> health.failed(f.getMessage());
                case WITHDRAWN -> { }   // says nothing about the device
            }
            throw f;
        }
    }

    /**
     * Every request pipelined on {@code connection} ({@link ModbusTransport#exchangeAll}), recorded in the
     * health once: any answer proves the link. Per request, {@code null} (answered) or why it failed.
     */
    List<ModbusTransport.Reply> exchangeAll(ModbusTransport connection, List<ModbusRequest> requests,
                                            long deadlineNanos) {
        long start = System.nanoTime();
        List<ModbusTransport.Reply> replies = connection.exchangeAll(requests, deadlineNanos);
        String refusal = null;
        String silence = null;
        boolean answered = false;
        for (ModbusTransport.Reply reply : replies) {
            ModbusFailure f = reply.failure();
            if (f == null) {
                answered = true;
            } else if (f.kind() == ModbusFailure.Kind.REFUSED || f.kind() == ModbusFailure.Kind.MALFORMED) {
                answered = true;
                refusal = f.getMessage();
            } else if (f.kind() != ModbusFailure.Kind.WITHDRAWN) {
                silence = f.getMessage();
            }
        }
        if (answered) {
            health.answered(start, refusal);
        } else if (silence != null) {
            health.failed(silence);
        }
        return replies;
    }

    /**
     * A write's failure as scripts see it. Only a request that never left is NOT_SENT; one that may have
     * reached the device and got no valid answer is UNKNOWN, never "failed", since it may still happen.
     */
    static DeviceException writeFailure(ModbusFailure f) {
        return switch (f.kind()) {
            case WITHDRAWN -> DeviceException.withdrawn(f.getMessage());
            case NOT_SENT -> new DeviceException(WriteOutcome.NOT_SENT, DeviceException.Fault.UNREACHABLE,
                    "not sent: " + f.getMessage());
            case REFUSED -> DeviceException.refused("refused: " + f.getMessage());
            case NO_ANSWER, TIMEOUT, MALFORMED -> DeviceException.noAnswer("outcome unknown (sent, no valid answer; the "
                    + "device may have applied it): " + f.getMessage());
        };
    }

    /** Whether a read that failed this way may be tried again (nothing about the request itself was wrong). */
    static boolean retryable(ModbusFailure f) {
        return f.kind() == ModbusFailure.Kind.NOT_SENT || f.kind() == ModbusFailure.Kind.NO_ANSWER
                || f.kind() == ModbusFailure.Kind.TIMEOUT;
    }
}
