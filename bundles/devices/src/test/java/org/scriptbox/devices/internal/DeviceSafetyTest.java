package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.engine.ScriptCallException;

/**
 * Issue 12 point 8 and the device side of points 4 and 11.6/11.9: nothing leaks to a script without the
 * permission, reads are charged per channel, the four outcomes reach the script as such, nothing is sent
 * after a cancel, repeated e-stops coalesce, and an abnormal end puts touched actuators into the safe state.
 */
public class DeviceSafetyTest {
    private final Fixture f = new Fixture();
    private FakeDevice device;

    @Before
    public void devices() {
        device = FakeDevice.register(f.registry, "dev-1");
        FakeDevice.register(f.registry, "secret-press");
    }

    @Test
    public void aScriptWithoutPermissionLearnsNoInventory() {
        TestScope none = new TestScope("nobody");
        List<Object[]> calls = List.of(
                new Object[] {"device_set_motor_speed", 99.0, 1.0},
                new Object[] {"device_set_motor_speed", 99.0, 1.0, "dev-1"},
                new Object[] {"device_set_digital_output", 200.0, true, "secret-press"},
                new Object[] {"device_get_status"},
                new Object[] {"device_get_status", "no-such"},
                new Object[] {"telemetry_read", "nope", "dev-1"},
                new Object[] {"telemetry_read", "nope"});
        for (Object[] call : calls) {
            Object[] args = java.util.Arrays.copyOfRange(call, 1, call.length);
            ScriptCallException e = f.failure(none, (String) call[0], args);
            assertEquals(e.getMessage(), ErrorKind.PERMISSION, e.kind());
            String named = args.length > 0 && args[args.length - 1] instanceof String s && !s.equals("nope") ? s : null;
            for (String secret : List.of("dev-1", "secret-press", "motors", "outputs", "channels", "temperature")) {
                if (!secret.equals(named)) {
                    assertFalse(e.getMessage() + " leaks " + secret, e.getMessage().contains(secret));
                }
            }
        }
        assertEquals(List.of(), device.commands);
    }

    @Test
    public void unknownAndForbiddenDevicesLookTheSame() {
        TestScope none = new TestScope("nobody");
        String exists = f.failure(none, "device_get_status", "secret-press").getMessage();
        String missing = f.failure(none, "device_get_status", "ghost").getMessage();
        assertEquals(exists.replace("secret-press", "X"), missing.replace("ghost", "X"));
    }

    @Test
    public void policyRestrictedScriptSeesOnlyItsDevicesInLists() {
        f.policy.addRule(new PolicyRule("line*", "device:read,device:control", "dev-1", 0, 0));
        TestScope line = TestScope.all("line1");
        ScriptCallException e = f.failure(line, "device_get_status", "ghost");
        assertEquals(ErrorKind.PERMISSION, e.kind());
        e = f.failure(line, "device_set_motor_speed", 0.0, 1.0);
        assertTrue(e.getMessage(), e.getMessage().contains("several devices (dev-1)"));
        assertFalse(e.getMessage(), e.getMessage().contains("secret-press"));
        assertEquals(List.of("dev-1"), f.call(line, "device_list"));
    }

    @Test
    public void telemetryIsChargedPerChannelRead() {
        TestScope reader = TestScope.all("reader");
        List<String> tenCopies = java.util.Collections.nCopies(10, "temperature");
        f.call(reader, "telemetry_read", tenCopies, "dev-1");
        assertEquals("10 channels x 0.5", 45.0, f.policy.bucket("reader").available(), 1e-9);
        for (int i = 0; i < 9; i++) {
            f.call(reader, "telemetry_read", tenCopies, "dev-1");
        }
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded", reader, "telemetry_read", "temperature", "dev-1");
    }

    @Test
    public void nothingIsSentAfterACancel() {
        TestScope s = TestScope.all("s");
        s.cancellation.cancel("script:cancel");
        f.assertFails(ErrorKind.CANCELLED, "no command is sent after a cancel", s, "device_set_motor_speed", 0.0, 1.0,
                "dev-1");
        f.assertFails(ErrorKind.CANCELLED, "no command is sent after a cancel", s, "device_set_digital_output", 0.0,
                true, "dev-1");
        f.assertFails(ErrorKind.CANCELLED, "no command is sent after a cancel", s, "telemetry_read", "voltage",
                "dev-1");
        assertEquals(List.of(), device.commands);
    }

    @Test
    public void theFourOutcomesReachTheScriptAsSuch() {
        TestScope s = TestScope.all("s");
        device.mode = FakeDevice.Mode.FAIL_WITH;
        device.failure = DeviceException.refused("FC06 write register 40001: exception 2 (illegal data address)");
        f.assertFails(ErrorKind.DEVICE, "device error: 'dev-1' refused: FC06 write register 40001: exception 2", s,
                "device_set_motor_speed", 0.0, 1.0, "dev-1");
        device.failure = DeviceException.noAnswer("sent, no answer within 1000 ms");
        f.assertFails(ErrorKind.DEVICE, "outcome unknown: 'dev-1': sent, no answer within 1000 ms (the device may have "
                + "applied it)", s, "device_set_motor_speed", 0.0, 1.0, "dev-1");
        device.failure = DeviceException.withdrawn("abandoned for an emergency stop");
        f.assertFails(ErrorKind.DEVICE, "not sent: 'dev-1': abandoned for an emergency stop", s,
                "device_set_digital_output", 0.0, true, "dev-1");
        device.failure = new DeviceException("connection refused");
        f.assertFails(ErrorKind.DEVICE, "device unavailable: 'dev-1': connection refused (not sent)", s,
                "device_set_digital_output", 0.0, true, "dev-1");
    }

