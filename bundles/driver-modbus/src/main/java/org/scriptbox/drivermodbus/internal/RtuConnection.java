package org.scriptbox.drivermodbus.internal;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Modbus RTU framing (unit id, PDU, CRC-16) on a {@link ByteLink}: a serial line, or TCP to a gateway. RTU has
 * no transaction id, so one request is outstanding at a time, and an answer is matched to its request by what it
 * carries: a well-framed answer from another unit, for another function, with another echo or byte count is not
 * this request's (a late answer to an earlier request, another slave's answer on a shared bus) and is dropped,
 * and reading goes on until the deadline. What matching cannot tell apart is a late answer of the same shape from
 * the same unit for the same function (a read of the same length, an FC15/FC16 echo, which carries no values, an
 * exception): so after a request timed out, the next request to that unit with that function — a write or a stop
 * too — first waits until the line has been silent for half the request timeout (within its own deadline),
 * dropping whatever arrives. Those late answers are the line's ({@link LateAnswers}), shared by every device on
 * the bus. An exchange waiting for its answer gives the line to a waiting e-stop while no byte of it has come.
 * After a timeout or a bad frame the link is closed and opened again. Each request is sent at most once.
 */
final class RtuConnection implements ModbusTransport {
    private final ByteLink link;
    private final int unitId;
    private final Pacing pacing;
    private final long quietNanos;
    /** The line's units whose request timed out: an answer from them may still come. */
    private final LateAnswers late;
    /** Whether an e-stop lane waits for the line while an ordinary exchange holds it (never true for a stop's own). */
    private final BooleanSupplier giveWay;
    static final String GIVE_WAY = "not sent: an emergency stop on the line goes first";
    /** How often a waiting exchange looks for an e-stop wanting the line (a serial read has 0.1 s steps). */
    private static final long SLICE_NANOS = 20_000_000L;

    RtuConnection(ByteLink link, int unitId, LinkTiming timing) {
        this(link, unitId, timing, 1000, new LateAnswers(), () -> false);
    }

    /**
     * @param quietMillis how long the line must be silent after a timeout before the next request to that unit
     * @param late        the line's record of late answers (one per line, shared by the devices on it)
     * @param giveWay     whether an ordinary exchange not yet sent must give the line to a waiting e-stop
     */
    RtuConnection(ByteLink link, int unitId, LinkTiming timing, int quietMillis, LateAnswers late,
                  BooleanSupplier giveWay) {
        this.link = link;
        this.unitId = unitId;
        this.pacing = new Pacing(timing);
        this.quietNanos = quietMillis * 1_000_000L;
        this.late = late;
        this.giveWay = giveWay;
    }

