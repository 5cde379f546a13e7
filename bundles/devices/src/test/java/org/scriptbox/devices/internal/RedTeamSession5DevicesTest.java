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

/**
 * Session-5 red team of issue 12 (devices side): attacks that are neither the nor the earlier red teams'
 * (/work/coord/FINDINGS.md R3). Real engine, real simulator, the bundle's own registry.
 */
public class RedTeamSession5DevicesTest {
    private final LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED);

    @After
    public void close() {
        lua.close();
    }

    private static double target(SimulatedDevice sim, int motor) throws Exception {
        return (Double) sim.status().getValue().details().get("motor" + motor + ".target");
    }

    /**
     * R3: a driver stopped (bundle stop, jar update, .cfg edit) while a script drives its motor. SCR unbinds the
     * device service before it deactivates the driver; the safe state used to be looked up by id only when the
     * execution ended, by then the device was gone ("stop not sent: the device is gone"), and on a real Modbus
     * server the motor stayed at 40 %. The safe state must reach the device through the departing registration.
     */
    @Test
    public void aDeviceLeavingUnderARunningScriptGetsTheSafeStateBeforeItGoes() throws Exception {
        SimulatedDevice sim = lua.simulator("plc-9", Map.of());
        SimulatedDevice other = lua.simulator("sim-2", Map.of());
        Cancellation cancel = new Cancellation();
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> lua.run("spin", String.join("\n",
                "device_set_motor_speed(0, 40, 'plc-9')",
                "device_set_digital_output(1, true, 'plc-9')",
                "device_set_motor_speed(0, 30, 'sim-2')",
                "while true do sleep(0.01) end"), cancel, LuaHarness.ALL));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (target(other, 0) == 0.0) {
            assertTrue("the script started its motors", System.nanoTime() < deadline);
            Thread.sleep(5);
        }
        assertEquals(40.0, target(sim, 0), 0.0);

        lua.remove(sim);   // what SCR does first when the driver's component deactivates

        Map<String, Object> d = sim.status().getValue().details();
        assertEquals("the departing device's motor is at its safe state before the driver goes", 0.0,
                (Double) d.get("motor0.target"), 0.0);
        assertEquals("and its output", "00000000", d.get("outputs"));
        assertEquals("a device that stays is left to the running script", 30.0, target(other, 0), 0.0);

        cancel.cancel("a requirement went away");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertEquals("the run's own end still puts the device that stayed into its safe state", 0.0, target(other, 0), 0.0);
        assertEquals(0, lua.api.safeStatesTracked());
        assertTrue(lua.log.toString(), lua.log.stream().noneMatch(l -> l.contains("java.")));
    }

    /** A device leaving while no running execution commanded it is not written at all. */
    @Test
    public void aDeviceLeavingWithoutRunningCommandsIsNotWritten() throws Exception {
        SimulatedDevice sim = lua.simulator("plc-9", Map.of());
        ExecutionResult r = lua.run("set", "device_set_motor_speed(0, 40, 'plc-9') return 1", LuaHarness.ALL);
        assertEquals(ScriptStatus.COMPLETED, r.status());
        lua.remove(sim);
        assertEquals("a completed script's setting stays (no safe state after a normal end)", 40.0, target(sim, 0), 0.0);
    }
}
