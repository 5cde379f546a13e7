package org.scriptbox.engine.internal;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated and CPU time used by the current thread, from HotSpot's per-thread counters
 * ({@code com.sun.management.ThreadMXBean}, reached by boot delegation in OSGi). On a JVM without
 * them the meter reads zero and the memory limit is not enforced; {@link #supported()} says which.
 */
final class AllocationMeter {
    static final AllocationMeter INSTANCE = new AllocationMeter();

    private final com.sun.management.ThreadMXBean threads;

    private AllocationMeter() {
        com.sun.management.ThreadMXBean found = null;
        try {
            java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (mx instanceof com.sun.management.ThreadMXBean) {
                com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) mx;
                if (sun.isThreadAllocatedMemorySupported()) {
                    if (!sun.isThreadAllocatedMemoryEnabled()) {
                        sun.setThreadAllocatedMemoryEnabled(true);
                    }
                    found = sun;
                }
            }
        } catch (LinkageError | RuntimeException e) {
            found = null; // not a HotSpot JVM, or the package is not visible: run without the meter
        }
        threads = found;
    }

    boolean supported() {
        return threads != null;
    }

    long currentThreadAllocatedBytes() {
        return threads == null ? 0 : threads.getCurrentThreadAllocatedBytes();
    }

    long currentThreadCpuNanos() {
        return threads == null ? 0 : threads.getCurrentThreadCpuTime();
    }
}
