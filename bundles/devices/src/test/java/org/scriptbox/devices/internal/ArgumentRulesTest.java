package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;

/** Every argument rule of every function, each with the message a script author sees. */
public class ArgumentRulesTest {
    private final Fixture f = new Fixture();
    private final TestScope scope = TestScope.all("rules");
    private FakeDevice device;

    @Before
    public void oneDevice() {
        device = FakeDevice.register(f.registry, "dev-1");
    }

    @Test
    public void validCallsReachTheDevice() {
        assertEquals(Boolean.TRUE, f.call(scope, "device_set_motor_speed", 1.0, -42.5));
        assertEquals(Boolean.TRUE, f.call(scope, "device_set_digital_output", 7.0, true));
        assertEquals(List.of("motor 1 -42.5", "output 7 true"), device.commands);
    }

    @Test
    public void motorSpeedRejectsWrongTypes() {
        f.assertFails(ErrorKind.RUNTIME, "device_set_motor_speed: bad argument #1 'motor_id': expected a number, got string",
                scope, "device_set_motor_speed", "one", 10.0);
        f.assertFails(ErrorKind.RUNTIME, "bad argument #2 'speed': expected a number, got nil",
                scope, "device_set_motor_speed", 0.0);
        f.assertFails(ErrorKind.RUNTIME, "bad argument #2 'speed': expected a number, got boolean",
                scope, "device_set_motor_speed", 0.0, true);
        f.assertFails(ErrorKind.RUNTIME, "bad argument #3 'device_id': expected a string, got number",
                scope, "device_set_motor_speed", 0.0, 1.0, 5.0);
    }

    @Test
    public void motorSpeedRejectsNanInfinitiesAndOutOfRange() {
        f.assertFails(ErrorKind.RUNTIME, "'speed': must be a finite number, got nan", scope, "device_set_motor_speed",
                0.0, Double.NaN);
        f.assertFails(ErrorKind.RUNTIME, "'speed': must be a finite number, got inf", scope, "device_set_motor_speed",
                0.0, Double.POSITIVE_INFINITY);
        f.assertFails(ErrorKind.RUNTIME, "'speed': must be a finite number, got -inf", scope,
                "device_set_motor_speed", 0.0, Double.NEGATIVE_INFINITY);
        f.assertFails(ErrorKind.RUNTIME, "'speed': must be between -100 and 100, got 100.5", scope,
                "device_set_motor_speed", 0.0, 100.5);
        f.assertFails(ErrorKind.RUNTIME, "'motor_id': must be between 0 and 255, got -1", scope,
                "device_set_motor_speed", -1.0, 0.0);
        f.assertFails(ErrorKind.RUNTIME, "'motor_id': must be a whole number, got 0.5", scope,
                "device_set_motor_speed", 0.5, 0.0);
        f.assertFails(ErrorKind.RUNTIME, "'motor_id': device 'dev-1' has 2 motors (0..1), got 2", scope,
                "device_set_motor_speed", 2.0, 0.0);
        assertEquals(List.of(), device.commands);
    }

    @Test
    public void boundarySpeedsAreAccepted() {
        f.call(scope, "device_set_motor_speed", 0.0, -100.0);
        f.call(scope, "device_set_motor_speed", 1.0, 100.0);
        assertEquals(List.of("motor 0 -100.0", "motor 1 100.0"), device.commands);
    }

    @Test
    public void digitalOutputRules() {
        f.assertFails(ErrorKind.RUNTIME, "device_set_digital_output: bad argument #2 'state': expected a boolean, got number",
                scope, "device_set_digital_output", 1.0, 1.0);
        f.assertFails(ErrorKind.RUNTIME, "'pin': must be between 0 and 255, got 256", scope,
                "device_set_digital_output", 256.0, true);
        f.assertFails(ErrorKind.RUNTIME, "'pin': device 'dev-1' has 8 digital outputs (0..7), got 8", scope,
                "device_set_digital_output", 8.0, true);
        f.assertFails(ErrorKind.RUNTIME, "'pin': must be a finite number, got nan", scope,
                "device_set_digital_output", Double.NaN, true);
    }

