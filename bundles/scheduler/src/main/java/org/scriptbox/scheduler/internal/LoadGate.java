package org.scriptbox.scheduler.internal;

/**
 * Decides from one sample whether the container is overloaded. CPU must stay above its threshold for
 * several samples in a row before new executions are refused, because a busy container is expected to
 * use its cores in bursts (that is what the concurrency bound is for); heap above its threshold counts at
 * once, because running out of heap is what hurts every script. A threshold of 1 or more disables that
 * check.
 */
final class LoadGate {
    private final double maxCpuLoad;
    private final double maxHeapFraction;
    private final int cpuSamplesInARow;
    private int cpuHighSamples;

    LoadGate(double maxCpuLoad, double maxHeapFraction, int cpuSamplesInARow) {
        this.maxCpuLoad = maxCpuLoad;
        this.maxHeapFraction = maxHeapFraction;
        this.cpuSamplesInARow = Math.max(1, cpuSamplesInARow);
    }

    /**
     * @param cpuLoad  process CPU load 0..1, negative when the JVM cannot tell
     * @param heapUsed heap bytes in use
     * @param heapMax  heap limit in bytes, or -1 when undefined
     * @return whether new executions should be refused now
     */
    synchronized boolean overloaded(double cpuLoad, long heapUsed, long heapMax) {
        if (maxCpuLoad < 1 && cpuLoad >= 0 && cpuLoad > maxCpuLoad) {
            cpuHighSamples++;
        } else {
            cpuHighSamples = 0;
        }
        boolean cpu = cpuHighSamples >= cpuSamplesInARow;
        boolean heap = maxHeapFraction < 1 && heapMax > 0 && (double) heapUsed / heapMax > maxHeapFraction;
        return cpu || heap;
    }

    /** Why the last answer was "overloaded", for the shell; empty when it was not. */
    synchronized String reason(double cpuLoad, long heapUsed, long heapMax) {
        StringBuilder sb = new StringBuilder();
        if (cpuHighSamples >= cpuSamplesInARow) {
            sb.append(String.format("process CPU %.0f%% > %.0f%%", cpuLoad * 100, maxCpuLoad * 100));
        }
        if (maxHeapFraction < 1 && heapMax > 0 && (double) heapUsed / heapMax > maxHeapFraction) {
            sb.append(sb.length() > 0 ? ", " : "").append(String.format("heap %.0f%% > %.0f%%",
                    100.0 * heapUsed / heapMax, maxHeapFraction * 100));
        }
        return sb.toString();
    }
}
