package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/** device_read / device_write from Lua against the real simulator's setpoints and channels. */
public class ChannelLuaTest {
    private final LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED);

    @After
    public void close() {
        lua.close();
    }

    private ExecutionResult run(String source, String... permissions) {
        return lua.run("ch", source, permissions);
    }

    @Test
    public void aScriptWritesAndReadsBackSetpoints() {
        lua.simulator("sim-1", Map.of("setpoints", "speed_ref:0:1500, enable:bool"));
        ExecutionResult r = run(String.join("\n",
                "assert(device_write('speed_ref', 1200.5) == true)",
                "assert(device_write('enable', true))",
                "assert(device_read('speed_ref') == 1200.5)",
                "assert(device_read('enable') == true, 'a bool channel reads as a boolean')",
                "device_write('enable', false)",
                "assert(device_read('enable') == false)",
                "assert(type(device_read('temperature')) == 'number')",
                "local t = telemetry_read({'speed_ref'})",
                "assert(t.speed_ref == 1200.5)",
                "return true"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
    }

    @Test
    public void badWritesAreRefusedBeforeTheDriverNamingTheArgument() {
        lua.simulator("sim-1", Map.of("setpoints", "speed_ref:0:1500, enable:bool"));
        String[][] cases = {
                {"device_write('speed_ref', 1501)", "device_write: bad argument #2 'value': must be between 0 and 1500, got 1501"},
                {"device_write('speed_ref', 0/0)", "device_write: bad argument #2 'value': must be a finite number, got nan"},
                {"device_write('enable', 1)", "device_write: bad argument #2 'value': expected a boolean, got number"},
                {"device_write('temperature', 1)", "device_write: bad argument #1 'channel': channel 'temperature' of device 'sim-1' is read-only"},
                {"device_write('nope', 1)", "device_write: bad argument #1 'channel': device 'sim-1' has no channel 'nope'"},
                {"device_read('nope')", "device_read: bad argument #1 'channel': device 'sim-1' has no channel 'nope'"},
                {"device_read(42)", "device_read: bad argument #1 'channel': expected a string, got number"},
                {"device_read(string.rep('x', 201))", "device_read: bad argument #1 'channel': too long: at most 200"},
                {"device_write('speed_ref', 1, 'sim-1', 4)", "device_write: expects at most 3 arguments"},
        };
        for (String[] c : cases) {
            ExecutionResult r = run("local ok, err = pcall(function() " + c[0] + " end)\nreturn err", LuaHarness.ALL);
            assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
            assertTrue(c[0] + " -> " + r.values(), String.valueOf(r.values().get(0)).contains(c[1]));
        }
    }

    @Test
    public void readNeedsDeviceReadAndWriteNeedsDeviceWriteAndNothingLeaks() {
        lua.simulator("sim-1", Map.of("setpoints", "speed_ref:0:1500"));
        ExecutionResult r = run(String.join("\n",
                "local ok, err = pcall(device_write, 'speed_ref', 5)",
                "assert(not ok and err:find('permission denied: device:write required'), err)",
                "assert(not err:find('speed_ref'), 'the error must not name the channel: ' .. err)",
                "local ok2, err2 = pcall(device_read, 'nope')",
                "assert(not ok2 and err2:find('permission denied: device:read required'), err2)",
                "assert(not err2:find('sim%-1'), 'no device id for a script that did not name it: ' .. err2)",
                "return true"), "telemetry:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(2, r.permissionDenials());
        ExecutionResult reader = run("return device_read('speed_ref')", "device:read");
        assertEquals(String.valueOf(reader.error()), ScriptStatus.COMPLETED, reader.status());
    }

    @Test
    public void aSensorChannelNeedsTelemetryReadToo() {
        lua.simulator("sim-1", Map.of("setpoints", "speed_ref:0:1500"));
        ExecutionResult r = run(String.join("\n",
                "local ok, err = pcall(device_read, 'temperature')",
                "assert(not ok and err:find('permission denied: telemetry:read required'), err)",
                "return true"), "device:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        ExecutionResult both = run("return type(device_read('temperature'))", "device:read", "telemetry:read");
        assertEquals(String.valueOf(both.error()), java.util.List.of("number"), both.values());
    }

    @Test
    public void aSilentDeviceMakesAChannelWriteOfUnknownOutcome() {
        lua.simulator("sim-1", Map.of("setpoints", "speed_ref:0:1500", "fault_silent", true,
                "response_timeout_ms", 100L));
        ExecutionResult r = run(String.join("\n",
                "local ok, err = pcall(device_write, 'speed_ref', 5)",
                "return err"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertTrue(String.valueOf(r.values()), String.valueOf(r.values().get(0)).contains("outcome unknown"));
        ExecutionResult read = run("local ok, err = pcall(device_read, 'speed_ref')\nreturn err", LuaHarness.ALL);
        assertTrue(String.valueOf(read.values()), String.valueOf(read.values().get(0)).startsWith(
                "device_read: device unavailable: 'sim-1' did not answer"));
    }
}
