package org.scriptbox.api.schedule;

/**
 * The container's load at one moment.
 *
 * @param processCpuLoad   0..1, process CPU load (negative if unknown)
 * @param heapUsedBytes    heap in use
 * @param heapMaxBytes     heap limit
 * @param activeExecutions executions running
 * @param queuedExecutions executions waiting for a slot
 * @param liveThreads      JVM threads
 * @param overloaded       whether new executions are being refused or delayed now
 */
public record ResourceSnapshot(double processCpuLoad, long heapUsedBytes, long heapMaxBytes, int activeExecutions,
                               int queuedExecutions, int liveThreads, boolean overloaded) {
}
