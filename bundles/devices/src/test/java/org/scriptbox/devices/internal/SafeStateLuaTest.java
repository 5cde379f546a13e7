package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.driversim.internal.SimulatedDevice;

/** Safe state after an abnormal end, with the real engine telling the devices bundle and the real simulator. */
public class SafeStateLuaTest {
    private final LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED);

    @After
    public void close() {
        lua.close();
    }

    @Test
    public void runtimeErrorSendsTouchedMotorToZeroAndLeavesTheRest() throws Exception {
        SimulatedDevice sim = lua.simulator("sim-1", Map.of());
        lua.run("setup", "device_set_motor_speed(1, 30)", LuaHarness.ALL);
        ExecutionResult r = lua.run("ramp", String.join("\n",
                "device_set_motor_speed(0, 40)",
                "device_set_digital_output(2, true)",
                "error('boom')"), LuaHarness.ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        Map<String, Object> d = sim.status().getValue().details();
        assertEquals(0.0, d.get("motor0.target"));
        assertEquals("00000000", d.get("outputs"));
        assertEquals("the completed script's motor is not touched", 30.0, d.get("motor1.target"));
    }

    @Test
    public void cancelledRampGoesToTheSafeStateBeforeTheResult() throws Exception {
        SimulatedDevice sim = lua.simulator("sim-1", Map.of());
        Cancellation cancel = new Cancellation();
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> lua.run("ramp", String.join("\n",
                "local s = 0",
                "while true do",
                "  s = (s + 10) % 100",
                "  device_set_motor_speed(0, s)",
                "  sleep(0.01)",
                "end"), cancel, LuaHarness.ALL));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((Double) sim.status().getValue().details().get("motor0.target") == 0.0) {
            assertTrue("the ramp started", System.nanoTime() < deadline);
            Thread.sleep(5);
        }
        cancel.cancel("script:cancel");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertEquals(0.0, sim.status().getValue().details().get("motor0.target"));
        assertEquals(0, lua.api.safeStatesTracked());
    }

    @Test
    public void configuredSafeStateIsHonoured() throws Exception {
        SimulatedDevice sim = lua.simulator("pump", Map.of("safe_state", "stop, output2=on, motor0=leave"));
        ExecutionResult r = lua.run("pump", String.join("\n",
                "device_set_motor_speed(0, 40)",
                "device_set_motor_speed(1, 40)",
                "device_set_digital_output(2, false)",
                "error('boom')"), LuaHarness.ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        Map<String, Object> d = sim.status().getValue().details();
        assertEquals(40.0, d.get("motor0.target"));
        assertEquals(0.0, d.get("motor1.target"));
        assertEquals("00100000", d.get("outputs"));
    }

    /** A writable channel the run wrote is an actuator: an abnormal end puts it into its safe value (issue #12). */
    @Test
    public void aWrittenChannelGoesToItsSafeValueAfterAnAbnormalEnd() throws Exception {
        SimulatedDevice sim = lua.simulator("drive", Map.of("setpoints",
                "speed_ref:0:1500, trim:-5:5:1, enable:bool, brake:bool:leave, other:0:10"));
        lua.run("setup", "device_write('other', 7)", LuaHarness.ALL);
        ExecutionResult r = lua.run("ramp", String.join("\n",
                "device_write('speed_ref', 1200)",
                "device_write('trim', -4)",
                "device_write('enable', true)",
                "device_write('brake', true)",
                "error('boom')"), LuaHarness.ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        ExecutionResult values = lua.run("read", "return device_read('speed_ref'), device_read('trim'), "
                + "device_read('enable'), device_read('brake'), device_read('other')", LuaHarness.ALL);
        assertEquals(String.valueOf(values.error()), java.util.List.of(0.0, 1.0, false, true, 7.0), values.values());
        assertEquals(0, lua.api.safeStatesTracked());
    }

    @Test
    public void aScriptsEmergencyStopPutsEveryChannelIntoItsSafeValue() throws Exception {
        lua.simulator("drive", Map.of("setpoints", "speed_ref:0:1500, trim:-5:5:1, brake:bool:leave"));
        ExecutionResult r = lua.run("stop", String.join("\n",
                "device_write('speed_ref', 1200)",
                "device_write('trim', -4)",
                "device_write('brake', true)",
                "device_emergency_stop()",
                "return device_read('speed_ref'), device_read('trim'), device_read('brake')"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), java.util.List.of(0.0, 1.0, true), r.values());
    }
}
