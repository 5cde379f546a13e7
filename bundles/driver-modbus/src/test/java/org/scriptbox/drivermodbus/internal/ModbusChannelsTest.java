package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelInfo;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.WriteOutcome;
import org.scriptbox.testsupport.modbus.PyModbusServer;

/**
 * Channels of every type and word order against pymodbus: values set on the server are read, values written
 * are checked in the server's own registers; batching counted in the server's request log; polling; timing.
 */
public class ModbusChannelsTest extends PyModbusTestBase {
    @Before
    public void reset() throws Exception {
        server.clearFaults();
        server.set("holding", 0, new int[40]);
        server.set("input", 0, new int[40]);
        server.set(2, "holding", 0, new int[8]);
        server.clearLog();
    }

    static Map<String, String> channels() {
        Map<String, String> c = new HashMap<>();
        c.put("channel.i16", "holding 0 int16");
        c.put("channel.u16", "holding 1 uint16 access=rw");
        c.put("channel.i32", "holding 2 int32 access=rw");
        c.put("channel.u32", "holding 4 uint32 words=little access=rw");
        c.put("channel.f32", "holding 6 float32 access=rw");
        c.put("channel.f32le", "holding 8 float32 words=little access=rw");
        c.put("channel.f32sw", "holding 10 float32 bytes=swapped access=rw");
        c.put("channel.i64", "holding 12 int64 access=rw");
        c.put("channel.f64", "holding 16 float64 words=little bytes=swapped access=rw");
        c.put("channel.sp", "holding 20 uint16 scale=0.1 offset=-10 access=rw write=multiple");
        c.put("channel.bit3", "holding 21 bool bit=3");
        c.put("channel.relay", "coil 30 bool access=rw");
        c.put("channel.relay15", "coil 31 bool access=rw write=multiple");
        c.put("channel.door", "discrete 5 bool");
        c.put("channel.power", "input 0 float32");
        c.put("channel.other", "holding 3 int16 unit=2 access=rw");
        return c;
    }

