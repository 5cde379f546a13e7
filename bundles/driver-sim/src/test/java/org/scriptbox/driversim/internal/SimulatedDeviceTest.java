package org.scriptbox.driversim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.driversim.internal.SimulatedDevice.BadValue;
import org.scriptbox.driversim.internal.SimulatedDevice.ConnectionIssue;

public class SimulatedDeviceTest {
    private static final long RESPONSE_TIMEOUT_MS = 300;
    private static final CallContext CTX = CallContext.within(java.util.concurrent.TimeUnit.MINUTES.toNanos(5));
    private final AtomicLong clock = new AtomicLong();
    private SimulatedDevice device;

    private SimulatedDevice start(ConnectionIssue connect, long delay, String badChannel, BadValue bad) {
        return start(new Faults(connect, delay, false, Set.of(), badChannel, bad), SafeState.STOP);
    }

    private SimulatedDevice start(Faults faults, SafeState safeState) {
        device = new SimulatedDevice(new SimulatedDevice.Settings("sim-t", "sim-1.0.0", 2, 8,
                List.of("temperature", "voltage", "current", "motor0.speed", "output3", "custom"), 50.0, safeState,
                RESPONSE_TIMEOUT_MS, 0, faults), clock::get);
        return device;
    }

    private SimulatedDevice start() {
        return start(ConnectionIssue.NONE, 0, "", BadValue.FAIL);
    }

    @After
    public void stop() {
        if (device != null) {
            device.deactivate();
        }
    }

    @Test
    public void motorRampsTowardsItsSetSpeed() throws Exception {
        start().setMotorSpeed(0, 80, CTX).getValue();
        assertEquals(0.0, telemetry("motor0.speed"), 1e-9);
        seconds(1);
        assertEquals(50.0, telemetry("motor0.speed"), 1e-9);
        seconds(1);
        assertEquals(80.0, telemetry("motor0.speed"), 1e-9);
        device.setMotorSpeed(0, -20, CTX).getValue();
        seconds(1);
        assertEquals(30.0, telemetry("motor0.speed"), 1e-9);
        Map<String, Object> details = device.status().getValue().details();
        assertEquals(-20.0, details.get("motor0.target"));
    }

    @Test
    public void outputsLatchAndEmergencyStopClearsEverything() throws Exception {
        start().setDigitalOutput(3, true, CTX).getValue();
        seconds(5);
        assertEquals(1.0, telemetry("output3"), 0);
        assertEquals("00010000", device.status().getValue().details().get("outputs"));
        device.setMotorSpeed(0, 100, CTX).getValue();
        seconds(5);
        device.emergencyStop().getValue();
        assertEquals("stops at once, no ramp", 0.0, telemetry("motor0.speed"), 0);
        assertEquals(0.0, telemetry("output3"), 0);
    }

    @Test
    public void telemetryMovesAndFollowsTheLoad() throws Exception {
        start();
        double idleCurrent = telemetry("current");
        double t0 = telemetry("temperature");
        seconds(3);
        assertNotEquals(t0, telemetry("temperature"), 1e-6);
        device.setMotorSpeed(0, 100, CTX).getValue();
        seconds(10);
        assertTrue(telemetry("current") > idleCurrent + 4);
        double v = telemetry("voltage");
        assertTrue("voltage " + v, v > 23 && v < 24);
        double custom = telemetry("custom");
        assertTrue(custom >= 0 && custom <= 100);
    }

    @Test
    public void connectionFaultFailsCommandsAndReportsDisconnected() throws Exception {
        start(ConnectionIssue.FAIL, 0, "", BadValue.FAIL);
        assertFalse(device.status().getValue().connected());
        assertTrue(failure(device.setMotorSpeed(0, 1, CTX)) instanceof DeviceException);
        assertTrue(failure(device.readTelemetry(List.of("voltage"), CTX)) instanceof DeviceException);
    }

    @Test
    public void badChannelFailsAloneOrReadsNan() throws Exception {
        start(ConnectionIssue.NONE, 0, "voltage", BadValue.FAIL);
        Map<String, ChannelValue> read = device.readTelemetry(List.of("voltage", "temperature"), CTX).getValue();
        assertFalse(read.get("voltage").ok());
        assertEquals("simulated bad value", read.get("voltage").message());
        assertTrue(read.get("temperature").ok());
        device.deactivate();
        start(ConnectionIssue.NONE, 0, "voltage", BadValue.NAN);
        assertTrue(Double.isNaN(telemetry("voltage")));
    }

    @Test
    public void slowDeviceAnswersLaterWithoutBlockingTheCaller() throws Exception {
        start(ConnectionIssue.NONE, 300, "", BadValue.FAIL);
        long begin = System.nanoTime();
        Promise<Void> p = device.setMotorSpeed(0, 10, CTX);
        assertTrue("returned at once", System.nanoTime() - begin < 200_000_000L);
        p.getValue();
        assertTrue("answered after the delay", System.nanoTime() - begin >= 300_000_000L);
    }

    @Test
    public void stoppingTheDriverFailsPendingAnswers() throws Exception {
        start(ConnectionIssue.NONE, 60_000, "", BadValue.FAIL);
        Promise<Void> p = device.setMotorSpeed(0, 10, CTX);
        device.deactivate();
        Throwable f = failure(p);
        assertTrue(f instanceof DeviceException);
        assertEquals("driver stopped", f.getMessage());
        device = null;
    }

    @Test(expected = IllegalArgumentException.class)
    public void deviceIdIsRequired() {
        new SimulatedDevice(new SimulatedDevice.Settings(" ", "x", 1, 1, List.of(), 1, null, 1000, 0, null), clock::get);
    }

    private double telemetry(String channel) throws Exception {
        ChannelValue v = device.readTelemetry(List.of(channel), CTX).getValue().get(channel);
        assertTrue(channel + ": " + v.message(), v.ok());
        return v.value();
    }

    private void seconds(double s) {
        clock.addAndGet((long) (s * 1e9));
    }

    private static Throwable failure(Promise<?> p) throws Exception {
        try {
            p.getValue();
            throw new AssertionError("expected a failure");
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }
}
