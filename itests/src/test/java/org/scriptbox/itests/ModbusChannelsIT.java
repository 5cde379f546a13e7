package org.scriptbox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.testsupport.modbus.PyModbusServer;
import org.scriptbox.testsupport.modbus.SerialPair;

/**
 * Modbus channels in the real container: devices configured from .cfg files (Modbus TCP against pymodbus,
 * serial RTU against pymodbus' serial server on a socat pty pair), scripts that read values set on the server
 * with device_read / telemetry_read and write with device_write, checked on the server's own registers and
 * request log (batching, polling).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ModbusChannelsIT {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final Set<String> ALL = Set.of("device:read", "device:write", "device:control", "telemetry:read");
    private static PyModbusServer tcp;
    private static PyModbusServer rtu;
    private static SerialPair pair;

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"), Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    /** The channels of the meter: one per type and word order, a coil, a bit, a discrete input, unit 2. */
    private static List<String> channels() {
        return List.of(
                "channel.i16 = holding 0 int16 access=rw",
                "channel.u16 = holding 1 uint16 access=rw",
                "channel.i32 = holding 2 int32 access=rw",
                "channel.u32 = holding 4 uint32 words=little access=rw",
                "channel.f32 = holding 6 float32 access=rw",
                "channel.f32le = holding 8 float32 words=little access=rw",
                "channel.f32sw = holding 10 float32 bytes=swapped access=rw",
                "channel.i64 = holding 12 int64 access=rw",
                "channel.f64 = holding 16 float64 words=little bytes=swapped access=rw",
                "channel.ready = holding 21 bool bit=3",
                "channel.relay = coil 30 bool access=rw",
                "channel.door = discrete 5 bool",
                "channel.other = holding 3 int16 unit=2 access=rw");
    }

    private void configure(String pid, List<String> lines) throws Exception {
        Path etc = Paths.get(context.getProperty("felix.fileinstall.dir"));
        Path tmp = etc.resolve(pid + ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n");
        Files.move(tmp, etc.resolve("org.scriptbox.driver.modbus-" + pid + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
    }

    @Before
    public void serversAndDevices() throws Exception {
        if (tcp == null) {
            tcp = new PyModbusServer();
            pair = new SerialPair();
            rtu = PyModbusServer.serial(pair.serverEnd(), 19200);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    tcp.close();
                    rtu.close();
                    pair.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            List<String> meter = new ArrayList<>(List.of("device.id = meter", "port = " + tcp.port(),
                    "probe.interval.ms = 0", "timeout.ms = 1000"));
            meter.addAll(channels());
            configure("meter", meter);
            List<String> line = new ArrayList<>(List.of("device.id = line", "transport = rtu",
                    "serial.port = " + pair.clientEnd(), "serial.baud = 19200", "serial.parity = none",
                    "probe.interval.ms = 0", "timeout.ms = 1000"));
            line.addAll(channels());
            configure("line", line);
            List<String> twenty = new ArrayList<>(List.of("device.id = twenty", "port = " + tcp.port(),
                    "probe.interval.ms = 0", "poll.interval.ms = 100", "poll.max.age.ms = 10000"));
            for (int i = 0; i < 20; i++) {
                twenty.add("channel.p" + i + " = input " + (2 * i) + " float32");
            }
            configure("twenty", twenty);
            for (String id : List.of("meter", "line", "twenty")) {
                ScriptDevices.await(engine, id, true, BOUND);
            }
        }
        for (PyModbusServer s : List.of(tcp, rtu)) {
            s.clearFaults();
            s.set("holding", 0, new int[32]);
            s.set("coils", 30, 0);
            s.clearLog();
        }
    }

    private ExecutionResult lua(String source) {
        String name = "s" + System.nanoTime();
        ExecutionResult r = engine.execute(engine.compile(name + ".lua", source), new ExecutionRequest(name,
                name + "-1", null, null, ALL, new Cancellation(), null, null));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        return r;
    }

    private static int[] words(long bits, int n, boolean little, boolean swap) {
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

    private void readsAndWrites(PyModbusServer server, String device) throws Exception {
        server.set("holding", 0, -1234);
        server.set("holding", 1, 54321);
        server.set("holding", 2, words(-2_000_000_000L, 2, false, false));
        server.set("holding", 4, words(4_000_000_000L, 2, true, false));
        server.set("holding", 6, words(Float.floatToIntBits(1234.5f), 2, false, false));
        server.set("holding", 8, words(Float.floatToIntBits(-0.25f), 2, true, false));
        server.set("holding", 10, words(Float.floatToIntBits(230.125f), 2, false, true));
        server.set("holding", 12, words(-9_007_199_254_740_000L, 4, false, false));
        server.set("holding", 16, words(Double.doubleToLongBits(Math.E), 4, true, true));
        server.set("holding", 21, 0b1000);
        server.set("discrete", 5, 1);
        server.set(2, "holding", 3, -7);
        ExecutionResult r = lua(String.join("\n",
                "local d = '" + device + "'",
                "local v = telemetry_read({'i16', 'u16', 'i32', 'u32', 'f32', 'f32le', 'f32sw', 'i64', 'f64'}, d)",
                "assert(v.i16 == -1234 and v.u16 == 54321 and v.i32 == -2000000000 and v.u32 == 4000000000, 'ints')",
                "assert(v.f32 == 1234.5 and v.f32le == -0.25 and v.f32sw == 230.125, 'floats')",
                "assert(v.i64 == -9007199254740000, 'int64 ' .. v.i64)",
                "assert(math.abs(v.f64 - math.exp(1)) < 1e-15, 'float64')",
                "assert(device_read('ready', d) == true and device_read('door', d) == true, 'bits')",
                "assert(device_read('relay', d) == false)",
                "assert(device_read('other', d) == -7, 'unit 2')",
                "device_write('u16', 65535, d)",
                "device_write('i32', -123456789, d)",
                "device_write('f32', -1.5, d)",
                "device_write('f64', -math.pi, d)",
                "device_write('relay', true, d)",
                "device_write('other', 300, d)",
                "local ok, err = pcall(device_write, 'u16', 65536, d)",
                "assert(not ok and err:find('must be between 0 and 65535'), err)",
                "return device_read('f32', d)"));
        assertEquals(List.of(-1.5), r.values());
        assertArrayEquals(new int[] {65535}, server.registers(1, "holding", 1, 1));
        assertArrayEquals(words(-123456789L, 2, false, false), server.registers(1, "holding", 2, 2));
        assertArrayEquals(words(Float.floatToIntBits(-1.5f), 2, false, false), server.registers(1, "holding", 6, 2));
        assertArrayEquals(words(Double.doubleToLongBits(-Math.PI), 4, true, true), server.registers(1, "holding", 16, 4));
        assertTrue(server.coil(30));
        assertArrayEquals(new int[] {300}, server.registers(2, "holding", 3, 1));
        assertTrue("65536 was never sent", server.log().stream().noneMatch(e -> e.get("value").equals("0")
                && e.get("address").equals("1")));
    }

    @Test
    public void scriptsReadAndWriteEveryTypeOverModbusTcp() throws Exception {
        readsAndWrites(tcp, "meter");
    }

    @Test
    public void scriptsReadAndWriteEveryTypeOverSerialRtu() throws Exception {
        readsAndWrites(rtu, "line");
    }

    @Test
    public void twentyChannelsAreOneRequestAndPollingAnswersFromTheCache() throws Exception {
        for (int i = 0; i < 20; i++) {
            tcp.set("input", 2 * i, words(Float.floatToIntBits(i + 0.5f), 2, false, false));
        }
        String read20 = "local names = {}\nfor i = 0, 9 do names[#names + 1] = 'p' .. i end\n"
                + "local a = telemetry_read(names, 'twenty')\n"
                + "names = {}\nfor i = 10, 19 do names[#names + 1] = 'p' .. i end\n"
                + "local b = telemetry_read(names, 'twenty')\n"
                + "return a.p0 + b.p19";
        // a script name of its own per try: one name's token bucket (10 tokens a run here) would run dry after
        // five tries, and then each refill would go to the first read and never to the second (train A, load 7)
        Await.until("the poll has read the new values", BOUND, () -> {
            String name = "r" + System.nanoTime();
            ExecutionResult r = engine.execute(engine.compile(name + ".lua", read20), new ExecutionRequest(name,
                    name + "-1", null, null, ALL, new Cancellation(), null, null));
            return r.status() == ScriptStatus.COMPLETED && r.values().equals(List.of(20.0));
        });
        tcp.clearLog();
        Await.until("polls went out", BOUND, () -> {
            try {
                return tcp.log().size() >= 3;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Map<String, String>> log = tcp.log();
        assertTrue("each poll of 20 float32 channels is one request: " + log, log.stream().allMatch(
                e -> e.get("fn").equals("4") && e.get("address").equals("0") && e.get("value").equals("40")));
        tcp.freeze();
        try {
            // from the cache: a read of the frozen server would fail (nil values, the script errs)
            assertEquals(List.of(20.0), lua(read20).values());
        } finally {
            tcp.thaw();
        }
    }
}
