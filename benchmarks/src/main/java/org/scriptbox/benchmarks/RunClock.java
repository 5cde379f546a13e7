package org.scriptbox.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The three clocks of one measured run: CPU time of the running thread (steady on a shared machine), wall
 * time, and CPU time of the whole JVM process (GC and JIT compiler threads included: what the run really
 * costs the machine). A runner returns {@code {thread nanos[], result, wall nanos[], process nanos[]}}.
 */
final class RunClock {
    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    final long[] thread;
    final long[] wall;
    final long[] process;
    private long t0;
    private long w0;
    private long p0;

    RunClock(int runs) {
        thread = new long[runs];
        wall = new long[runs];
        process = new long[runs];
    }

    void start() {
        p0 = OS.getProcessCpuTime();
        w0 = System.nanoTime();
        t0 = THREAD.getCurrentThreadCpuTime();
    }

    void stop(int run) {
        thread[run] = THREAD.getCurrentThreadCpuTime() - t0;
        wall[run] = System.nanoTime() - w0;
        process[run] = OS.getProcessCpuTime() - p0;
    }

    Object[] result(String value) {
        return new Object[] {thread, value, wall, process};
    }
}
