package org.scriptbox.manager.internal;

/**
 * The bounds of {@link ExecutionGate}, replaced as a whole when the configuration changes.
 *
 * @param maxConcurrent    runs at once, of all scripts
 * @param queueCapacity    scheduled runs waiting for a slot, of all scripts
 * @param scriptConcurrent scheduled runs of one script at once
 * @param scriptQueue      scheduled runs of one script waiting
 * @param operatorReserve  slots only operator runs may take; smaller than {@code maxConcurrent}
 */
record ExecutionCapacity(int maxConcurrent, int queueCapacity, int scriptConcurrent, int scriptQueue, int operatorReserve) {
    ExecutionCapacity {
        if (maxConcurrent < 1 || queueCapacity < 0 || scriptConcurrent < 1 || scriptQueue < 0 || operatorReserve < 0
                || operatorReserve >= maxConcurrent) {
            throw new IllegalArgumentException("execution bounds out of range: " + maxConcurrent + " concurrent, " + queueCapacity
                    + " queued, per script " + scriptConcurrent + " and " + scriptQueue + ", " + operatorReserve + " reserved");
        }
    }

    /** No share and no reserve: the bounds before fair sharing, for tests of the plain bound. */
    static ExecutionCapacity unshared(int maxConcurrent, int queueCapacity) {
        return new ExecutionCapacity(maxConcurrent, queueCapacity, maxConcurrent, queueCapacity, 0);
    }
}