    @Test
    public void aDriversJavaExceptionNeverReachesTheScript() {
        TestScope s = TestScope.all("s");
        device.mode = FakeDevice.Mode.FAIL_WITH;
        device.failure = new IllegalStateException("com.example.Internal$Thing@1234 secret state");
        ScriptCallException e = f.failure(s, "device_set_motor_speed", 0.0, 1.0, "dev-1");
        assertEquals("device_set_motor_speed: device 'dev-1' failed: driver error (outcome unknown; see the container "
                + "log)", e.getMessage());
    }

    @Test
    public void repeatedEmergencyStopsCoalesceIntoOneDriverCommand() {
        TestScope none = new TestScope("flood");
        for (int i = 0; i < 20_000; i++) {
            f.call(none, "device_emergency_stop", "dev-1");
        }
        long stops = device.commands.stream().filter("estop"::equals).count();
        assertTrue("20,000 stops gave " + stops + " driver commands", stops <= 3);
    }

    @Test
    public void aStopAfterANewCommandIsNeverSwallowed() {
        TestScope s = TestScope.all("s");
        f.call(s, "device_emergency_stop", "dev-1");
        f.call(s, "device_set_motor_speed", 0.0, 50.0, "dev-1");
        f.call(s, "device_emergency_stop", "dev-1");
        assertEquals(List.of("estop", "motor 0 50.0", "estop"), device.commands);
    }

    @Test
    public void coalescingWindowFollowsTheClock() {
        AtomicLong clock = new AtomicLong();
        EmergencyStops stops = new EmergencyStops(500, clock::get);
        assertTrue(stops.stop(device).fresh());
        for (int i = 0; i < 1000; i++) {
            assertFalse(stops.stop(device).fresh());
        }
        clock.addAndGet(499);
        assertFalse(stops.stop(device).fresh());
        clock.addAndGet(1);
        EmergencyStops.Ticket next = stops.stop(device);
        assertTrue(next.fresh());
        assertEquals(1001, next.coalescedBefore());
        stops.wrote("dev-1");
        assertTrue("a write in between: the next stop goes out", stops.stop(device).fresh());
    }

    @Test
    public void aStopWhileTheLastIsInFlightJoinsIt() {
        device.mode = FakeDevice.Mode.BY_HAND;
        EmergencyStops stops = new EmergencyStops(0, System::nanoTime);
        EmergencyStops.Ticket first = stops.stop(device);
        EmergencyStops.Ticket second = stops.stop(device);
        assertTrue(first.fresh());
        assertFalse(second.fresh());
        assertTrue(first.report() == second.report());
    }

    @Test
    public void abnormalEndPutsTouchedActuatorsIntoTheSafeState() {
        TestScope s = TestScope.all("ramp");
        f.call(s, "device_set_motor_speed", 1.0, 40.0, "dev-1");
        f.call(s, "device_set_digital_output", 3.0, true, "dev-1");
        f.call(s, "device_set_motor_speed", 1.0, 60.0, "dev-1");
        assertEquals("one listener per execution", 1, s.endListeners.size());
        s.end(ScriptStatus.CANCELLED, "cancelled");
        assertEquals("safe [motor1, output3]", device.commands.get(device.commands.size() - 1));
        assertEquals(0, f.api.safeStatesTracked());
    }

    @Test
    public void normalEndLeavesActuatorsAlone() {
        TestScope s = TestScope.all("ok");
        f.call(s, "device_set_motor_speed", 1.0, 40.0, "dev-1");
        s.end(ScriptStatus.COMPLETED, "completed");
        assertEquals(List.of("motor 1 40.0"), device.commands);
        assertEquals(0, f.api.safeStatesTracked());
    }

    @Test
    public void readsAloneNeedNoSafeState() {
        TestScope s = TestScope.all("reader");
        f.call(s, "telemetry_read", "temperature", "dev-1");
        assertEquals(0, s.endListeners.size());
        assertEquals(0, f.api.safeStatesTracked());
    }

    @Test
    public void safeStateForEveryDeviceTouched() {
        FakeDevice other = FakeDevice.register(f.registry, "dev-2");
        TestScope s = TestScope.all("two");
        f.call(s, "device_set_motor_speed", 0.0, 40.0, "dev-1");
        f.call(s, "device_set_digital_output", 1.0, true, "dev-2");
        s.end(ScriptStatus.FAILED, "error");
        assertTrue(device.commands.contains("safe [motor0]"));
        assertTrue(other.commands.contains("safe [output1]"));
        assertFalse(device.commands.toString(), device.commands.stream().anyMatch(c -> c.contains("output1")));
    }

}
