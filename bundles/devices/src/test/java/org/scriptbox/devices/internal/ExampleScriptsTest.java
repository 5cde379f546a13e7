package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;

/** The device examples shipped in scripts-deploy run against simulators set up as in runtime/etc. */
public class ExampleScriptsTest {
    private static final Path EXAMPLES = Paths.get("../../scripts-deploy");
    private LuaHarness lua;

    @Before
    public void devicesAsShipped() {
        lua = new LuaHarness(DevicePolicy.Limits.SEED, "sim-1");   // the default device of runtime/etc
        lua.simulator("sim-1", Map.of());
        lua.simulator("sim-2", Map.of("motors", 1, "digital_outputs", 4, "channels", "temperature,pressure,motor0.speed",
                "ramp_rate", 25.0, "fault_bad_channel", "pressure"));
    }

    @After
    public void close() {
        lua.close();
    }

    private ExecutionResult run(String name, String... permissions) throws Exception {
        return lua.run(name, Files.readString(EXAMPLES.resolve(name + ".lua")), permissions);
    }

    @Test
    public void motorRamp() throws Exception {
        ExecutionResult r = run("motor_ramp", "device:control", "telemetry:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of(true), r.values());
        assertTrue(lua.log.toString(), lua.log.size() >= 10 && lua.log.get(0).startsWith("INFO set    0%"));
        // numbers are formatted for people: one decimal for the speed, two for the current, never 10.02122235%
        for (String line : lua.log) {
            assertTrue(line, line.matches("INFO set +\\d+%, motor at +\\d+\\.\\d%, drawing \\d+\\.\\d\\d A"));
        }
    }

    @Test
    public void blinkOutputs() throws Exception {
        ExecutionResult r = run("blink_outputs", "device:write", "device:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("00000000"), r.values());
    }

    @Test
    public void telemetryReport() throws Exception {
        ExecutionResult r = run("telemetry_report", "device:read", "telemetry:read");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        String report = r.values().get(0).toString();
        assertTrue(report, report.startsWith("sim-1 [simulator, connected]: temperature="));
        assertTrue(report, report.contains("sim-2 [simulator, connected]: temperature=")
                && report.contains("pressure=FAILED(simulated bad value)"));
        assertTrue("every value with two decimals: " + report, report.replaceAll("=-?\\d+\\.\\d\\d( |\n|$)", "=V$1")
                .matches("(?s)[^=]*(=(V|FAILED\\([^)]*\\))[^=]*)*"));
    }
}