    @Test
    public void tooManyArgumentsAreRefused() {
        f.assertFails(ErrorKind.RUNTIME, "device_get_status: expects at most 1 argument, got 2", scope,
                "device_get_status", "dev-1", "extra");
        f.assertFails(ErrorKind.RUNTIME, "device_list: expects at most 0 arguments", scope, "device_list", 1.0);
    }

    @Test
    public void unknownDeviceIsNamed() {
        f.assertFails(ErrorKind.DEVICE, "device_get_status: device unavailable: no device 'nope' (devices: dev-1)",
                scope, "device_get_status", "nope");
    }

    @Test
    public void telemetryTakesOneToTenChannelNames() {
        Object[] result = (Object[]) f.call(scope, "telemetry_read", seq("temperature", "voltage"));
        assertEquals(Map.of("temperature", 21.5, "voltage", 21.5), result[0]);
        assertNull(result[1]);

        Object[] single = (Object[]) f.call(scope, "telemetry_read", "temperature");
        assertEquals(Map.of("temperature", 21.5), single[0]);

        Object[] eleven = new Object[11];
        java.util.Arrays.fill(eleven, "temperature");
        f.assertFails(ErrorKind.RUNTIME, "telemetry_read: bad argument #1 'channels': too many entries: at most 10, got 11",
                scope, "telemetry_read", seq(eleven));
        f.assertFails(ErrorKind.RUNTIME, "'channels': must name at least 1 entry", scope, "telemetry_read", seq());
        f.assertFails(ErrorKind.RUNTIME, "'channels': entry 2 must be a string, got number", scope,
                "telemetry_read", seq("temperature", 3.0));
        f.assertFails(ErrorKind.RUNTIME, "'channels': expected a list of strings, got boolean", scope,
                "telemetry_read", true);
        f.assertFails(ErrorKind.RUNTIME, "'channels': expected a list of strings, got a table with key x", scope,
                "telemetry_read", Map.of("x", "temperature"));
        f.assertFails(ErrorKind.RUNTIME, "'channels': device 'dev-1' has no channel 'pressure'", scope,
                "telemetry_read", seq("pressure"));
    }

    @Test
    public void failedChannelsComeBackInTheSecondTable() {
        Object[] result = (Object[]) f.call(scope, "telemetry_read", seq("temperature", "broken"));
        assertEquals(Map.of("temperature", 21.5), result[0]);
        assertEquals(Map.of("broken", "sensor open circuit"), result[1]);
    }

    @Test
    public void sleepRulesAndScopeSleep() {
        f.call(scope, "sleep", 0.25);
        assertEquals(List.of(250_000_000L), scope.slept);
        f.assertFails(ErrorKind.RUNTIME, "sleep: bad argument #1 'seconds': must be between 0 and 10, got 10.5", scope,
                "sleep", 10.5);
        f.assertFails(ErrorKind.RUNTIME, "'seconds': must be between 0 and 10, got -1", scope, "sleep", -1.0);
        f.assertFails(ErrorKind.RUNTIME, "'seconds': must be a finite number, got nan", scope, "sleep", Double.NaN);
        f.assertFails(ErrorKind.RUNTIME, "'seconds': expected a number, got string", scope, "sleep", "1");
    }

    @Test
    public void logFunctionsWriteToTheScopeLog() {
        f.call(scope, "log_info", "hello");
        f.call(scope, "log_warn", 42.0);
        f.call(scope, "log_error", "bad");
        assertEquals(List.of("INFO hello", "WARN 42", "ERROR bad"), scope.logs);
        f.assertFails(ErrorKind.RUNTIME, "log_info: bad argument #1 'message': expected a string, got nil", scope,
                "log_info");
    }

    static Map<Object, Object> seq(Object... items) {
        Map<Object, Object> table = new HashMap<>();
        for (int i = 0; i < items.length; i++) {
            table.put((double) (i + 1), items[i]);
        }
        return table;
    }
}
