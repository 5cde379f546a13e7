package org.scriptbox.driversim.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.api.device.StopReport;

/**
 * E-stop latency with ordinary commands queued on a slow simulated device: call -> last target
 * acknowledged, p50/p99, beside the peer in the same run, an ordinary command queued behind the same 50
 * (what a stop without its own lane would wait). Run by benchmarks/run (-Dscriptbox.bench=true).
 */
public class EstopLatencyBench {
    private static final int QUEUED = 50;

    @Test
    public void estopWithQueuedCommands() throws Exception {
        assumeTrue("benchmark: -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        int rounds = Integer.getInteger("scriptbox.bench.estops", 40);
        long delayMs = Long.getLong("scriptbox.bench.estop.delay.ms", 20);
        SimulatedDevice device = new SimulatedDevice(new SimulatedDevice.Settings("bench", "sim", 2, 8, List.of(),
                50.0, SafeState.STOP, 60_000, 0, Faults.NONE.withDelay(delayMs)), System::nanoTime);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long thread0 = threads.getCurrentThreadCpuTime();
        long[] stop = new long[rounds];
        try {
            for (int r = 0; r < rounds; r++) {
                List<Promise<Void>> queued = queue(device);
                long t0 = System.nanoTime();
                StopReport report = device.emergencyStop().getValue();
                stop[r] = System.nanoTime() - t0;
                assertTrue(report.toString(), report.complete());
                for (Promise<Void> p : queued) {
                    p.getFailure();   // settled: abandoned, or the one on the wire answered
                }
            }
            // The peer: an ordinary command behind the same queue, i.e. a stop with no lane of its own.
            queue(device);
            long t0 = System.nanoTime();
            device.setMotorSpeed(0, 0, CallContext.within(TimeUnit.MINUTES.toNanos(5))).getValue();
            long behind = System.nanoTime() - t0;
            long wall = System.nanoTime() - wall0;
            long cpu = processCpuNanos() - cpu0;
            long threadCpu = threads.getCurrentThreadCpuTime() - thread0;
            Arrays.sort(stop);
            System.out.printf("BENCH e-stop with %d queued (sim, %d ms device): call -> last ack p50 %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms (%d stops); an ordinary command behind the same queue: %.1f ms; "
                            + "wall %.1f s, process CPU %.2f s, bench thread CPU %.3f s%n",
                    QUEUED, delayMs, ms(stop[rounds / 2]), ms(stop[(int) Math.ceil(rounds * 0.99) - 1]),
                    ms(stop[rounds - 1]), rounds, ms(behind), wall / 1e9, cpu / 1e9, threadCpu / 1e9);
        } finally {
            device.deactivate();
        }
    }

    private static List<Promise<Void>> queue(SimulatedDevice device) throws Exception {
        long sentBefore = (Long) device.status().getValue().details().get("requests.sent");
        List<Promise<Void>> queued = new ArrayList<>();
        for (int i = 0; i < QUEUED; i++) {
            queued.add(device.setMotorSpeed(i % 2, 10 + i, CallContext.within(TimeUnit.MINUTES.toNanos(5))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // The first command is on the wire, the other 49 wait behind it.
        while ((Long) device.status().getValue().details().get("requests.sent") == sentBefore) {
            assertTrue("the first command was sent", System.nanoTime() < deadline);
        }
        return queued;
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

}
