package org.scriptbox.scheduler.internal;

/**
 * Decides from each sample whether the container is overloaded. Each measure must stay above its
 * threshold for several samples in a row before new executions are refused: CPU because a busy
 * container is expected to use its cores in bursts (that is what the concurrency bound is for), heap
 * because "used" includes garbage the next collection frees. A threshold of 1 or more disables that check.
 */
final class LoadGate {
    private final double maxCpuLoad;
    private final double maxHeapFraction;
    private final int cpuSamplesInARow;
    private final int heapSamplesInARow;
    private int cpuHighSamples;
    private int heapHighSamples;

    LoadGate(double maxCpuLoad, double maxHeapFraction, int cpuSamplesInARow, int heapSamplesInARow) {
        this.maxCpuLoad = maxCpuLoad;
        this.maxHeapFraction = maxHeapFraction;
        this.cpuSamplesInARow = Math.max(1, cpuSamplesInARow);
        this.heapSamplesInARow = Math.max(1, heapSamplesInARow);
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
        if (heapAbove(heapUsed, heapMax)) {
            heapHighSamples++;
        } else {
            heapHighSamples = 0;
        }
        return cpuHighSamples >= cpuSamplesInARow || heapHighSamples >= heapSamplesInARow;
    }

    private boolean heapAbove(long heapUsed, long heapMax) {
        return maxHeapFraction < 1 && heapMax > 0 && (double) heapUsed / heapMax > maxHeapFraction;
    }

    /** Why the last answer was "overloaded", for the shell; empty when it was not. */
    synchronized String reason(double cpuLoad, long heapUsed, long heapMax) {
        StringBuilder sb = new StringBuilder();
        if (cpuHighSamples >= cpuSamplesInARow) {
            sb.append(String.format("process CPU %.0f%% > %.0f%%", cpuLoad * 100, maxCpuLoad * 100));
        }
        if (heapHighSamples >= heapSamplesInARow) {
            sb.append(sb.length() > 0 ? ", " : "").append(String.format("heap %.0f%% > %.0f%%",
                    100.0 * heapUsed / heapMax, maxHeapFraction * 100));
        }
        return sb.toString();
    }
}
