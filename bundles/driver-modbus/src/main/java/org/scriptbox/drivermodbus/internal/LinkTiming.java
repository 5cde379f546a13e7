package org.scriptbox.drivermodbus.internal;

/**
 * The timing of one connection: how long a connect may take, the pause the device needs between two
 * transactions, and how long to wait before connecting again after a failed connect (doubling from the
 * minimum to the maximum, back to the minimum after a success). Immutable.
 *
 * @param connectTimeoutMillis at most this long for a connect (within the request's deadline)
 * @param transactionDelayMillis at least this long from the end of one transaction to the start of the next
 * @param backoffMinMillis first wait after a failed connect (0: none, connect at every request)
 * @param backoffMaxMillis longest wait after repeated failures
 */
record LinkTiming(int connectTimeoutMillis, int transactionDelayMillis, int backoffMinMillis, int backoffMaxMillis) {
    /** For the stop lane: a stop always tries to connect, never waits out a back-off. */
    LinkTiming withoutBackoff() {
        return new LinkTiming(connectTimeoutMillis, transactionDelayMillis, 0, 0);
    }

    static final LinkTiming DEFAULT = new LinkTiming(1000, 0, 0, 0);
}
