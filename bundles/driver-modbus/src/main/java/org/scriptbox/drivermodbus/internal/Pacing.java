package org.scriptbox.drivermodbus.internal;

/**
 * What every transport does around its exchanges: keeps the delay between transactions and the reconnect
 * back-off of its {@link LinkTiming}. Used by one thread at a time (its connection's).
 */
final class Pacing {
    private final LinkTiming timing;
    private long lastEndNanos;
    private boolean anyEnded;
    private long nextConnectNanos;
    private long backoffMillis;

    Pacing(LinkTiming timing) {
        this.timing = timing;
    }

    /** The deadline of a connect started now, within the request's. */
    long connectDeadline(long requestDeadlineNanos) {
        long own = System.nanoTime() + timing.connectTimeoutMillis() * 1_000_000L;
        return requestDeadlineNanos - own < 0 ? requestDeadlineNanos : own;
    }

    /** Why no connect may be tried now (a back-off after a failure is running), or {@code null}. */
    String connectRefusal() {
        long wait = nextConnectNanos - System.nanoTime();
        return backoffMillis > 0 && wait > 0 ? "reconnecting after a failed connect, next try in "
                + Math.max(1, wait / 1_000_000) + " ms" : null;
    }

    void connectFailed() {
        if (timing.backoffMinMillis() > 0) {
            backoffMillis = backoffMillis == 0 ? timing.backoffMinMillis()
                    : Math.min(timing.backoffMaxMillis(), 2 * backoffMillis);
            nextConnectNanos = System.nanoTime() + backoffMillis * 1_000_000L;
        }
    }

    void connected() {
        backoffMillis = 0;
    }

    /**
     * Waits out the delay between transactions, but not past {@code deadlineNanos}.
     * @return false if the deadline came first (nothing may be sent then)
     */
    boolean awaitTurn(long deadlineNanos) {
        if (timing.transactionDelayMillis() == 0 || !anyEnded) {
            return true;
        }
        long due = lastEndNanos + timing.transactionDelayMillis() * 1_000_000L;
        while (true) {
            long now = System.nanoTime();
            if (due - now <= 0) {
                return true;
            }
            if (deadlineNanos - due < 0) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, (due - now) / 1_000_000));   // the device's pause, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A transaction ended (answered or not): the next one waits the delay from now. */
    void ended() {
        lastEndNanos = System.nanoTime();
        anyEnded = true;
    }
}