    @Override
    public byte[] exchange(ModbusRequest request, long deadlineNanos, Supplier<String> withdrawal)
            throws ModbusFailure {
        connect(deadlineNanos);
        if (!pacing.awaitTurn(deadlineNanos)) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, "not sent: the deadline came during the pause "
                    + "between transactions");
        }
        int unit = request.unitOr(unitId);
        try {
            // a late answer from this unit could pass for this request's (same shape): wait until the line is quiet
            if (late.possible(unit, request.function())) {
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
        String withdrawn = withdrawal.get();
        if (withdrawn != null) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, withdrawn);
        }
        if (giveWay.getAsBoolean()) {
            throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, GIVE_WAY);
        }
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

    /**
     * The answer's PDU: the first well-framed frame that answers this request (unit, function, echo or byte
     * count); others are dropped. A bad CRC or an unknown function loses the framing: the link is reset.
     */
    private byte[] answer(ModbusRequest request, int unit, long deadlineNanos) throws ModbusFailure {
        ModbusFailure dropped = null;
        int otherUnit = -1;
        try {
            while (true) {
                byte[] frame = readFrame(request, deadlineNanos);
                byte[] pdu = new byte[frame.length - 3];
                System.arraycopy(frame, 1, pdu, 0, pdu.length);
                if ((frame[0] & 0xff) != unit) {
                    // another slave's frame (or a late one of another unit): not this request's answer
                    otherUnit = frame[0] & 0xff;
                    continue;
                }
                try {
                    return request.check(pdu);
                } catch (ModbusFailure f) {
                    if (f.kind() != ModbusFailure.Kind.MALFORMED) {
                        throw f;   // the device's refusal
                    }
                    dropped = f;   // this unit, another shape: a late answer to an earlier request; read on
                }
            }
        } catch (GaveWay e) {
            late.mark(unit, request.function());   // its answer may still come: dropped later
            throw new ModbusFailure(ModbusFailure.Kind.TIMEOUT, "no answer yet when an emergency stop needed the line: "
                    + "given up (a late answer is dropped)");
        } catch (SocketTimeoutException e) {
            close();
            late.mark(unit, request.function());
            // only frames that did not fit came: say so (the device answers, wrongly), else it is silence
            throw dropped != null ? new ModbusFailure(ModbusFailure.Kind.MALFORMED, dropped.getMessage()
                    + " and no fitting answer in time; link reset")
                    : new ModbusFailure(ModbusFailure.Kind.TIMEOUT, "no answer in time" + (otherUnit < 0 ? ""
                    : " (an answer came from unit " + otherUnit + ", not " + unit + ": is the unit id right?)")
                    + "; link reset");
        } catch (IOException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "link lost: " + reason(e));
        }
    }

    /** One whole frame, its length known from its function code (every answer the driver can ask for); CRC checked. */
    private byte[] readFrame(ModbusRequest request, long deadlineNanos) throws IOException, ModbusFailure {
        byte[] head = readHead(deadlineNanos);
        int fn = head[1] & 0xff;
        byte[] third = null;
        int rest;
        if ((fn & 0x80) != 0) {
            rest = 3;                          // exception code, CRC
        } else if (fn == 5 || fn == 6 || fn == 15 || fn == 16) {
            rest = 6;                          // address, value or count, CRC
        } else if (fn >= 1 && fn <= 4) {
            third = readFully(1, deadlineNanos);
            rest = (third[0] & 0xff) + 2;      // data, CRC
        } else {
            close();   // the frame's length is unknown: nothing more on this link can be framed
            throw new ModbusFailure(ModbusFailure.Kind.MALFORMED, request.describe() + ": malformed answer (an "
                    + "answer for function " + fn + "); link reset");
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
        return frame;
    }

    /**
     * Drops what arrives until the line has been silent for the quiet time; a {@link SocketTimeoutException}
     * if that cannot happen before {@code deadlineNanos} (nothing may be sent then: its answer could be taken
     * for a late one, or the other way round).
     */
    private void awaitQuiet(long deadlineNanos) throws IOException, ModbusFailure {
        byte[] b = new byte[256];
        long silentSince = System.nanoTime();
        while (true) {
            if (giveWay.getAsBoolean()) {
                throw new ModbusFailure(ModbusFailure.Kind.WITHDRAWN, GIVE_WAY);
            }
            long now = System.nanoTime();
            if (now - silentSince >= quietNanos) {
                late.lineQuiet();   // silent for the quiet time: whatever comes now answers the next request
                return;
            }
            if (silentSince + quietNanos - deadlineNanos > 0) {
                throw new SocketTimeoutException("no quiet time left");
            }
            try {
                // in slices, so that an e-stop waiting for the line is seen within one
                link.read(b, 0, b.length, Math.min(silentSince + quietNanos, now + SLICE_NANOS));
                silentSince = System.nanoTime();   // something came: the silence starts again
            } catch (SocketTimeoutException e) {
                // silent for this slice
            }
        }
    }

    /**
     * A frame's first two bytes. While none has come, an e-stop waiting for the line takes it: this exchange gives
     * up on its answer (a read is tried again later, a write is UNKNOWN: it was sent), and its late answer is
     * dropped by matching or by the quiet wait before that unit's next request. Once a byte came, the frame is read.
     */
    private byte[] readHead(long deadlineNanos) throws IOException, ModbusFailure {
        byte[] b = new byte[2];
        int at = 0;
        while (at == 0) {
            if (giveWay.getAsBoolean()) {
                throw new GaveWay();
            }
            long slice = Math.min(deadlineNanos, System.nanoTime() + SLICE_NANOS);
            try {
                at += link.read(b, 0, 2, slice);
            } catch (SocketTimeoutException e) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw e;
                }
            }
        }
        while (at < 2) {
            at += link.read(b, at, 2 - at, deadlineNanos);
        }
        return b;
    }

    /** An exchange waiting for its answer gave the line to an e-stop. */
    private static final class GaveWay extends IOException {
        private static final long serialVersionUID = 1L;

        GaveWay() {
            super(null, null);
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