    ModbusDevice device(Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("device.id", "meter", "port", String.valueOf(server.port()),
                "timeout.ms", "2000", "probe.interval.ms", "0"));
        p.putAll(channels());
        p.putAll(extra);
        ModbusDevice d = new ModbusDevice(ModbusSettings.parse(p));
        devices.add(d);
        return d;
    }

    static CallContext ctx() {
        return CallContext.within(BOUND_NANOS);
    }

    static Map<String, ChannelValue> read(ModbusDevice d, String... names) throws Exception {
        return d.readTelemetry(List.of(names), ctx()).getValue();
    }

    static double value(ModbusDevice d, String name) throws Exception {
        ChannelValue v = read(d, name).get(name);
        assertTrue(name + ": " + v.message(), v.ok());
        return v.value();
    }

    static int[] words(long bits, int n, boolean little, boolean swap) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            int x = (int) (bits >>> (16 * (n - 1 - i))) & 0xffff;
            if (swap) {
                x = ((x & 0xff) << 8) | (x >> 8);
            }
            w[little ? n - 1 - i : i] = x;
        }
        return w;
    }

    /** Values set on the server, in each type's and order's layout, read by the driver. */
    static void readsEveryType(PyModbusServer server, ModbusDevice d) throws Exception {
        server.set("holding", 0, -1234);
        server.set("holding", 1, 54321);
        server.set("holding", 2, words(-2_000_000_000L, 2, false, false));
        server.set("holding", 4, words(4_000_000_000L, 2, true, false));
        server.set("holding", 6, words(Float.floatToIntBits(1234.5f), 2, false, false));
        server.set("holding", 8, words(Float.floatToIntBits(-0.25f), 2, true, false));
        server.set("holding", 10, words(Float.floatToIntBits(230.125f), 2, false, true));
        server.set("holding", 12, words(-9_007_199_254_740_000L, 4, false, false));
        server.set("holding", 16, words(Double.doubleToLongBits(Math.E), 4, true, true));
        server.set("holding", 20, 1234);
        server.set("holding", 21, 0b1000);
        server.set("coils", 30, 1);
        server.set("discrete", 5, 1);
        server.set("input", 0, words(Float.floatToIntBits(49.98f), 2, false, false));
        server.set(2, "holding", 3, -7);
        Map<String, ChannelValue> v = read(d, "i16", "u16", "i32", "u32", "f32", "f32le", "f32sw", "i64", "f64", "sp");
        assertEquals(-1234, v.get("i16").value(), 0);
        assertEquals(54321, v.get("u16").value(), 0);
        assertEquals(-2_000_000_000, v.get("i32").value(), 0);
        assertEquals(4_000_000_000.0, v.get("u32").value(), 0);
        assertEquals(1234.5, v.get("f32").value(), 0);
        assertEquals(-0.25, v.get("f32le").value(), 0);
        assertEquals(230.125, v.get("f32sw").value(), 0);
        assertEquals(-9_007_199_254_740_000.0, v.get("i64").value(), 0);
        assertEquals(Math.E, v.get("f64").value(), 0);
        assertEquals(1234 * 0.1 - 10, v.get("sp").value(), 1e-9);
        Map<String, ChannelValue> b = read(d, "bit3", "relay", "door", "power", "other");
        assertEquals(1, b.get("bit3").value(), 0);
        assertEquals(1, b.get("relay").value(), 0);
        assertEquals(1, b.get("door").value(), 0);
        assertEquals(49.98f, b.get("power").value(), 0);
        assertEquals("unit 2's register", -7, b.get("other").value(), 0);
    }

    /** Values written by the driver, checked in the server's registers. */
    static void writesEveryType(PyModbusServer server, ModbusDevice d) throws Exception {
        write(d, "u16", 65535);
        write(d, "i32", -123456789);
        write(d, "u32", 3_000_000_001.0);
        write(d, "f32", -1.5);
        write(d, "f32le", 1234.5);
        write(d, "f32sw", 0.1);
        write(d, "i64", 1e15);
        write(d, "f64", -Math.PI);
        write(d, "sp", 20.5);
        write(d, "relay", 1);
        write(d, "relay15", 1);
        write(d, "other", 300);
        assertArrayEquals(new int[] {65535}, server.registers(1, "holding", 1, 1));
        assertArrayEquals(words(-123456789L, 2, false, false), server.registers(1, "holding", 2, 2));
        assertArrayEquals(words(3_000_000_001L, 2, true, false), server.registers(1, "holding", 4, 2));
        assertArrayEquals(words(Float.floatToIntBits(-1.5f), 2, false, false), server.registers(1, "holding", 6, 2));
        assertArrayEquals(words(Float.floatToIntBits(1234.5f), 2, true, false), server.registers(1, "holding", 8, 2));
        assertArrayEquals(words(Float.floatToIntBits(0.1f), 2, false, true), server.registers(1, "holding", 10, 2));
        assertArrayEquals(words(1_000_000_000_000_000L, 4, false, false), server.registers(1, "holding", 12, 4));
        assertArrayEquals(words(Double.doubleToLongBits(-Math.PI), 4, true, true),
                server.registers(1, "holding", 16, 4));
        assertArrayEquals(new int[] {305}, server.registers(1, "holding", 20, 1));   // (20.5 + 10) / 0.1
        assertTrue(server.coil(30));
        assertTrue(server.coil(31));
        assertArrayEquals(new int[] {300}, server.registers(2, "holding", 3, 1));
        assertEquals(-1.5, value(d, "f32"), 0);   // and read back
    }

    static void write(ModbusDevice d, String channel, double value) throws Exception {
        Promise<Void> p = d.writeChannel(channel, value, ctx());
        if (p.getFailure() != null) {
            throw new AssertionError(channel + ": " + p.getFailure().getMessage());
        }
    }

    @Test
    public void everyTypeAndWordOrderIsReadAsTheServerHoldsIt() throws Exception {
        readsEveryType(server, device(Map.of()));
    }

    @Test
    public void everyTypeAndWordOrderIsWrittenWithTheFunctionItNeeds() throws Exception {
        ModbusDevice d = device(Map.of());
        writesEveryType(server, d);
        Map<String, Integer> fnOf = new HashMap<>();
        for (Map<String, String> e : server.log()) {
            fnOf.put(e.get("unit") + "/" + e.get("address"), Integer.parseInt(e.get("fn")));
        }
        assertEquals(Integer.valueOf(6), fnOf.get("1/1"));    // uint16: FC06
        assertEquals(Integer.valueOf(16), fnOf.get("1/2"));   // int32: FC16
        assertEquals(Integer.valueOf(16), fnOf.get("1/20"));  // write=multiple: FC16
        assertEquals(Integer.valueOf(5), fnOf.get("1/30"));   // coil: FC05
        assertEquals(Integer.valueOf(15), fnOf.get("1/31"));  // write=multiple: FC15
        assertEquals(Integer.valueOf(6), fnOf.get("2/3"));    // unit 2
    }

    @Test
    public void channelInfoTellsBooleansWritablesAndRanges() throws Exception {
        Map<String, ChannelInfo> c = device(Map.of()).channels();
        assertTrue(c.get("relay").bool());
        assertTrue(c.get("relay").writable());
        assertFalse(c.get("door").writable());
        assertFalse(c.get("i16").writable());
        assertEquals(-10, c.get("sp").min(), 1e-9);
        assertEquals(65535 * 0.1 - 10, c.get("sp").max(), 1e-9);
    }

    @Test
    public void writesThatCannotBeDoneAreNotSent() throws Exception {
        ModbusDevice d = device(Map.of());
        for (Object[] c : new Object[][] {{"u16", 65536.0, "not sent: value 65536 does not fit channel 'u16'"},
                {"i16", 1.0, "not sent: channel 'i16' is read-only"}, {"nope", 1.0, "not sent: no channel 'nope'"},
                {"relay", 0.5, "not sent: a bool channel takes true or false (1 or 0)"}}) {
            Throwable t = d.writeChannel((String) c[0], (Double) c[1], ctx()).getFailure();
            assertTrue(c[0] + ": " + t, t instanceof DeviceException);
            assertEquals(WriteOutcome.NOT_SENT, ((DeviceException) t).outcome());
            assertTrue(t.getMessage(), t.getMessage().startsWith((String) c[2]));
        }
        assertTrue("nothing reached the server: " + server.log(), server.log().isEmpty());
    }

    @Test
    public void aChannelWriteIsSentOnceAndTimedOutIsUnknown() throws Exception {
        ModbusDevice d = device(Map.of("timeout.ms", "300"));
        server.fault(16, 6, "silent", 0);
        Throwable t = d.writeChannel("f32", 2.5, ctx()).getFailure();
        assertEquals(WriteOutcome.UNKNOWN, ((DeviceException) t).outcome());
        assertEquals("one request, never resent", 1, server.requests(16, 6).size());
    }

    @Test
    public void anEmergencyStopAbandonsChannelWritesWaiting() throws Exception {
        ModbusDevice d = device(Map.of("motor.registers", "39"));
        server.fault(6, 1, "delay", 500);
        Promise<Void> first = d.writeChannel("u16", 1, ctx());
        Promise<Void> waiting = d.writeChannel("i32", 5, ctx());
        assertTrue(d.emergencyStop().getValue().complete());
        first.getFailure();
        Throwable t = waiting.getFailure();
        assertTrue(String.valueOf(t), t instanceof DeviceException);
        assertEquals(WriteOutcome.NOT_SENT, ((DeviceException) t).outcome());
        // the one FC16 at 2 is the stop's own safe value (a writable channel is an actuator): 0, never the 5
        assertEquals("the abandoned write never reached the server", 1, server.requests(16, 2).size());
        assertArrayEquals(new int[] {0, 0}, server.registers(1, "holding", 2, 2));
    }

    @Test
    public void contiguousChannelsAreReadInOneRequest() throws Exception {
        Map<String, String> twenty = new HashMap<>(Map.of("device.id", "m", "port", String.valueOf(server.port()),
                "probe.interval.ms", "0"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.put("channel.v" + i, "input " + (2 * i) + " float32");
            names.add("v" + i);
            server.set("input", 2 * i, words(Float.floatToIntBits(i + 0.5f), 2, false, false));
        }
        ModbusDevice batched = new ModbusDevice(ModbusSettings.parse(twenty));
        devices.add(batched);
        Map<String, ChannelValue> v = batched.readTelemetry(names, ctx()).getValue();
        for (int i = 0; i < 20; i++) {
            assertEquals(i + 0.5, v.get("v" + i).value(), 0);
        }
        assertEquals("20 float32 channels, 40 registers: one request", 1, server.log().size());
        server.clearLog();
        twenty.put("batch.max.registers", "2");
        ModbusDevice unbatched = new ModbusDevice(ModbusSettings.parse(twenty));
        devices.add(unbatched);
        unbatched.readTelemetry(names, ctx()).getValue();
        assertEquals(20, server.log().size());
    }

    @Test
    public void aGapWithinTheConfiguredOneSharesTheRequest() throws Exception {
        Map<String, String> p = Map.of("channel.a", "input 0 uint16", "channel.b", "input 5 uint16");
        ModbusDevice apart = device(p);
        read(apart, "a", "b");
        assertEquals(2, server.log().stream().filter(e -> e.get("fn").equals("4")).count());
        server.clearLog();
        Map<String, String> q = new HashMap<>(p);
        q.put("batch.gap", "4");
        ModbusDevice near = device(q);
        read(near, "a", "b");
        assertEquals(1, server.log().stream().filter(e -> e.get("fn").equals("4")).count());
    }

    @Test
    public void aRefusedRegisterFailsItsChannelOnlyInABatch() throws Exception {
        ModbusDevice d = device(Map.of());
        server.set("holding", 0, 42);
        server.fault(3, 0, "exception", 2);   // the batch starting at 0, and register 0 alone
        Map<String, ChannelValue> v = read(d, "i16", "u16", "i32");
        assertFalse(v.get("i16").ok());
        assertTrue(v.get("i16").message(), v.get("i16").message().contains("exception 2 (illegal data address)"));
        assertTrue(v.get("u16").message(), v.get("u16").ok());
        assertTrue(v.get("i32").ok());
    }

    @Test
    public void manyChannelsAtSlowAnswersFitTheBound() throws Exception {
        // the case: 500 ms a request, five channels, a 2 s bound. Apart, pipelined: one round trip.
        Map<String, String> p = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p.put("channel.s" + i, "input " + (10 * i) + " int16");
            names.add("s" + i);
        }
        ModbusDevice d = device(p);
        server.fault(4, -1, "delay", 500);
        long t0 = System.nanoTime();
        Map<String, ChannelValue> v = d.readTelemetry(names, CallContext.within(TimeUnit.SECONDS.toNanos(2)))
                .getValue();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        v.values().forEach(x -> assertTrue(x.message(), x.ok()));
        assertTrue("took " + ms + " ms", ms < 1500);
    }

    @Test
    public void pollingAnswersFromTheCacheWhileFresh() throws Exception {
        ModbusDevice d = device(Map.of("poll.interval.ms", "100", "poll.max.age.ms", "5000"));
        server.set("holding", 0, 11);
        awaitValue(d, "i16", 11);
        server.clearLog();
        server.freeze();   // the device stops answering; the cache still does, within its age
        try {
            long t0 = System.nanoTime();
            assertEquals(11, read(d, "i16").get("i16").value(), 0);
            // from the cache: a read of the frozen server would take the 2 s timeout and fail
            assertTrue((System.nanoTime() - t0) < TimeUnit.MILLISECONDS.toNanos(1000));
        } finally {
            server.thaw();
        }
        server.set("holding", 0, 12);
        awaitValue(d, "i16", 12);   // the poll brings the new value
        assertTrue(server.log().stream().anyMatch(e -> e.get("fn").equals("3")));
    }

    @Test
    public void anOldCachedValueIsNotUsed() throws Exception {
        ModbusDevice d = device(Map.of("poll.interval.ms", "100", "poll.max.age.ms", "300", "timeout.ms", "300"));
        server.set("holding", 0, 5);
        awaitValue(d, "i16", 5);
        server.fault(3, -1, "silent", 0);
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (true) {
            ChannelValue v = read(d, "i16").get("i16");
            if (!v.ok()) {
                assertTrue(v.message(), v.message().contains("no answer"));
                return;
            }
            assertTrue("a silent device kept answering from the cache", System.nanoTime() < deadline);
        }
    }

    static void awaitValue(ModbusDevice d, String name, double expected) throws Exception {
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (true) {
            ChannelValue v = read(d, name).get(name);
            if (v.ok() && v.value() == expected) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(name + " never read " + expected + ": " + v);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    public void theBackoffKeepsAFailedConnectFromBeingRetriedAtEveryRequest() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        ModbusDevice d = device(Map.of("port", String.valueOf(dead), "reconnect.backoff.ms", "60000"));
        Throwable first = d.writeChannel("u16", 1, ctx()).getFailure();
        assertTrue(first.getMessage(), first.getMessage().contains("cannot connect"));
        Throwable second = d.writeChannel("u16", 1, ctx()).getFailure();
        assertEquals(WriteOutcome.NOT_SENT, ((DeviceException) second).outcome());
        assertTrue(second.getMessage(), second.getMessage().contains("reconnecting after a failed connect, next try in"));
        // the stop lane never waits out a back-off: a stop tries to connect
        d.emergencyStop().getValue();
    }

    @Test
    public void theDelayBetweenTransactionsIsKept() throws Exception {
        ModbusDevice d = device(Map.of("transaction.delay.ms", "150", "channel.far", "input 30 int16"));
        read(d, "i16", "power", "far");   // three requests, one after another
        List<Map<String, String>> log = server.log();
        assertEquals(3, log.size());
        for (int i = 1; i < log.size(); i++) {
            double gap = Double.parseDouble(log.get(i).get("at")) - Double.parseDouble(log.get(i - 1).get("done"));
            assertTrue("gap " + gap + " s: " + log, gap >= 0.14);
        }
    }

    @Test
    public void timingAndBatchingValuesAreRangeChecked() throws Exception {
        for (String[] bad : new String[][] {{"batch.max.registers", "126"}, {"batch.max.bits", "0"},
                {"batch.gap", "-1"}, {"poll.interval.ms", "10"}, {"connect.timeout.ms", "0"},
                {"transaction.delay.ms", "10001"}, {"reconnect.backoff.ms", "x"}, {"transport", "udp"},
                {"serial.port", "/dev/ttyS0"}, {"channel.x", "holding 1 int17"}, {"batch.max.registers", "1"}}) {
            try {
                device(Map.of(bad[0], bad[1]));
                fail(bad[0] + " = " + bad[1] + " was accepted");
            } catch (ModbusSettings.Invalid e) {
                assertTrue(e.getMessage(), e.getMessage().contains(bad[0]));
                assertFalse(e.getMessage().contains("\n"));
            }
        }
    }

    @Test
    public void aLongPollYieldsToACommand() throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("poll.interval.ms", "50", "transaction.delay.ms", "1"));
        for (int i = 0; i < 12; i++) {
            p.put("channel.slow" + i, "input " + (100 + 10 * i) + " int16");   // scattered: 12 requests, in turn
        }
        ModbusDevice d = device(p);
        server.fault(4, -1, "delay", 300);   // a poll of every channel takes 12 x 300 ms and more
        long bound = System.nanoTime() + BOUND_NANOS;
        while (server.log().stream().noneMatch(e -> e.get("fn").equals("4"))) {
            assertTrue("no poll came", System.nanoTime() < bound);
            Thread.onSpinWait();
        }
        long t0 = System.nanoTime();
        write(d, "u16", 7);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // yielding: the one poll request on the wire (300 ms) and the write; not yielding: 3.6 s and more
        assertTrue("the write waited " + ms + " ms behind the poll", ms < 2000);
        assertArrayEquals(new int[] {7}, server.registers(1, "holding", 1, 1));
    }

    @Test
    public void motorsAndOutputsGoWithFc16AndFc15WhenTheDeviceTakesOnlyThose() throws Exception {
        ModbusDevice d = device(Map.of("motor.registers", "36", "output.coil.start", "36", "digital.outputs", "1",
                "actuator.write", "multiple"));
        d.setMotorSpeed(0, -25, ctx()).getValue();
        d.setDigitalOutput(0, true, ctx()).getValue();
        assertEquals(-2500, (short) server.registers(1, "holding", 36, 1)[0]);
        assertTrue(server.coil(36));
        assertTrue(d.emergencyStop().getValue().complete());
        assertEquals(0, server.registers(1, "holding", 36, 1)[0]);
        assertFalse(server.coil(36));
        List<String> fns = server.log().stream().filter(e -> e.get("address").equals("36")).map(e -> e.get("fn"))
                .toList();
        assertEquals(List.of("16", "15", "16", "15"), fns);
    }

    @Test
    public void onASerialLineUnitZeroIsBroadcastAndRefused() {
        Map<String, String> base = Map.of("device.id", "r", "transport", "rtu", "serial.port", "/dev/ttyUSB0");
        for (Map<String, String> bad : List.of(Map.of("unit.id", "0"), Map.of("unit.id", "248"),
                Map.of("channel.x", "holding 1 int16 unit=0"), Map.of("host", "10.0.0.1"))) {
            Map<String, String> p = new HashMap<>(base);
            p.putAll(bad);
            try {
                ModbusSettings.parse(p);
                fail(bad + " was accepted");
            } catch (ModbusSettings.Invalid e) {
                assertTrue(e.getMessage(), e.getMessage().contains(bad.keySet().iterator().next()));
            }
        }
    }

    static Throwable failure(Promise<?> p) throws InterruptedException {
        return p.getFailure();
    }

    static Object valueOf(Promise<?> p) throws InvocationTargetException, InterruptedException {
        return p.getValue();
    }
}
