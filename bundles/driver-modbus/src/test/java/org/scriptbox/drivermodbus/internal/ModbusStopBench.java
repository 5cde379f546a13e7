package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.testsupport.modbus.PyModbusServer;

/**
 * Benchmark, not a test: runs only with {@code -Dscriptbox.bench=true} (benchmarks/run does;
 * {@code mvn -B -o -pl bundles/api,bundles/driver-modbus test -Dscriptbox.bench=true -Dtest=ModbusStopBench}).
 * E-stop latency against pymodbus, from the call to the last stop write acknowledged, for a device with 2
 * motors and 4 outputs (6 writes): on an idle link, and with a slow read (300 ms) in flight and 20 ordinary
 * writes queued behind it. Beside it, in the same run, one ordinary write's round trip (the unit "one round
 * trip" is measured in), and a one-lane peer: the same stop as ordinary commands behind the same load (what
 * the driver did before it had a stop lane). The server's own log gives when the last stop write was applied there (Java's
 * nanoTime and Python's monotonic clock are both CLOCK_MONOTONIC on Linux). Wall time, whole-process CPU
 * and this thread's CPU are printed for the run.
 */
public class ModbusStopBench {
    private static final int QUEUED = 20;

    @Test
    public void stopLatency() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        int runs = Integer.getInteger("scriptbox.bench.stops", 50);
        long wall = System.nanoTime();
        long cpu = processCpuNanos();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long threadCpu = threads.getCurrentThreadCpuTime();
        try (PyModbusServer server = new PyModbusServer()) {
            ModbusDevice d = new ModbusDevice(ModbusSettings.parse(Map.of("device.id", "bench",
                    "port", String.valueOf(server.port()), "timeout.ms", "5000", "motor.registers", "0,1",
                    "output.coil.start", "8", "digital.outputs", "4", "telemetry", "slow:0", "probe.interval.ms", "0")));
            try {
                CallContext ctx = CallContext.within(TimeUnit.MINUTES.toNanos(10));
                long[] write = new long[runs];
                long[] idle = new long[runs];
                for (int i = 0; i < runs; i++) {
                    long t = System.nanoTime();
                    d.setMotorSpeed(0, 10, ctx).getValue();
                    write[i] = System.nanoTime() - t;
                    t = System.nanoTime();
                    assertTrue(d.emergencyStop().getValue().complete());
                    idle[i] = System.nanoTime() - t;
                }
                server.fault(4, 0, "delay", 300);
                long[] queued = new long[runs];
                long[] onServer = new long[runs];
                for (int i = 0; i < runs; i++) {
                    server.clearLog();
                    Promise<Map<String, ChannelValue>> slow = d.readTelemetry(List.of("slow"), ctx);
                    List<Promise<Void>> waiting = new ArrayList<>();
                    for (int q = 0; q < QUEUED; q++) {
                        waiting.add(d.setMotorSpeed(q % 2, 50, ctx));
                    }
                    awaitSlowReadOnServer(server);
                    long t = System.nanoTime();
                    StopReport report = d.emergencyStop().getValue();
                    queued[i] = System.nanoTime() - t;
                    assertTrue(String.valueOf(report), report.complete());
                    double lastApplied = 0;
                    for (Map<String, String> e : server.log()) {
                        if (!e.get("fn").equals("4")) {
                            assertEquals("only stop values reached the server: " + e, "0", e.get("value"));
                            lastApplied = Math.max(lastApplied, Double.parseDouble(e.get("done")));
                        }
                    }
                    onServer[i] = (long) (lastApplied * 1e9) - t;
                    slow.getValue();
                    for (Promise<Void> w : waiting) {
                        assertTrue("queued commands are abandoned", w.getFailure() != null);
                    }
                }
                long[] oneLane = oneLanePeer(d, server, ctx, Math.min(runs, 20));
                print("one ordinary write, round trip", write);
                print("e-stop (6 writes), idle link", idle);
                print("e-stop (6 writes), slow read in flight and " + QUEUED + " commands queued", queued);
                print("e-stop, call -> last stop write applied on the server, same load", onServer);
                print("one-lane peer: the 6 stop writes as ordinary commands behind the same load", oneLane);
            } finally {
                d.close();
            }
        }
        rtu(Math.min(runs, 20));
        System.out.printf("BENCH modbus e-stop run: wall %.1f s, process CPU %.1f s, bench thread CPU %.2f s%n",
                (System.nanoTime() - wall) / 1e9, (processCpuNanos() - cpu) / 1e9,
                (threads.getCurrentThreadCpuTime() - threadCpu) / 1e9);
    }

    /**
     * The same stop over RTU (framing over TCP to pymodbus' RTU server: one line, one transaction at a time): idle,
     * and with a slow read (300 ms) on the line and 20 commands queued: the read on the wire gives the line up to the
     * stop while no byte of its answer has come (its late answer is dropped), so the stop does not wait for it.
     */
    private static void rtu(int runs) throws Exception {
        try (PyModbusServer server = PyModbusServer.rtuOverTcp()) {
            ModbusDevice d = new ModbusDevice(ModbusSettings.parse(Map.of("device.id", "bench-rtu",
                    "transport", "rtu-over-tcp", "port", String.valueOf(server.port()), "timeout.ms", "5000",
                    "motor.registers", "0,1", "output.coil.start", "8", "digital.outputs", "4", "telemetry", "slow:0",
                    "probe.interval.ms", "0")));
            try {
                CallContext ctx = CallContext.within(TimeUnit.MINUTES.toNanos(10));
                long[] idle = new long[runs];
                for (int i = 0; i < runs; i++) {
                    d.setMotorSpeed(0, 10, ctx).getValue();
                    long t = System.nanoTime();
                    assertTrue(d.emergencyStop().getValue().complete());
                    idle[i] = System.nanoTime() - t;
                }
                server.fault(4, 0, "delay", 300);
                long[] queued = new long[runs];
                for (int i = 0; i < runs; i++) {
                    server.clearLog();
                    Promise<Map<String, ChannelValue>> slow = d.readTelemetry(List.of("slow"), ctx);
                    List<Promise<Void>> waiting = new ArrayList<>();
                    for (int q = 0; q < QUEUED; q++) {
                        waiting.add(d.setMotorSpeed(q % 2, 50, ctx));
                    }
                    awaitSlowReadOnServer(server);
                    long t = System.nanoTime();
                    StopReport report = d.emergencyStop().getValue();
                    queued[i] = System.nanoTime() - t;
                    assertTrue(String.valueOf(report), report.complete());
                    slow.getValue();
                    for (Promise<Void> w : waiting) {
                        assertTrue("queued commands are abandoned", w.getFailure() != null);
                    }
                }
                print("rtu e-stop (6 writes), idle line", idle);
                print("rtu e-stop (6 writes), 300 ms read on the line and " + QUEUED + " commands queued", queued);
            } finally {
                d.close();
            }
        }
    }

    /**
     * What a stop costs without its own lane (the design before): the same 6 writes queued as ordinary
     * commands behind the same slow read and 20 writes, timed from queueing them to the last one answered.
     */
    private static long[] oneLanePeer(ModbusDevice d, PyModbusServer server, CallContext ctx, int runs)
            throws Exception {
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            server.clearLog();
            Promise<Map<String, ChannelValue>> slow = d.readTelemetry(List.of("slow"), ctx);
            for (int q = 0; q < QUEUED; q++) {
                d.setMotorSpeed(q % 2, 50, ctx);
            }
            awaitSlowReadOnServer(server);
            long t = System.nanoTime();
            List<Promise<Void>> stop = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                stop.add(d.setMotorSpeed(m, 0, ctx));
            }
            for (int pin = 0; pin < 4; pin++) {
                stop.add(d.setDigitalOutput(pin, false, ctx));
            }
            for (Promise<Void> p : stop) {
                p.getValue();
            }
            nanos[i] = System.nanoTime() - t;
            slow.getValue();
        }
        return nanos;
    }

    private static void awaitSlowReadOnServer(PyModbusServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.log().stream().noneMatch(e -> e.get("fn").equals("4"))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the slow read never reached the server");
            }
            Thread.sleep(2);   // polling the server; bounded by the deadline
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("BENCH modbus %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)%n", what,
                s[s.length / 2] / 1e6, s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6, s[s.length - 1] / 1e6, s.length);
    }
}
