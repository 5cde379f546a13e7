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

    /**
     * {@code estop.latch}: after an e-stop (from a script here; the shell's and REST's pass the same driver
     * coalescer) the device refuses ordinary writes, motors, outputs and channels alike, with a catchable error that
     * says how to release it; nothing is sent; the operator's reset releases it, and the next stop latches again.
     */
    @Test
    public void aLatchingDeviceRefusesOrdinaryWritesAfterAnEstopUntilTheOperatorResetsIt() throws Exception {
        SimulatedDevice sim = lua.simulator("press", Map.of("estop_latch", true, "setpoints", "force:0:100"));
        ExecutionResult r = lua.run("latch", String.join("\n",
                "device_set_motor_speed(0, 40)",
                "device_emergency_stop()",
                "local ok1, e1 = pcall(device_set_motor_speed, 0, 40)",
                "local ok2, e2 = pcall(device_set_digital_output, 1, true)",
                "local ok3, e3 = pcall(device_write, 'force', 10)",
                "return ok1, e1, ok2, ok3, device_get_status().details.estop_latched"), LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(false, r.values().get(0));
        assertTrue(String.valueOf(r.values().get(1)), String.valueOf(r.values().get(1)).contains(
                "not sent: device 'press' is latched by an emergency stop; an operator resets it (device:reset press)"));
        assertEquals(false, r.values().get(2));
        assertEquals(false, r.values().get(3));
        assertEquals(true, r.values().get(4));
        Map<String, Object> d = sim.status().getValue().details();
        assertEquals(0.0, d.get("motor0.target"));
        assertEquals("00000000", d.get("outputs"));

        assertTrue("it was latched", sim.resetEmergencyStop());
        assertEquals(false, sim.resetEmergencyStop());
        ExecutionResult after = lua.run("after", String.join("\n", "device_set_motor_speed(0, 20)",
                "device_emergency_stop()", "return pcall(device_set_motor_speed, 0, 20)"), LuaHarness.ALL);
        assertEquals(String.valueOf(after.error()), ScriptStatus.COMPLETED, after.status());
        assertEquals("the next stop latches again", false, after.values().get(0));
    }

    @Test
    public void aDeviceDoesNotLatchUnlessConfigured() throws Exception {
        SimulatedDevice sim = lua.simulator("sim-1", Map.of());
        ExecutionResult r = lua.run("nolatch", "device_emergency_stop() return device_set_motor_speed(0, 20)",
                LuaHarness.ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(false, sim.resetEmergencyStop());
    }
}
