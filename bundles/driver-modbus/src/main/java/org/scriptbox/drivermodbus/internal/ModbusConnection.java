package org.scriptbox.drivermodbus.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One Modbus TCP connection, sending each request exactly once. Written for the driver's guarantees rather
 * than taken from j2mod, whose transaction resends a request up to five times on a reconnected socket
 * ({@code setRetries(0)} means five), keeps one static transaction counter for every connection in the JVM
 * and drops the connection on any malformed answer.
 * <p>
 * Here: every request gets the next transaction id of this connection; an answer with another id is a
 * late answer to an earlier request and is skipped; a well-framed answer with a bad body fails that request
 * only and keeps the connection; a timeout or a broken frame closes the connection, so that nothing late
 * can ever be taken for the answer to a later request. Used by one thread at a time (its lane).
 */
final class ModbusConnection implements ModbusTransport {
    /** Longest Modbus TCP frame after the 6-byte header: unit id plus a 253-byte PDU. */
    private static final int MAX_LENGTH = 254;

    private final String host;
    private final int port;
    private final int unitId;
    private final Pacing pacing;
    private Socket socket;
    private int nextTransaction;

    ModbusConnection(String host, int port, int unitId) {
        this(host, port, unitId, LinkTiming.DEFAULT);
    }

    ModbusConnection(String host, int port, int unitId, LinkTiming timing) {
        this.host = host;
        this.port = port;
        this.unitId = unitId;
        this.pacing = new Pacing(timing);
        this.pipelining = timing.transactionDelayMillis() == 0;
    }

    private final boolean pipelining;

    @Override
    public boolean isOpen() {
        return socket != null;
    }

    /** Outstanding transactions at once, unless the device needs a pause between them. */
    @Override
    public boolean pipelines() {
        return pipelining;
    }

