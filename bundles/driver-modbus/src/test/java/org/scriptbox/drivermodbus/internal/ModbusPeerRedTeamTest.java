package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;

/**
 * The driver against a peer that misbehaves as a faulty network or a hostile device would, at the level of
 * Modbus TCP frames (things pymodbus will not do): answers with a transaction id nobody asked for, answers
 * from another unit, stale answers before the right one, a half-open connection that never reads, a broken
 * frame. Every case must end in the right outcome per target, within about one timeout, never a hang.
 */
public class ModbusPeerRedTeamTest {
    private static final int TIMEOUT_MS = 400;

    /** What the peer sends back for one request frame (none: silence). */
    interface Behaviour {
        List<byte[]> answer(int connection, int transaction, int unit, byte[] pdu);
    }

    private final List<ModbusDevice> devices = new ArrayList<>();
    private Peer peer;

    @After
    public void close() throws IOException {
        devices.forEach(ModbusDevice::close);
        if (peer != null) {
            peer.close();
        }
    }

    private ModbusDevice device(Behaviour behaviour, boolean reads) throws Exception {
        peer = new Peer(behaviour, reads);
        Map<String, String> p = new HashMap<>(Map.of("device.id", "plc", "port", String.valueOf(peer.port()),
                "timeout.ms", String.valueOf(TIMEOUT_MS), "motor.registers", "0,1,2", "output.coil.start", "8",
                "digital.outputs", "4", "probe.interval.ms", "0"));
        ModbusDevice d = new ModbusDevice(ModbusSettings.parse(p));
        devices.add(d);
        return d;
    }

    private static byte[] frame(int transaction, int unit, byte[] pdu) {
        byte[] f = new byte[7 + pdu.length];
        f[0] = (byte) (transaction >> 8);
        f[1] = (byte) transaction;
        f[4] = (byte) ((pdu.length + 1) >> 8);
        f[5] = (byte) (pdu.length + 1);
        f[6] = (byte) unit;
        System.arraycopy(pdu, 0, f, 7, pdu.length);
        return f;
    }

    private static StopReport timedStop(ModbusDevice d, long boundMillis) throws Exception {
        long start = System.nanoTime();
        StopReport report = d.emergencyStop().getValue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("stop report after " + millis + " ms", millis < boundMillis);
        assertEquals(7, report.results().size());
        return report;
    }

    private static void assertAll(StopReport report, WriteOutcome outcome, String messagePart) {
        for (ActuatorResult r : report.results()) {
            assertEquals(String.valueOf(r), outcome, r.outcome());
            assertTrue(String.valueOf(r), messagePart == null || r.message().contains(messagePart));
        }
    }

    @Test
    public void answersWithTransactionIdsNobodyAskedForAreNeverTakenForTheAnswer() throws Exception {
        ModbusDevice d = device((c, t, u, pdu) -> List.of(frame(t ^ 0x8000, u, pdu)), true);
        DeviceException e = (DeviceException) d.setMotorSpeed(0, 10, CallContext.within(TimeUnit.SECONDS.toNanos(5)))
                .getFailure();
        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertAll(timedStop(d, 3 * TIMEOUT_MS), WriteOutcome.UNKNOWN, "no answer in time");
    }

    @Test
    public void answersFromAnotherUnitFailTheirTargetUnknown() throws Exception {
        ModbusDevice d = device((c, t, u, pdu) -> List.of(frame(t, u + 1, pdu)), true);
        DeviceException e = (DeviceException) d.setMotorSpeed(0, 10, CallContext.within(TimeUnit.SECONDS.toNanos(5)))
                .getFailure();
        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertTrue(e.getMessage(), e.getMessage().contains("answer from unit 2 instead of 1"));
        assertAll(timedStop(d, 3 * TIMEOUT_MS), WriteOutcome.UNKNOWN, "answer from unit 2 instead of 1");
    }

    @Test
    public void staleAnswersBeforeTheRightOnesAreSkipped() throws Exception {
        ModbusDevice d = device((c, t, u, pdu) -> List.of(frame((t - 1) & 0xffff, u, pdu), frame(t, u, pdu)), true);
        d.setMotorSpeed(0, 10, CallContext.within(TimeUnit.SECONDS.toNanos(5))).getValue();
        assertAll(timedStop(d, 3 * TIMEOUT_MS), WriteOutcome.ACKNOWLEDGED, null);
    }

    @Test
    public void aHalfOpenConnectionThatNeverReadsCostsOneTimeoutForAllTargets() throws Exception {
        ModbusDevice d = device((c, t, u, pdu) -> List.of(), false);
        assertAll(timedStop(d, 3 * TIMEOUT_MS), WriteOutcome.UNKNOWN, "no answer in time");
    }

    @Test
    public void aBrokenFrameOnTheStopConnectionIsRetriedOnceOnANewOne() throws Exception {
        ModbusDevice d = device((c, t, u, pdu) -> c == 1 ? List.of(new byte[] {0, 0, 0, 7, 0, 6, 1, 6, 0, 0, 0, 0})
                : List.of(frame(t, u, pdu)), true);
        assertAll(timedStop(d, 3 * TIMEOUT_MS), WriteOutcome.ACKNOWLEDGED, null);
        assertEquals("the broken connection, then one new one", 2, peer.connections.get());
    }

    /** A Modbus TCP peer on a loopback port; each connection gets its own thread. */
    private static final class Peer {
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Peer(Behaviour behaviour, boolean reads) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        int n = connections.incrementAndGet();
                        if (reads) {
                            Thread t = new Thread(() -> serve(s, n, behaviour), "peer-" + n);
                            t.setDaemon(true);
                            t.start();
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "peer-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Socket s, int connection, Behaviour behaviour) {
            try {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    byte[] header = new byte[7];
                    in.readFully(header);
                    int length = ((header[4] & 0xff) << 8) | (header[5] & 0xff);
                    byte[] pdu = new byte[length - 1];
                    in.readFully(pdu);
                    int transaction = ((header[0] & 0xff) << 8) | (header[1] & 0xff);
                    for (byte[] answer : behaviour.answer(connection, transaction, header[6] & 0xff, pdu)) {
                        out.write(answer);
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
