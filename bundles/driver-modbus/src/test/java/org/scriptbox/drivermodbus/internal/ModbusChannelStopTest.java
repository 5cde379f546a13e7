package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;

/**
 * Writable channels are actuators (issue #12 against #17's channels): the e-stop puts every one into its safe
 * value, each on its own and reported per target; the safe state after an abnormal end puts the ones the run
 * wrote; a channel write on the wire when the stop comes is overwritten by the safe value afterwards; and every
 * channel write makes the next e-stop go out. Asserted on pymodbus' own registers and coils.
 */
public class ModbusChannelStopTest extends PyModbusTestBase {
    @Before
    public void reset() throws Exception {
        server.clearFaults();
        server.set("holding", 0, new int[40]);
        server.set("coils", 30, 0, 0);
        server.clearLog();
    }

    private ModbusDevice device(Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("device.id", "drive", "port", String.valueOf(server.port()),
                "timeout.ms", "1000", "probe.interval.ms", "0", "motor.registers", "39"));
        p.put("channel.sp", "holding 20 uint16 scale=0.1 offset=-10 access=rw write=multiple");   // safe: 0 (raw 100)
        p.put("channel.valve", "holding 22 int16 access=rw safe=25");
        p.put("channel.relay", "coil 30 bool access=rw");                                         // safe: off
        p.put("channel.keep", "coil 31 bool access=rw safe=leave");
        p.put("channel.flow", "holding 6 float32 access=rw safe=-1.5");
        p.put("channel.level", "holding 24 int16");                                               // read-only
        p.putAll(extra);
        ModbusDevice d = new ModbusDevice(ModbusSettings.parse(p));
        devices.add(d);
        return d;
    }

    private static void write(ModbusDevice d, String channel, double value) throws Exception {
        Throwable t = d.writeChannel(channel, value, CallContext.within(BOUND_NANOS)).getFailure();
        assertNull(channel + ": " + t, t);
    }

    private static Map<String, ActuatorResult> byTarget(StopReport r) {
        Map<String, ActuatorResult> m = new TreeMap<>();
        r.results().forEach(a -> m.put(a.actuator().toString(), a));
        return m;
    }

    private void writeAll(ModbusDevice d) throws Exception {
        write(d, "sp", 50);
        write(d, "valve", 80);
        write(d, "relay", 1);
        write(d, "keep", 1);
        write(d, "flow", 99);
        assertArrayEquals(new int[] {600}, server.registers(1, "holding", 20, 1));
        assertTrue(server.coil(30));
    }

    @Test
    public void anEmergencyStopPutsEveryWritableChannelIntoItsSafeValue() throws Exception {
        ModbusDevice d = device(Map.of());
        writeAll(d);
        StopReport r = d.emergencyStop().getValue();
        assertTrue(r.failures().toString(), r.complete());
        assertEquals(Set.of("motor0", "channel.sp", "channel.valve", "channel.relay", "channel.flow"),
                byTarget(r).keySet());
        assertArrayEquals("0 through offset -10 and scale 0.1", new int[] {100}, server.registers(1, "holding", 20, 1));
        assertArrayEquals(new int[] {25}, server.registers(1, "holding", 22, 1));
        assertFalse(server.coil(30));
        assertTrue("safe=leave: not written", server.coil(31));
        assertArrayEquals(ModbusChannelsTest.words(Float.floatToIntBits(-1.5f), 2, false, false),
                server.registers(1, "holding", 6, 2));
        assertEquals("the read-only channel is never written", 0, server.requests(6, 24).size()
                + server.requests(16, 24).size());
    }

    @Test
    public void aRefusedChannelDoesNotKeepTheOthersFromStopping() throws Exception {
        ModbusDevice d = device(Map.of());
        writeAll(d);
        server.fault(6, 22, "exception", 4);
        StopReport r = d.emergencyStop().getValue();
        Map<String, ActuatorResult> t = byTarget(r);
        assertEquals(WriteOutcome.REFUSED, t.get("channel.valve").outcome());
        assertTrue(t.get("channel.valve").message(), t.get("channel.valve").message().contains("exception 4"));
        assertTrue(t.get("channel.sp").ok() && t.get("channel.relay").ok() && t.get("channel.flow").ok()
                && t.get("motor0").ok());
        assertArrayEquals(new int[] {100}, server.registers(1, "holding", 20, 1));
        assertFalse(server.coil(30));
        assertArrayEquals("the refused one kept its value", new int[] {80}, server.registers(1, "holding", 22, 1));
    }

    @Test
    public void theSafeStateWritesOnlyTheChannelsTheRunWroteAndFollowsTheBase() throws Exception {
        ModbusDevice d = device(Map.of());
        writeAll(d);
        StopReport r = d.applySafeState(Set.of(Actuator.channel("sp"), Actuator.channel("keep"))).getValue();
        assertEquals("keep is safe=leave", Set.of("channel.sp"), byTarget(r).keySet());
        assertArrayEquals(new int[] {100}, server.registers(1, "holding", 20, 1));
        assertArrayEquals("not written by this run: left", new int[] {80}, server.registers(1, "holding", 22, 1));
        assertTrue(server.coil(30));

        // safe.state = leave: a channel without its own safe= is left, one with it goes to its value
        ModbusDevice leave = device(Map.of("device.id", "drive2", "safe.state", "leave"));
        write(leave, "sp", 50);
        StopReport l = leave.applySafeState(Set.of(Actuator.channel("sp"), Actuator.channel("valve"),
                Actuator.channel("level"), Actuator.channel("nope"))).getValue();
        assertEquals("read-only and unknown channels are neither written nor reported", Set.of("channel.valve"),
                byTarget(l).keySet());
        assertArrayEquals(new int[] {600}, server.registers(1, "holding", 20, 1));
        assertArrayEquals(new int[] {25}, server.registers(1, "holding", 22, 1));
    }

    /**
     * The write on the wire when the stop comes cannot be called back, and the server applies it after the stop
     * lane's safe value (only it is delayed): the command lane writes the safe value again after it. Before 2.4 a
     * channel write was not named as an actuator, so nothing was restored and the valve stayed at 80.
     */
    @Test
    public void aChannelWriteInFlightDuringTheStopIsFollowedByItsSafeValue() throws Exception {
        ModbusDevice d = device(Map.of());
        server.fault(6, 22, "delayonce", 400);   // the stop's own write is not delayed: it overtakes
        Promise<Void> inFlight = d.writeChannel("valve", 80, CallContext.within(BOUND_NANOS));
        long until = System.nanoTime() + BOUND_NANOS;
        while (server.log().stream().noneMatch(e -> "22".equals(e.get("address"))) && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertTrue(d.emergencyStop().getValue().complete());
        inFlight.getFailure();   // answered by now or not: the restore comes after it
        int[] last = null;
        while (System.nanoTime() < until) {
            last = server.registers(1, "holding", 22, 1);
            if (server.requests(6, 22).size() >= 3 && last[0] == 25) {
                break;
            }
        }
        assertArrayEquals("the in-flight 80, then the stop's 25, then 25 again: " + server.requests(6, 22),
                new int[] {25}, last);
        assertEquals(3, server.requests(6, 22).size());
    }

    @Test
    public void aChannelWriteMakesTheNextStopGoOut() throws Exception {
        ModbusDevice d = device(Map.of());
        d.emergencyStop().getValue();
        d.emergencyStop().getValue();
        assertEquals(1, ((Number) d.status().getValue().details().get("stop_passes")).longValue());
        write(d, "valve", 70);
        d.emergencyStop().getValue();
        assertEquals(2, ((Number) d.status().getValue().details().get("stop_passes")).longValue());
        assertArrayEquals(new int[] {25}, server.registers(1, "holding", 22, 1));
    }

    @Test
    public void aSafeValueTheChannelCannotTakeIsRefusedAtActivation() {
        String[][] cases = {
                {"holding 0 uint16 offset=10 access=rw", "0, the safe value an e-stop writes by default, is not a value"},
                {"holding 0 int16 safe=5", "safe= needs access=rw"},
                {"holding 0 int16 access=rw safe=on", "safe=on: a number channel's safe value is a number or leave"},
                {"coil 0 bool access=rw safe=1", "safe=1: a bool channel's safe value is on, off or leave"},
                {"holding 0 int16 access=rw safe=70000", "safe=70000: value 70000 does not fit channel"},
                {"holding 0 int16 scale=0.1 access=rw safe=2.55", "safe=2.55: value 2.55 is between two steps"},
                {"holding 0 int16 access=rw safe=abc", "safe 'abc' is not a finite decimal number"},
        };
        for (String[] c : cases) {
            try {
                ChannelSpec.parse("x", c[0], 255);
                fail(c[0] + " was accepted");
            } catch (IllegalArgumentException e) {
                assertTrue(c[0] + ": " + e.getMessage(), e.getMessage().startsWith(c[1]));
            }
        }
        assertEquals("holding 0 uint16 offset=10.0 access=rw write=single safe=leave",
                ChannelSpec.parse("x", "holding 0 uint16 offset=10 access=rw safe=leave", 255).describe());
        assertEquals("coil 3 bool access=rw write=single safe=off", ChannelSpec.parse("x", "coil 3 bool access=rw", 255)
                .describe());
    }

    /** {@code estop.latch = true}: after a stop nothing ordinary reaches the server until the reset. */
    @Test
    public void aLatchingDeviceSendsNothingOrdinaryAfterAStopUntilReset() throws Exception {
        ModbusDevice d = device(Map.of("estop.latch", "true", "digital.outputs", "1"));
        d.setMotorSpeed(0, 40, CallContext.within(BOUND_NANOS)).getValue();
        assertTrue(d.emergencyStop().getValue().complete());
        assertEquals(true, d.status().getValue().details().get("estop_latched"));
        server.clearLog();
        for (Promise<Void> p : List.of(d.setMotorSpeed(0, 40, CallContext.within(BOUND_NANOS)),
                d.setDigitalOutput(0, true, CallContext.within(BOUND_NANOS)),
                d.writeChannel("valve", 80, CallContext.within(BOUND_NANOS)))) {
            Throwable t = p.getFailure();
            assertTrue(String.valueOf(t), t instanceof org.scriptbox.api.device.DeviceException
                    && ((org.scriptbox.api.device.DeviceException) t).outcome() == WriteOutcome.NOT_SENT
                    && t.getMessage().contains("latched by an emergency stop"));
        }
        assertTrue("nothing reached the server while latched: " + server.log(), server.log().isEmpty());
        // the safe state is not refused: it is a stop
        assertTrue(d.applySafeState(Set.of(Actuator.motor(0))).getValue().complete());
        assertTrue(d.resetEmergencyStop());
        write(d, "valve", 80);
        assertArrayEquals(new int[] {80}, server.registers(1, "holding", 22, 1));
        assertFalse(ModbusSettings.parse(Map.of("device.id", "x", "port", "1")).estopLatch());
        try {
            ModbusSettings.parse(Map.of("device.id", "x", "port", "1", "estop.latch", "yes"));
            fail("estop.latch = yes was accepted");
        } catch (ModbusSettings.Invalid e) {
            assertTrue(e.getMessage(), e.getMessage().contains("estop.latch"));
        }
    }

    /**
     * E-stop while the polling cache refreshes: a poll read the valve (80) and waits for its other batch (delayed by
     * the server) when the stop writes the valve's 25. Before, the poll then cached its 80 after the stop had
     * emptied the cache, and reads answered 80 from the cache for up to poll.max.age.ms while the device held 25.
     * A read that started before a write or a stop is not cached.
     */
    @Test
    public void aPollThatStartedBeforeTheStopDoesNotCacheItsOldValues() throws Exception {
        server.set("holding", 22, 80);
        server.set("holding", 300, 7);
        ModbusDevice d = device(Map.of("poll.interval.ms", "1000", "poll.max.age.ms", "10000",
                "channel.far", "holding 300 int16"));
        long until = System.nanoTime() + BOUND_NANOS;
        while (!(ModbusChannelsTest.read(d, "valve").get("valve").value() == 80) && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        server.clearLog();
        server.fault(3, 300, "delayonce", 600);   // the next poll's far batch: late
        while (server.requests(3, 300).isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertTrue(d.emergencyStop().getValue().complete());   // the valve to 25 while that poll waits
        assertArrayEquals(new int[] {25}, server.registers(1, "holding", 22, 1));
        while (server.requests(3, 300).stream().noneMatch(e -> "1".equals(e.get("answered")))
                && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        // a command queued behind that poll on the command lane: once it is done, so is the poll
        d.setMotorSpeed(0, 0, CallContext.within(BOUND_NANOS)).getValue();
        assertEquals("the valve as the device holds it, not the old poll's 80", 25.0,
                ModbusChannelsTest.read(d, "valve").get("valve").value(), 0);
    }

    /**
     * E-stop while a batched telemetry read of 125 registers (one FC03 request, the protocol's maximum) is on the
     * wire and the server takes 0.8 s for it: the stop is on the server (its own log) long before that read is
     * answered, and the read still delivers its 125 values afterwards.
     */
    @Test
    public void anEstopOvertakesABatchedReadOf125Registers() throws Exception {
        Map<String, String> extra = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 125; i++) {
            extra.put("channel.r" + i, "holding " + (100 + i) + " int16");
            names.add("r" + i);
        }
        ModbusDevice d = device(extra);
        server.fault(3, 100, "delay", 800);   // within timeout.ms 1000
        Promise<Map<String, org.scriptbox.api.device.ChannelValue>> read = d.readTelemetry(names,
                CallContext.within(BOUND_NANOS));
        long until = System.nanoTime() + BOUND_NANOS;
        while (server.requests(3, 100).isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals("one request for the 125 registers", "125", server.requests(3, 100).get(0).get("value"));
        long t = System.nanoTime();
        assertTrue(d.emergencyStop().getValue().complete());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        assertTrue("the stop took " + millis + " ms", millis < 500);
        Map<String, org.scriptbox.api.device.ChannelValue> v = read.getValue();
        assertEquals(125, v.size());
        assertTrue(v.values().stream().allMatch(org.scriptbox.api.device.ChannelValue::ok));
        double readDone = Double.parseDouble(server.requests(3, 100).get(0).get("done"));
        double stopDone = Double.parseDouble(server.requests(6, 22).get(0).get("done"));
        assertTrue("the stop was applied before the read was answered", stopDone < readDone);
    }
}
