package org.scriptbox.driversim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.scriptbox.driversim.internal.SimulatedDevice.ConnectionIssue;

/** The driver SPI's safety guarantees, as the simulator keeps them: priority stop, four outcomes, safe state, health. */
public class SimulatedDeviceSafetyTest {
    private static final long RESPONSE_TIMEOUT_MS = 400;
    private SimulatedDevice device;

    private SimulatedDevice start(Faults faults, SafeState safeState) {
        device = new SimulatedDevice(new SimulatedDevice.Settings("sim-s", "sim-1.0.0", 2, 4, List.of("temperature"),
                50.0, safeState, RESPONSE_TIMEOUT_MS, 0, faults), System::nanoTime);
        return device;
    }

    private static Faults slow(long millis) {
        return Faults.NONE.withDelay(millis);
    }

    private static CallContext ctx() {
        return CallContext.within(TimeUnit.SECONDS.toNanos(60));
    }

    @After
    public void stop() {
        if (device != null) {
            device.deactivate();
        }
    }

    @Test
    public void emergencyStopOvertakesQueuedCommandsAndAbandonsThem() throws Exception {
        start(slow(50), SafeState.STOP);
        List<Promise<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(device.setMotorSpeed(i % 2, 10 + i, ctx()));
        }
        StopReport report = device.emergencyStop().getValue();
        assertTrue(report.toString(), report.complete());
        assertEquals(6, report.results().size());
        Map<String, Object> afterStop = details();
        assertTrue("at most the one command in flight was sent before the stop: " + afterStop,
                (Long) afterStop.get("requests.sent") <= 1);
        int abandoned = 0;
        for (Promise<Void> p : queued) {
            Throwable f = failureOrNull(p);
            if (f != null) {
                DeviceException e = (DeviceException) f;
                assertEquals(WriteOutcome.NOT_SENT, e.outcome());
                assertEquals(DeviceException.Fault.WITHDRAWN, e.fault());
                abandoned++;
            }
        }
        assertTrue("abandoned " + abandoned, abandoned >= 49);
        Map<String, Object> end = details();
        assertEquals("nothing queued before the stop reached the device after it", afterStop.get("requests.sent"),
                end.get("requests.sent"));
        assertEquals(0.0, end.get("motor0.target"));
        assertEquals(0.0, end.get("motor1.target"));
    }

    @Test
    public void commandsQueuedAfterTheStopStillRun() throws Exception {
        start(Faults.NONE, SafeState.STOP);
        device.emergencyStop().getValue();
        device.setMotorSpeed(0, 30, ctx()).getValue();
        assertEquals(30.0, details().get("motor0.target"));
    }

    @Test
    public void oneRefusingActuatorNeverStopsTheOthers() throws Exception {
        start(Faults.NONE.withRefused(Set.of(Actuator.motor(0), Actuator.output(1))), SafeState.STOP);
        device.setMotorSpeed(1, -20, ctx()).getValue();
        device.setDigitalOutput(0, true, ctx()).getValue();
        device.setDigitalOutput(3, true, ctx()).getValue();
        StopReport report = device.emergencyStop().getValue();
        assertFalse(report.complete());
        assertEquals(List.of(Actuator.motor(0), Actuator.output(1)),
                report.failures().stream().map(ActuatorResult::actuator).toList());
        assertEquals(WriteOutcome.REFUSED, report.failures().get(0).outcome());
        assertEquals(4, report.results().stream().filter(ActuatorResult::ok).count());
        assertEquals(0.0, details().get("motor1.target"));
        assertEquals("0000", details().get("outputs"));
    }

    @Test
    public void refusedWriteIsRefusedNotUnavailable() throws Exception {
        start(Faults.NONE.withRefused(Set.of(Actuator.output(2))), SafeState.STOP);
        DeviceException e = (DeviceException) failureOrNull(device.setDigitalOutput(2, true, ctx()));
        assertEquals(WriteOutcome.REFUSED, e.outcome());
        assertEquals("the device refused the write to output2 (simulated refusal)", e.getMessage());
        assertTrue("a refusal is an answer: the device is healthy", device.status().getValue().connected());
    }

    @Test
    public void requestWhoseCallerGaveUpIsWithdrawnBeforeSending() throws Exception {
        start(slow(100), SafeState.STOP);
        AtomicBoolean gaveUp = new AtomicBoolean();
        Promise<Void> first = device.setMotorSpeed(0, 10, ctx());
        Promise<Void> second = device.setMotorSpeed(1, 50, CallContext.within(TimeUnit.SECONDS.toNanos(60), gaveUp::get));
        gaveUp.set(true);
        first.getValue();
        DeviceException e = (DeviceException) failureOrNull(second);
        assertEquals(WriteOutcome.NOT_SENT, e.outcome());
        assertEquals(DeviceException.Fault.WITHDRAWN, e.fault());
        assertEquals(0.0, details().get("motor1.target"));
        assertEquals(1L, details().get("requests.withdrawn"));
    }

    @Test
    public void expiredDeadlineWithdrawsToo() throws Exception {
        start(Faults.NONE, SafeState.STOP);
        DeviceException e = (DeviceException) failureOrNull(device.setMotorSpeed(0, 10, CallContext.within(0)));
        assertEquals(WriteOutcome.NOT_SENT, e.outcome());
        assertEquals(0L, details().get("requests.sent"));
    }

    @Test
    public void silentDeviceGivesOutcomeUnknownNeverFailed() throws Exception {
        start(Faults.NONE.withSilent(true), SafeState.STOP);
        DeviceException e = (DeviceException) failureOrNull(device.setMotorSpeed(0, 10, ctx()));
        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertEquals(DeviceException.Fault.NO_ANSWER, e.fault());
        assertTrue(e.getMessage(), e.getMessage().startsWith("sent, no answer within"));
        StopReport report = device.emergencyStop().getValue();
        assertTrue(report.results().stream().allMatch(r -> r.outcome() == WriteOutcome.UNKNOWN));
        DeviceStatus status = device.status().getValue();
        assertFalse(status.connected());
        assertNotNull(status.health().lastError());
    }

    @Test
    public void slowerThanTheCallersDeadlineIsUnknownAtTheDeadline() throws Exception {
        start(slow(5_000), SafeState.STOP);
        long begin = System.nanoTime();
        DeviceException e = (DeviceException) failureOrNull(device.setMotorSpeed(0, 10,
                CallContext.within(TimeUnit.MILLISECONDS.toNanos(100))));
        assertEquals(WriteOutcome.UNKNOWN, e.outcome());
        assertTrue("bounded by the caller's deadline", System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(3));
        assertEquals("the slow device did get it", 10.0, details().get("motor0.target"));
    }

    @Test
    public void unreachableDeviceSendsNothingAndTheStopSaysSoPerTarget() throws Exception {
        start(Faults.NONE.withConnect(ConnectionIssue.FAIL), SafeState.STOP);
        DeviceException e = (DeviceException) failureOrNull(device.setMotorSpeed(0, 10, ctx()));
        assertEquals(WriteOutcome.NOT_SENT, e.outcome());
        StopReport report = device.emergencyStop().getValue();
        assertEquals(6, report.failures().size());
        assertTrue(report.results().stream().allMatch(r -> r.outcome() == WriteOutcome.NOT_SENT));
    }

    @Test
    public void safeStateIsPerDeviceConfiguration() throws Exception {
        start(Faults.NONE, SafeState.parse("stop, motor1=leave, output2=on"));
        device.setMotorSpeed(0, 40, ctx()).getValue();
        device.setMotorSpeed(1, 40, ctx()).getValue();
        device.setDigitalOutput(3, true, ctx()).getValue();
        StopReport report = device.applySafeState(Set.of(Actuator.motor(0), Actuator.motor(1), Actuator.output(2),
                Actuator.output(3))).getValue();
        assertTrue(report.complete());
        assertEquals("motor1 is left alone and not reported",
                List.of(Actuator.motor(0), Actuator.output(2), Actuator.output(3)),
                report.results().stream().map(ActuatorResult::actuator).toList());
        Map<String, Object> d = details();
        assertEquals(0.0, d.get("motor0.target"));
        assertEquals(40.0, d.get("motor1.target"));
        assertEquals("0010", d.get("outputs"));
    }

    @Test
    public void untouchedActuatorsKeepTheirStateUnderSafeState() throws Exception {
        start(Faults.NONE, SafeState.STOP);
        device.setMotorSpeed(1, 25, ctx()).getValue();
        device.applySafeState(Set.of(Actuator.motor(0))).getValue();
        assertEquals(25.0, details().get("motor1.target"));
    }

    @Test
    public void healthFollowsRealExchanges() throws Exception {
        start(slow(20), SafeState.STOP);
        DeviceStatus up = device.status().getValue();
        assertTrue(up.connected());
        assertNotNull(up.health().lastGoodExchange());
        assertTrue(up.health().latency().toMillis() >= 20);
        assertNull(up.health().lastError());
        device.faults(Faults.NONE.withConnect(ConnectionIssue.FAIL));
        DeviceStatus down = device.status().getValue();
        assertFalse("a lost device is not connected, whatever a socket says", down.connected());
        assertEquals("simulated connection failure", down.health().lastError());
        assertEquals(up.health().lastGoodExchange(), down.health().lastGoodExchange());
        device.faults(Faults.NONE);
        assertTrue(device.status().getValue().connected());
    }

    @Test
    public void deactivationSettlesStopsAndStatusesStillQueued() throws Exception {
        start(slow(300), SafeState.STOP);
        Promise<StopReport> running = device.emergencyStop();
        Promise<StopReport> queuedStop = device.applySafeState(Set.of(Actuator.motor(0)));
        Promise<DeviceStatus> status = device.status();
        Promise<DeviceStatus> queuedStatus = device.status();
        device.deactivate();
        for (Promise<?> p : List.of(running, queuedStop, status, queuedStatus)) {
            Throwable f = failureOrNull(p);   // getValue waits: a promise never settled would hang here
            assertTrue(String.valueOf(f), f == null || "driver stopped".equals(f.getMessage()));
        }
        assertEquals("driver stopped", failureOrNull(queuedStop).getMessage());
        device = null;
    }

    @Test(expected = IllegalArgumentException.class)
    public void badRefuseEntryIsRefused() {
        SimulatedDevice.actuators("motor0,pump1");
    }

    private Map<String, Object> details() throws Exception {
        return device.status().getValue().details();
    }

    private static Throwable failureOrNull(Promise<?> p) throws Exception {
        try {
            p.getValue();
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }


    /**
     * Setpoints are actuators: the e-stop writes each one's safe value on its own (a refusing one does not keep the
     * others from stopping; {@code leave} is neither written nor reported), the safe state writes those named, a
     * setpoint refused at activation when its default safe value 0 is outside its range.
     */
    @Test
    public void setpointsAreStoppedEachOnItsOwnAndRefusedWithoutASafeValueInRange() throws Exception {
        device = new SimulatedDevice(new SimulatedDevice.Settings("sim-c", "sim-1.0.0", 1, 1, List.of(), 50.0,
                SafeState.STOP, RESPONSE_TIMEOUT_MS, 0, new Faults(ConnectionIssue.NONE, 0, false,
                Set.of(Actuator.channel("a")), "", SimulatedDevice.BadValue.FAIL),
                Setpoint.parse("a:0:10, b:0:10:5, c:bool, d:0:10:leave")), System::nanoTime);
        StopReport r = device.emergencyStop().getValue();
        Map<String, WriteOutcome> byTarget = new java.util.TreeMap<>();
        r.results().forEach(x -> byTarget.put(x.actuator().toString(), x.outcome()));
        assertEquals(Map.of("motor0", WriteOutcome.ACKNOWLEDGED, "output0", WriteOutcome.ACKNOWLEDGED,
                "channel.a", WriteOutcome.REFUSED, "channel.b", WriteOutcome.ACKNOWLEDGED,
                "channel.c", WriteOutcome.ACKNOWLEDGED), byTarget);
        assertEquals(5.0, device.readTelemetry(List.of("b"), ctx()).getValue().get("b").value(), 0);
        try {
            Setpoint.parse("speed:100:1500");
            org.junit.Assert.fail("a setpoint whose default safe value 0 is outside 100..1500 was accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("the safe value within, default 0"));
        }
    }
}
