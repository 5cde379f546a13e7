package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.testsupport.modbus.PyModbusServer;

/**
 * Benchmark, not a test: runs only with {@code -Dscriptbox.bench=true} (benchmarks/run does;
 * {@code mvn -B -o -pl bundles/driver-modbus -am test -Dscriptbox.bench=true -Dtest=ModbusTelemetryBench
 * -Dsurefire.failIfNoSpecifiedTests=false}). A telemetry read of 20 float32 channels (40 contiguous input
 * registers) against pymodbus, on a fast link and on a device that answers each request 20 ms late: batched
 * (one request), unbatched but pipelined (Modbus TCP: 20 requests outstanding at once), and unbatched one
 * after another (RTU framing over TCP: what the driver did before, one request per channel). Round trips are
 * counted in the server's own request log.
 */
public class ModbusTelemetryBench {
    private static final int CHANNELS = 20;

    @Test
    public void telemetryOfTwentyChannels() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        int runs = Integer.getInteger("scriptbox.bench.reads", 30);
        try (PyModbusServer tcp = new PyModbusServer(); PyModbusServer rtu = PyModbusServer.rtuOverTcp()) {
            for (PyModbusServer s : List.of(tcp, rtu)) {
                for (int i = 0; i < CHANNELS; i++) {
                    s.set("input", 2 * i, ModbusChannelsTest.words(Float.floatToIntBits(i), 2, false, false));
                }
            }
            for (int delay : new int[] {0, 20}) {
                String link = delay == 0 ? "fast link" : "device answers " + delay + " ms late";
                measure(tcp, delay, runs, "batched, Modbus TCP, " + link, Map.of());
                measure(tcp, delay, runs, "unbatched pipelined, Modbus TCP, " + link,
                        Map.of("batch.max.registers", "2"));
                measure(rtu, delay, Math.max(5, runs / 3), "unbatched one after another (one request per channel, "
                        + "RTU over TCP), " + link, Map.of("batch.max.registers", "2", "transport", "rtu-over-tcp"));
                measure(rtu, delay, runs, "batched, RTU over TCP, " + link, Map.of("transport", "rtu-over-tcp"));
            }
        }
    }

    private static void measure(PyModbusServer server, int delayMillis, int runs, String what,
                                Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of("device.id", "bench", "port", String.valueOf(server.port()),
                "timeout.ms", "5000", "probe.interval.ms", "0"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            p.put("channel.c" + i, "input " + (2 * i) + " float32");
            names.add("c" + i);
        }
        p.putAll(extra);
        ModbusDevice d = new ModbusDevice(ModbusSettings.parse(p));
        try {
            server.clearFaults();
            if (delayMillis > 0) {
                server.fault(4, -1, "delay", delayMillis);
            }
            CallContext ctx = CallContext.within(TimeUnit.MINUTES.toNanos(10));
            d.readTelemetry(names, ctx).getValue();   // connect, warm up
            server.clearLog();
            long[] nanos = new long[runs];
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                Map<String, ChannelValue> v = d.readTelemetry(names, ctx).getValue();
                nanos[r] = System.nanoTime() - t;
                assertTrue(v.get("c19").message(), v.get("c19").ok());
                assertEquals(19.0, v.get("c19").value(), 0);
            }
            double trips = server.log().size() / (double) runs;
            Arrays.sort(nanos);
            System.out.printf("BENCH modbus telemetry_read 20 channels, %s: round trips %.0f, p50 %.2f ms, "
                    + "p99 %.2f ms (n=%d)%n", what, trips, nanos[runs / 2] / 1e6,
                    nanos[Math.min(runs - 1, (int) Math.ceil(runs * 0.99) - 1)] / 1e6, runs);
        } finally {
            server.clearFaults();
            d.close();
        }
    }
}
