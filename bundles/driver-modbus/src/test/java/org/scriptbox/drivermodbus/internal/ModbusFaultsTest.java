package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.Before;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;

/**
 * The driver against pymodbus with injected faults; every assertion about what happened on the wire is
 * made on the server's own registers, coils and request log. Motors are holding registers 0 and 1, outputs
 * are coils 8..11, telemetry is input registers 0 (temperature, tenths) and 1 (flow).
 */
public class ModbusFaultsTest extends PyModbusTestBase {
    private static final int FC_READ_INPUT = 4;
    private static final int FC_WRITE_COIL = 5;
    private static final int FC_WRITE_REGISTER = 6;
    @Before
    public void reset() throws Exception {
        server.clearFaults();
        server.set("holding", 0, 0, 0);
        server.set("coils", 8, 0, 0, 0, 0);
        server.set("input", 0, 215, -30);
        server.clearLog();
    }

    private ModbusDevice device(String... extra) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("device.id", "plc", "port", String.valueOf(server.port()),
                "timeout.ms", "3000", "motor.registers", "0,1", "output.coil.start", "8", "digital.outputs", "4",
                "telemetry", "temperature:0:0.1, flow:1", "probe.interval.ms", "0"));
        for (int i = 0; i < extra.length; i += 2) {
            p.put(extra[i], extra[i + 1]);
        }
        ModbusDevice d = new ModbusDevice(ModbusSettings.parse(p));
        devices.add(d);
        return d;
    }

    private static CallContext ctx() {
        return CallContext.within(BOUND_NANOS);
    }

    @Test
    public void stopTriesEveryTargetAndReportsEachOnItsOwn() throws Exception {
        ModbusDevice d = device();
        d.setMotorSpeed(0, 50, ctx()).getValue();
        d.setMotorSpeed(1, -20, ctx()).getValue();
        d.setDigitalOutput(0, true, ctx()).getValue();
        d.setDigitalOutput(3, true, ctx()).getValue();
        server.fault(FC_WRITE_REGISTER, 0, "exception", 4);

        StopReport report = d.emergencyStop().getValue();

        assertFalse(report.complete());
        assertEquals(6, report.results().size());
        ActuatorResult motor0 = report.results().get(0);
        assertEquals(Actuator.motor(0), motor0.actuator());
        assertEquals(WriteOutcome.REFUSED, motor0.outcome());
        assertTrue(motor0.message(), motor0.message().contains(
                "write single register (FC06) at address 0: exception 4 (server device failure)"));
        assertEquals(1, report.failures().size());
        assertEquals("the refused motor kept its speed", 5000, server.holding(0));
        assertEquals(0, server.holding(1));
        for (int coil = 8; coil < 12; coil++) {
            assertFalse("coil " + coil, server.coil(coil));
        }
    }

    @Test
    public void stopOvertakesASlowCommandAndAbandonsTheWaitingOnes() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_READ_INPUT, 0, "delay", 1500);
        Promise<Map<String, ChannelValue>> slow = d.readTelemetry(List.of("temperature"), ctx());
        awaitLog("the slow read reached the server", () -> requestsOrEmpty(FC_READ_INPUT, 0).size() == 1);
        List<Promise<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(d.setMotorSpeed(1, 30 + i, ctx()));
        }

        StopReport report = d.emergencyStop().getValue();

        assertTrue(String.valueOf(report), report.complete());
        for (Promise<Void> p : queued) {
            DeviceException e = (DeviceException) p.getFailure();
            assertNotNull("an abandoned command fails", e);
            assertEquals(WriteOutcome.NOT_SENT, e.outcome());
            assertTrue(e.getMessage(), e.getMessage().contains("abandoned for an emergency stop"));
        }
        assertEquals(21.5, slow.getValue().get("temperature").value(), 1e-9);
        Map<String, String> slowRead = server.requests(FC_READ_INPUT, 0).get(0);
        for (Map<String, String> stop : server.log()) {
            if (!stop.get("fn").equals(String.valueOf(FC_READ_INPUT))) {
                assertEquals("only the stop's zeros were written: " + stop, "0", stop.get("value"));
                assertTrue("the stop reached the server before the slow read was answered: " + stop,
                        Double.parseDouble(stop.get("done")) < Double.parseDouble(slowRead.get("done")));
            }
        }
        assertEquals(2 + 4, server.log().size() - 1);
    }

    @Test
    public void aWriteInFlightWhenTheStopCameIsStoppedAgainAfterItLands() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_WRITE_REGISTER, 0, "delay", 600);   // applied 600 ms after it arrives
        Promise<Void> racing = d.setMotorSpeed(0, 50, ctx());
        awaitLog("the racing write reached the server", () -> requestsOrEmpty(FC_WRITE_REGISTER, 0).size() == 1);

        assertTrue(d.emergencyStop().getValue().complete());
        racing.getValue();   // the device acknowledged it after the stop's own write
        awaitLog("the stop value was written again", () -> requestsOrEmpty(FC_WRITE_REGISTER, 0).size() == 3
                && requestsOrEmpty(FC_WRITE_REGISTER, 0).get(2).get("answered").equals("1"));
        assertEquals(0, server.holding(0));
    }

    @Test
    public void aWriteIsSentOnceAndOneLeftUnansweredIsOutcomeUnknown() throws Exception {
        ModbusDevice d = device("timeout.ms", "300");
        server.fault(FC_WRITE_REGISTER, 1, "silent", 0);

        DeviceException e = (DeviceException) d.setMotorSpeed(1, 10, ctx()).getFailure();

        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertEquals(DeviceException.Fault.NO_ANSWER, e.fault());
        assertTrue(e.getMessage(), e.getMessage().startsWith("outcome unknown"));
        assertEquals("sent exactly once, never resent", 1, server.requests(FC_WRITE_REGISTER, 1).size());
        server.clearFaults();
        d.setMotorSpeed(1, 20, ctx()).getValue();   // the next command works, on a new connection
        assertEquals(2000, server.holding(1));
        assertEquals(2, server.requests(FC_WRITE_REGISTER, 1).size());
    }

    @Test
    public void aWriteAnsweredTooLateIsOutcomeUnknownAndAppliedOnce() throws Exception {
        ModbusDevice d = device("timeout.ms", "300");
        server.fault(FC_WRITE_REGISTER, 1, "delay", 700);   // the device applies it, but after our timeout

        DeviceException e = (DeviceException) d.setMotorSpeed(1, 25, ctx()).getFailure();

        assertEquals("never 'failed' for a write that then happens", WriteOutcome.UNKNOWN, e.outcome());
        awaitLog("the device applied it late", () -> {
            try {
                return server.holding(1) == 2500;
            } catch (Exception x) {
                return false;
            }
        });
        assertEquals("applied once: no resend", 1, server.requests(FC_WRITE_REGISTER, 1).size());
    }

    @Test
    public void aReadIsTriedAgainOnALostConnectionAWriteIsNot() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_READ_INPUT, 0, "drop", 0);
        assertEquals(21.5, d.readTelemetry(List.of("temperature"), ctx()).getValue().get("temperature").value(), 1e-9);
        List<Map<String, String>> reads = server.requests(FC_READ_INPUT, 0);
        assertEquals("the read was tried again on a new connection: " + reads, 2, reads.size());
        assertFalse(reads.get(0).get("conn").equals(reads.get(1).get("conn")));

        server.fault(FC_WRITE_REGISTER, 1, "drop", 0);
        DeviceException e = (DeviceException) d.setMotorSpeed(1, 60, ctx()).getFailure();
        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertEquals("the write was not resent", 1, server.requests(FC_WRITE_REGISTER, 1).size());
        assertEquals(0, server.holding(1));
    }

    @Test
    public void aStopAgainstASilentDeviceSendsEveryTargetOnceAndReportsItUnknown() throws Exception {
        ModbusDevice d = device("timeout.ms", "200");
        server.fault(FC_WRITE_REGISTER, -1, "silent", 0);
        server.fault(FC_WRITE_COIL, -1, "silent", 0);

        StopReport report = d.emergencyStop().getValue();

        assertEquals(6, report.results().size());
        for (ActuatorResult r : report.results()) {
            assertEquals(String.valueOf(r), WriteOutcome.UNKNOWN, r.outcome());
        }
        assertEquals(2, server.log().stream().filter(e -> e.get("fn").equals("6")).count());
        assertEquals(4, server.log().stream().filter(e -> e.get("fn").equals("5")).count());
    }

    @Test
    public void aStopAgainstASilentDeviceIsReportedWithinAboutOneTimeoutWhateverTheTargetCount() throws Exception {
        ModbusDevice d = device("timeout.ms", "400", "motor.registers", "0,1,2,3,4,5", "digital.outputs", "4");
        server.fault(FC_WRITE_REGISTER, -1, "silent", 0);
        server.fault(FC_WRITE_COIL, -1, "silent", 0);

        long start = System.nanoTime();
        StopReport report = d.emergencyStop().getValue();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(10, report.results().size());
        for (ActuatorResult r : report.results()) {
            assertEquals("each target on its own: " + r, WriteOutcome.UNKNOWN, r.outcome());
        }
        // One after another this took 10 x 400 ms = 4 s; pipelined it is one timeout (plus scheduling slack).
        assertTrue("stop report after " + millis + " ms", millis < 1200);
        assertEquals("each sent exactly once", 6, server.log().stream().filter(e -> e.get("fn").equals("6")).count());
        assertEquals(4, server.log().stream().filter(e -> e.get("fn").equals("5")).count());
    }

    @Test
    public void aPipelinedStopStillReportsEachTargetOnItsOwn() throws Exception {
        ModbusDevice d = device("timeout.ms", "500");
        server.set("holding", 0, 4000, 4000);
        server.fault(FC_WRITE_REGISTER, 0, "silent", 0);        // motor 0: no answer
        server.fault(FC_WRITE_REGISTER, 1, "exception", 4);     // motor 1: refused
        server.fault(FC_WRITE_COIL, 9, "delay", 200);           // output 1: slow, answered in time

        StopReport report = d.emergencyStop().getValue();

        List<WriteOutcome> outcomes = report.results().stream().map(ActuatorResult::outcome).toList();
        assertEquals(List.of(WriteOutcome.UNKNOWN, WriteOutcome.REFUSED, WriteOutcome.ACKNOWLEDGED,
                WriteOutcome.ACKNOWLEDGED, WriteOutcome.ACKNOWLEDGED, WriteOutcome.ACKNOWLEDGED), outcomes);
        assertEquals(4000, server.holding(0));
        assertEquals(4000, server.holding(1));
        assertFalse(server.coil(9));
    }

    @Test
    public void stopsFromManyCallersAtOnceCoalesceIntoOnePassUntilAWriteComes() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_WRITE_REGISTER, 0, "delay", 150);   // the pass stays in flight while the callers pile up
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Promise<StopReport>>> calls = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 1000; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return d.emergencyStop();
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<Promise<StopReport>> c : calls) {
                assertTrue(c.get().getValue().complete());
            }
        } finally {
            pool.shutdownNow();
        }
        long windows = 1 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) / 500;
        int passes = server.requests(FC_WRITE_REGISTER, 1).size();
        assertTrue(passes + " passes on the wire for 1,000 stops in " + windows + " window(s)", passes >= 1
                && passes <= windows);
        assertEquals(passes, ((Number) d.status().getValue().details().get("stop_passes")).intValue());

        d.setMotorSpeed(1, 10, ctx()).getValue();
        assertTrue(d.emergencyStop().getValue().complete());
        assertEquals("a stop after a write always goes out", passes + 2, server.requests(FC_WRITE_REGISTER, 1).size());
        assertEquals(0, server.holding(1));

        d.setDigitalOutput(0, true, ctx()).getValue();
        server.fault(FC_WRITE_REGISTER, 1, "exception", 4);
        assertFalse(d.emergencyStop().getValue().complete());
        server.clearFaults();
        assertTrue("a stop after an incomplete one goes out again", d.emergencyStop().getValue().complete());
        assertEquals(passes + 4, server.requests(FC_WRITE_REGISTER, 1).size());
    }

    @Test
    public void aServerKilledMidStopLeavesTheUnansweredTargetUnknownNotNotSent() throws Exception {
        ModbusDevice d = device("timeout.ms", "3000");
        server.fault(FC_WRITE_REGISTER, 0, "delay", 2000);   // motor 0's stop is on the wire, unanswered
        Promise<StopReport> stop = d.emergencyStop();
        awaitLog("every stop write reached the server", () -> requestsOrEmpty(FC_WRITE_COIL, 11).size() == 1);
        StopReport report;
        try {
            server.kill();
            report = stop.getValue();
        } finally {
            server.restart();
        }
        ActuatorResult motor0 = report.results().get(0);
        assertEquals("sent and never answered, the retry could not connect: " + motor0, WriteOutcome.UNKNOWN,
                motor0.outcome());
        for (ActuatorResult r : report.results().subList(1, 6)) {
            assertEquals(String.valueOf(r), WriteOutcome.ACKNOWLEDGED, r.outcome());
        }
    }

    @Test
    public void aStopAgainstADeadServerReportsEveryTargetNotSent() throws Exception {
        ModbusDevice d = device();
        server.kill();
        StopReport report;
        try {
            report = d.emergencyStop().getValue();
        } finally {
            server.restart();
        }
        assertEquals(6, report.results().size());
        for (ActuatorResult r : report.results()) {
            assertEquals(String.valueOf(r), WriteOutcome.NOT_SENT, r.outcome());
            assertTrue(r.message(), r.message().startsWith("not sent: cannot connect"));
        }
        assertFalse(d.status().getValue().connected());
    }

    @Test
    public void aWriteAfterTheServerDiedIsNotSentRatherThanUnknown() throws Exception {
        ModbusDevice d = device();
        d.setMotorSpeed(0, 10, ctx()).getValue();   // the command connection is open now
        server.kill();
        DeviceException e;
        try {
            e = (DeviceException) d.setMotorSpeed(0, 20, ctx()).getFailure();
        } finally {
            server.restart();
        }
        assertEquals("a dead connection is noticed before the write goes out: " + e.getMessage(),
                WriteOutcome.NOT_SENT, e.outcome());
        assertEquals(DeviceException.Fault.UNREACHABLE, e.fault());
        d.setMotorSpeed(0, 30, ctx()).getValue();
        assertEquals(3000, server.holding(0));
    }

    @Test
    public void aCommandWhoseCallerGaveUpIsNeverSent() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_READ_INPUT, 0, "delay", 800);
        Promise<Map<String, ChannelValue>> slow = d.readTelemetry(List.of("temperature"), ctx());
        AtomicBoolean gaveUp = new AtomicBoolean();
        Promise<Void> write = d.setMotorSpeed(1, 40, CallContext.within(BOUND_NANOS, gaveUp::get));
        Promise<Void> expired = d.setDigitalOutput(2, true, CallContext.within(TimeUnit.MILLISECONDS.toNanos(100)));
        gaveUp.set(true);

        DeviceException e = (DeviceException) write.getFailure();
        assertEquals(WriteOutcome.NOT_SENT, e.outcome());
        assertEquals(DeviceException.Fault.WITHDRAWN, e.fault());
        assertEquals(WriteOutcome.NOT_SENT, ((DeviceException) expired.getFailure()).outcome());
        slow.getValue();
        assertTrue(server.requests(FC_WRITE_REGISTER, 1).isEmpty());
        assertTrue(server.requests(FC_WRITE_COIL, 10).isEmpty());
        assertFalse(server.coil(10));
    }

    @Test
    public void aRefusalNamesFunctionAddressAndExceptionCode() throws Exception {
        ModbusDevice d = device();
        server.fault(FC_WRITE_REGISTER, 1, "exception", 2);

        DeviceException e = (DeviceException) d.setMotorSpeed(1, 10, ctx()).getFailure();

        assertEquals(WriteOutcome.REFUSED, e.outcome());
        assertEquals(DeviceException.Fault.REFUSED, e.fault());
        assertEquals("refused: write single register (FC06) at address 1: exception 2 (illegal data address)",
                e.getMessage());
        assertEquals(0, server.holding(1));
    }

    @Test
    public void aMalformedAnswerFailsOnlyItsChannelAndKeepsTheConnection() throws Exception {
        ModbusDevice d = device();
        for (String kind : List.of("empty", "short")) {
            server.fault(FC_READ_INPUT, 0, kind, 0);
            Map<String, ChannelValue> read = d.readTelemetry(List.of("temperature", "flow"), ctx()).getValue();
            assertFalse(kind, read.get("temperature").ok());
            assertTrue(read.get("temperature").message(), read.get("temperature").message().startsWith(
                    "read input registers (FC04) at address 0: malformed answer (byte count"));
            assertEquals(kind, -30.0, read.get("flow").value(), 1e-9);
        }
        server.clearFaults();
        assertEquals(21.5, d.readTelemetry(List.of("temperature"), ctx()).getValue().get("temperature").value(), 1e-9);
        List<Map<String, String>> log = server.log();
        // per fault: the batch of both channels (refused as malformed), then each channel alone; then one read
        assertEquals(7, log.size());
        int lastTid = -1;
        for (Map<String, String> e : log) {
            assertEquals("one connection throughout: " + log, log.get(0).get("conn"), e.get("conn"));
            int tid = Integer.parseInt(e.get("tid"));
            assertTrue("transaction ids advance per request: " + log, tid > lastTid);
            lastTid = tid;
        }
    }

    @Test
    public void healthComesFromExchangesNotFromTheSocket() throws Exception {
        ModbusDevice d = device("probe.interval.ms", "200", "timeout.ms", "300");
        awaitHealth(d, true);
        assertNotNull(d.status().getValue().health().latency());
        server.fault(FC_READ_INPUT, -1, "silent", 0);   // the probe reads input register 0: it never answers
        // Health can turn false by staleness alone (no answer within the stale bound, on a loaded machine)
        // before the probe's timeout records its error: wait for the error itself.
        awaitLog("the probe's 'no answer' error", () -> {
            try {
                String e = d.status().getValue().health().lastError();
                return e != null && e.contains("no answer") && !d.status().getValue().connected();
            } catch (Exception e) {
                return false;
            }
        });
        server.clearFaults();
        awaitHealth(d, true);

        server.kill();
        try {
            awaitHealth(d, false);
        } finally {
            server.restart();
        }
        awaitHealth(d, true);
    }

    @Test
    public void theStopReconnectsABrokenLink() throws Exception {
        ModbusDevice d = device();
        assertTrue(d.emergencyStop().getValue().complete());   // the stop lane's connection is open now
        server.kill();
        server.restart();
        server.set("holding", 0, 4000, 4000);
        server.set("coils", 8, 1, 1, 1, 1);

        StopReport report = d.emergencyStop().getValue();

        assertTrue(String.valueOf(report), report.complete());
        assertEquals(0, server.holding(0));
        assertEquals(0, server.holding(1));
        assertFalse(server.coil(11));
    }

    private List<Map<String, String>> requestsOrEmpty(int fn, int address) {
        try {
            return server.requests(fn, address);
        } catch (Exception e) {
            return List.of();
        }
    }

    private static void awaitHealth(ModbusDevice d, boolean reachable) throws Exception {
        awaitLog("device reachable = " + reachable, () -> {
            try {
                return d.status().getValue().connected() == reachable;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Polls a condition on the real server or device, up to a bound. */
    private static void awaitLog(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);   // polling; the bound is the deadline above
        }
    }
}
