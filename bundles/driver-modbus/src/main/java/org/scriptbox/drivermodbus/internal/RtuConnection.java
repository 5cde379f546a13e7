package org.scriptbox.drivermodbus.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Modbus RTU framing (unit id, PDU, CRC-16) on a {@link ByteLink}: a serial line, or TCP to a gateway. RTU has
 * no transaction id, so one request is outstanding at a time; whatever arrived before a request is sent (a
 * late answer to an earlier, timed-out one) is thrown away first, and after a timeout or a bad frame the link
 * is closed and opened again. A late answer may still be on its way then, and it would look like the next
 * request's answer (same function, same length): so after a timeout the next request waits until the line
 * has been silent for half the request timeout (within that request's deadline), dropping whatever arrives, if it
 * is a read; a write goes at once (a late answer cannot pass its echo check, so at worst the write is UNKNOWN,
 * never a false acknowledgement, and a stop is not held back). Each request is sent at most once.
 */
final class RtuConnection implements ModbusTransport {
    private final ByteLink link;
    private final int unitId;
    private final Pacing pacing;
    private final long quietNanos;
    /** A request timed out: an answer to it may still come. */
    private boolean lateAnswerPossible;

    RtuConnection(ByteLink link, int unitId, LinkTiming timing) {
        this(link, unitId, timing, 1000);
    }

    /** @param quietMillis how long the line must be silent after a timeout before the next request */
    RtuConnection(ByteLink link, int unitId, LinkTiming timing, int quietMillis) {
        this.link = link;
        this.unitId = unitId;
        this.pacing = new Pacing(timing);
        this.quietNanos = quietMillis * 1_000_000L;
    }

    @Override
    public byte[] exchange(ModbusRequest request, long deadlineNanos, Supplier<String> withdrawal)
            throws ModbusFailure {
        connect(deadlineNanos);
        if (!pacing.awaitTurn(deadlineNanos)) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, "not sent: the deadline came during the pause "
                    + "between transactions");
        }
        String withdrawn = withdrawal.get();
        if (withdrawn != null) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, withdrawn);
        }
        try {
            // only a read can take a late answer for its own (a late answer fails a write's echo check: UNKNOWN)
            if (lateAnswerPossible && !request.isWrite()) {
                awaitQuiet(deadlineNanos);
            }
            link.discardInput();
        } catch (SocketTimeoutException e) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, "not sent: the line was not silent before the "
                    + "deadline (a late answer to an earlier request may still come)");
        } catch (IOException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, "link lost: " + reason(e));
        }
        int unit = request.unitOr(unitId);
        try {
            send(frame(unit, request.pdu()));
            return request.check(answer(request, unit, deadlineNanos));
        } finally {
            pacing.ended();
        }
    }

    /** One at a time (RTU has no transaction ids), each with the budget the first had. */
    @Override
    public List<Reply> exchangeAll(List<ModbusRequest> requests, long deadlineNanos) {
        long budget = Math.max(0, deadlineNanos - System.nanoTime());
        List<Reply> replies = new ArrayList<>();
        for (ModbusRequest r : requests) {
            try {
                replies.add(new Reply(exchange(r, System.nanoTime() + budget, () -> null), null));
            } catch (ModbusFailure f) {
                replies.add(new Reply(null, f));
            }
        }
        return replies;
    }

    @Override
    public boolean pipelines() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return link.isOpen();
    }

    @Override
    public boolean stillOpen() {
        return link.isOpen() && link.stillOpen();
    }

    @Override
    public void close() {
        link.close();
    }

    private void connect(long deadlineNanos) throws ModbusFailure {
        if (link.isOpen() && !link.stillOpen()) {
            link.close();
        }
        if (link.isOpen()) {
            return;
        }
        String backoff = pacing.connectRefusal();
        if (backoff != null) {
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, backoff);
        }
        try {
            link.open(pacing.connectDeadline(deadlineNanos));
            pacing.connected();
        } catch (IOException e) {
            link.close();
            pacing.connectFailed();
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, "cannot connect to " + link.describe() + ": "
                    + reason(e));
        }
    }

    private void send(byte[] frame) throws ModbusFailure {
        try {
            link.write(frame);
        } catch (IOException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "link lost while sending: " + reason(e));
        }
    }

    /** The answer's PDU, its length known from its function code; checks unit and CRC. */
    private byte[] answer(ModbusRequest request, int unit, long deadlineNanos) throws ModbusFailure {
        try {
            byte[] head = readFully(2, deadlineNanos);
            int fn = head[1] & 0xff;
            int rest;
            byte[] third = null;
            if (fn == (request.function() | 0x80)) {
                rest = 3;                          // exception code, CRC
            } else if (fn != request.function()) {
                close();   // the frame's length is unknown: nothing more on this link can be framed
                throw new ModbusFailure(ModbusFailure.Kind.MALFORMED, request.describe() + ": malformed answer (an "
                        + "answer for function " + fn + "); link reset");
            } else if (request.isWrite()) {
                rest = 6;                          // address, value or count, CRC
            } else {
                third = readFully(1, deadlineNanos);
                rest = (third[0] & 0xff) + 2;      // data, CRC
            }
            byte[] tail = readFully(rest, deadlineNanos);
            byte[] frame = new byte[2 + (third == null ? 0 : 1) + rest];
            System.arraycopy(head, 0, frame, 0, 2);
            if (third != null) {
                frame[2] = third[0];
            }
            System.arraycopy(tail, 0, frame, frame.length - rest, rest);
            int crc = crc(frame, frame.length - 2);
            if ((frame[frame.length - 2] & 0xff) != (crc & 0xff) || (frame[frame.length - 1] & 0xff) != (crc >> 8)) {
                close();
                throw new ModbusFailure(ModbusFailure.Kind.MALFORMED, request.describe() + ": malformed answer "
                        + "(CRC error); link reset");
            }
            if ((frame[0] & 0xff) != unit) {
                throw new ModbusFailure(ModbusFailure.Kind.MALFORMED, "answer from unit " + (frame[0] & 0xff)
                        + " instead of " + unit);
            }
            byte[] pdu = new byte[frame.length - 3];
            System.arraycopy(frame, 1, pdu, 0, pdu.length);
            return pdu;
        } catch (SocketTimeoutException e) {
            close();
            lateAnswerPossible = true;
            throw new ModbusFailure(ModbusFailure.Kind.TIMEOUT, "no answer in time; link reset");
        } catch (IOException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "link lost: " + reason(e));
        }
    }

    /**
     * Drops what arrives until the line has been silent for the quiet time; a {@link SocketTimeoutException}
     * if that cannot happen before {@code deadlineNanos} (nothing may be sent then: its answer could be taken
     * for a late one, or the other way round).
     */
    private void awaitQuiet(long deadlineNanos) throws IOException {
        byte[] b = new byte[256];
        while (true) {
            long until = System.nanoTime() + quietNanos;
            if (until - deadlineNanos > 0) {
                throw new SocketTimeoutException("no quiet time left");
            }
            try {
                link.read(b, 0, b.length, until);
            } catch (SocketTimeoutException e) {
                lateAnswerPossible = false;   // silent for the quiet time: whatever comes now answers the next
                return;
            }
        }
    }

    private byte[] readFully(int n, long deadlineNanos) throws IOException {
        byte[] b = new byte[n];
        int at = 0;
        while (at < n) {
            at += link.read(b, at, n - at, deadlineNanos);
        }
        return b;
    }

    static byte[] frame(int unit, byte[] pdu) {
        byte[] f = new byte[pdu.length + 3];
        f[0] = (byte) unit;
        System.arraycopy(pdu, 0, f, 1, pdu.length);
        int crc = crc(f, pdu.length + 1);
        f[f.length - 2] = (byte) crc;
        f[f.length - 1] = (byte) (crc >> 8);
        return f;
    }

    /** CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first. */
    static int crc(byte[] bytes, int length) {
        int crc = 0xffff;
        for (int i = 0; i < length; i++) {
            crc ^= bytes[i] & 0xff;
            for (int b = 0; b < 8; b++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc;
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public String toString() {
        return link.describe() + " unit " + unitId + " (RTU)";
    }
}