    /**
     * As {@link #exchange(ModbusRequest, long)}, but {@code withdrawal} is asked once more after connecting,
     * right before the request leaves: if it gives a reason (the caller gave up, an e-stop abandoned the
     * request), nothing is sent and the failure is WITHDRAWN with that reason.
     */
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
        int transaction = nextTransaction();
        try {
            send(frame(request, transaction));
            return awaitAnswer(request, transaction, deadlineNanos);
        } finally {
            pacing.ended();
        }
    }

    /**
     * Sends every request at once and collects the answers until all are in or the deadline passes. Modbus
     * TCP lets a client have several transactions outstanding, each answer matched by its transaction id, so
     * n requests take about one round trip, and against a silent device one timeout rather than n. A server
     * that serves one request at a time still gets them in order from its TCP stream. Returns, per request
     * in order, {@code null} for a valid answer or why it failed; each request is sent at most once.
     */
    @Override
    public List<Reply> exchangeAll(List<ModbusRequest> requests, long deadlineNanos) {
        List<Reply> failures = new ArrayList<>(Collections.nCopies(requests.size(), (Reply) null));
        if (!pipelining) {
            // the device needs its pause between transactions: one at a time, each its own request's budget
            long budget = Math.max(0, deadlineNanos - System.nanoTime());
            for (int i = 0; i < requests.size(); i++) {
                try {
                    failures.set(i, new Reply(exchange(requests.get(i), System.nanoTime() + budget), null));
                } catch (ModbusFailure f) {
                    failures.set(i, new Reply(null, f));
                }
            }
            return failures;
        }
        try {
            connect(deadlineNanos);
        } catch (ModbusFailure f) {
            failures.replaceAll(r -> new Reply(null, f));
            return failures;
        }
        Map<Integer, Integer> pending = new HashMap<>();   // transaction id -> index of its request
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 0; i < requests.size(); i++) {
            int transaction = nextTransaction();
            pending.put(transaction, i);
            frames.writeBytes(frame(requests.get(i), transaction));
        }
        try {
            send(frames.toByteArray());
            while (!pending.isEmpty()) {
                Answer a = readAnswer(deadlineNanos);
                Integer i = pending.remove(a.transaction());
                if (i == null) {
                    continue;   // a late answer to an earlier request on this connection
                }
                try {
                    checkUnit(a, requests.get(i));
                    failures.set(i, new Reply(requests.get(i).check(a.pdu()), null));
                } catch (ModbusFailure f) {
                    failures.set(i, new Reply(null, f));
                }
            }
        } catch (ModbusFailure f) {
            // The connection is closed now (no answer in time, lost, or a broken frame): each request still
            // waiting fails so; the device may have received it.
            pending.values().forEach(i -> failures.set(i, new Reply(null, f)));
        }
        pacing.ended();
        return failures;
    }

    private void connect(long deadlineNanos) throws ModbusFailure {
        if (socket != null && !stillOpen()) {
            close();   // the server went away since the last exchange: reconnect now, before anything is sent
        }
        if (socket == null) {
            open(deadlineNanos);
        }
    }

    private int nextTransaction() {
        int transaction = nextTransaction;
        nextTransaction = (nextTransaction + 1) & 0xffff;
        return transaction;
    }

    private byte[] frame(ModbusRequest request, int transaction) {
        byte[] pdu = request.pdu();
        byte[] frame = new byte[7 + pdu.length];
        frame[0] = (byte) (transaction >> 8);
        frame[1] = (byte) transaction;
        frame[4] = (byte) ((pdu.length + 1) >> 8);
        frame[5] = (byte) (pdu.length + 1);
        frame[6] = (byte) request.unitOr(unitId);
        System.arraycopy(pdu, 0, frame, 7, pdu.length);
        return frame;
    }

    private void send(byte[] frames) throws ModbusFailure {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(frames);
            out.flush();
        } catch (IOException e) {
            // Some bytes may have left: the device may have the request.
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "connection lost while sending: " + reason(e));
        }
    }

    /**
     * Whether the connection is still usable: between exchanges nothing may arrive on it, so end-of-stream
     * (the server closed or died) or stray bytes both mean it is not. A non-blocking look, so it costs no
     * wait; it keeps a write from going into a connection that is already dead, where its fate would be
     * "unknown" instead of plainly "not sent".
     */
    @Override
    public boolean stillOpen() {
        SocketChannel channel = socket.getChannel();
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    private byte[] awaitAnswer(ModbusRequest request, int transaction, long deadlineNanos) throws ModbusFailure {
        while (true) {
            Answer a = readAnswer(deadlineNanos);
            if (a.transaction() != transaction) {
                continue;   // a late answer to an earlier request on this connection
            }
            checkUnit(a, request);
            return request.check(a.pdu());
        }
    }

    /** One well-framed answer; on a timeout, a lost connection or a broken frame the connection is closed. */
    private Answer readAnswer(long deadlineNanos) throws ModbusFailure {
        try {
            byte[] header = readFully(7, deadlineNanos);
            int id = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
            int protocol = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            int length = ((header[4] & 0xff) << 8) | (header[5] & 0xff);
            if (protocol != 0 || length < 2 || length > MAX_LENGTH) {
                close();   // frame boundaries are lost: nothing more on this connection can be trusted
                throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "broken frame (protocol " + protocol
                        + ", length " + length + "); connection closed");
            }
            return new Answer(id, header[6] & 0xff, readFully(length - 1, deadlineNanos));
        } catch (SocketTimeoutException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.TIMEOUT, "no answer in time; connection closed");
        } catch (IOException e) {
            close();
            throw new ModbusFailure(ModbusFailure.Kind.NO_ANSWER, "connection lost: " + reason(e));
        }
    }

    private void checkUnit(Answer a, ModbusRequest request) throws ModbusFailure {
        if (a.unit() != request.unitOr(unitId)) {
            throw new ModbusFailure(ModbusFailure.Kind.MALFORMED, "answer from unit " + a.unit() + " instead of "
                    + request.unitOr(unitId));
        }
    }

    /** One answer frame: its transaction id, unit id and PDU. */
    private record Answer(int transaction, int unit, byte[] pdu) {
    }

    private byte[] readFully(int n, long deadlineNanos) throws IOException {
        byte[] buffer = new byte[n];
        InputStream in = socket.getInputStream();
        int at = 0;
        while (at < n) {
            socket.setSoTimeout(remainingMillis(deadlineNanos));
            int read = in.read(buffer, at, n - at);
            if (read < 0) {
                throw new IOException("closed by the server");
            }
            at += read;
        }
        return buffer;
    }

    private void open(long deadlineNanos) throws ModbusFailure {
        String backoff = pacing.connectRefusal();
        if (backoff != null) {
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, backoff);
        }
        Socket s;
        try {
            s = SocketChannel.open().socket();   // a channel's socket: it can be looked at without blocking
        } catch (IOException e) {
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, "cannot open a socket: " + reason(e));
        }
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), remainingMillis(pacing.connectDeadline(deadlineNanos)));
        } catch (IOException e) {
            closeQuietly(s);
            pacing.connectFailed();
            throw new ModbusFailure(ModbusFailure.Kind.NOT_SENT, "cannot connect to " + host + ":" + port + ": "
                    + reason(e));
        }
        pacing.connected();
        socket = s;
    }

    @Override
    public void close() {
        if (socket != null) {
            closeQuietly(socket);
            socket = null;
        }
    }

    /** At least 1 ms: a timeout of 0 would mean "wait for ever" to a socket. */
    private static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return host + ":" + port + " unit " + unitId + (socket == null ? " (closed)" : "");
    }
}
