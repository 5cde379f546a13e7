package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/** The device API as scripts see it: the real engine, the real simulator, Lua source in. */
public class DeviceLuaTest {
    private final LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED);

    @After
    public void close() {
        lua.close();
    }

    @Test
    public void seedStyleScriptDrivesTheSimulator() {
        lua.simulator("sim-1", Map.of());
        ExecutionResult r = lua.run("demo", String.join("\n",
                "assert(device_set_motor_speed(0, 40) == true)",
                "device_set_digital_output(2, true)",
                "local s = device_get_status()",
                "assert(s.connected == true and s.device_type == 'simulator', 'status')",
                "assert(s.firmware_version == 'sim-1.0.0')",
                "assert(s.details.outputs == '00100000', s.details.outputs)",
                "local t, failed = telemetry_read({'voltage', 'temperature'})",
                "assert(failed == nil)",
                "assert(t.voltage > 20 and t.temperature > 10)",
                "log_info('speed target ' .. s.details['motor0.target'])",
                "sleep(0.01)",
                "return #device_list()"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(1L), longs(r.values()));
        assertEquals(List.of("INFO speed target 40"), lua.log);
    }

    @Test
    public void argumentErrorsCarryTheScriptPositionAndArePcallable() {
        lua.simulator("sim-1", Map.of());
        ExecutionResult r = lua.run("bad", "local x = 1\ndevice_set_motor_speed(0, 0/0)\n", LuaHarness.ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.RUNTIME, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains(
                "device_set_motor_speed: bad argument #2 'speed': must be a finite number, got nan"));
        assertEquals(2, r.error().line());

        ExecutionResult caught = lua.run("caught", String.join("\n",
                "local ok, err = pcall(device_set_motor_speed, 0, 101)",
                "assert(not ok)",
                "return err"), LuaHarness.ALL);
        assertEquals(String.valueOf(caught.error()), ScriptStatus.COMPLETED, caught.status());
        assertTrue(String.valueOf(caught.values()), caught.values().get(0).toString()
                .contains("'speed': must be between -100 and 100, got 101"));
    }

    @Test
    public void permissionDenialsAreCountedInTheResult() {
        lua.simulator("sim-1", Map.of());
        ExecutionResult r = lua.run("reader", String.join("\n",
                "local ok, err = pcall(device_set_motor_speed, 0, 10)",
                "assert(not ok and err:find('permission denied: device:control'), err)",
                "assert(device_emergency_stop())",
                "return device_get_status().connected"), "device:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(1, r.permissionDenials());
        assertEquals(List.of(true), r.values());
    }

    @Test
    public void rateLimitIsACatchableErrorAndTheScriptMayRetry() {
        lua.simulator("sim-1", Map.of());
        long start = System.nanoTime();
        ExecutionResult r = lua.run("spam", String.join("\n",
                "local n = 0",
                "while true do",
                "  local ok, err = pcall(device_set_digital_output, 1, n % 2 == 0)",
                "  if not ok then assert(err:find('rate limit exceeded'), err) break end",
                "  n = n + 1",
                "end",
                "assert(device_emergency_stop(), 'estop with an empty bucket')",
                "sleep(0.2)",
                "assert(device_set_digital_output(1, true), 'after refill')",
                "return n"), LuaHarness.ALL);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        // the burst of 50, plus what the bucket refilled (10/s) while the loop ran: a loaded machine is slower
        long n = longs(r.values()).get(0);
        assertTrue(n + " writes in " + seconds + " s", n >= 50 && n <= 50 + (long) Math.ceil(10 * seconds));
    }

    @Test
    public void severalDevicesByIdAndFailedChannels() {
        lua.simulator("sim-1", Map.of());
        lua.simulator("sim-2", Map.of("channels", "pressure,temperature", "fault_bad_channel", "pressure"));
        ExecutionResult r = lua.run("two", String.join("\n",
                "device_set_motor_speed(1, -30, 'sim-2')",
                "local ok, err = pcall(device_get_status)",
                "assert(not ok and err:find('several devices'), err)",
                "local t, failed = telemetry_read({'pressure', 'temperature'}, 'sim-2')",
                "assert(t.pressure == nil and failed.pressure == 'simulated bad value')",
                "assert(device_get_status('sim-2').details['motor1.target'] == -30)",
                "local ok2, err2 = pcall(device_get_status, 'sim-9')",
                "return err2"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertTrue(r.values().get(0).toString().contains("device unavailable: no device 'sim-9' (devices: sim-1, sim-2)"));
    }

    @Test
    public void driverGoneGivesDeviceUnavailable() {
        var sim = lua.simulator("sim-1", Map.of());
        lua.remove(sim);
        ExecutionResult r = lua.run("orphan", "device_set_motor_speed(0, 10, 'sim-1')", LuaHarness.ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.DEVICE, r.error().kind());
        assertTrue(r.error().message().contains("device unavailable"));
    }

    private static List<Long> longs(List<Object> values) {
        return values.stream().map(v -> ((Number) v).longValue()).toList();
    }
}
