package org.scriptbox.fleet.internal;

/**
 * At most {@code perSecond} run events per second (a one-second window), counting those not sent, so that a
 * script firing every few milliseconds cannot flood the broker. Called from any executing thread.
 */
final class EventBudget {
    private final int perSecond;
    private long windowStart;
    private int used;
    private long dropped;

    EventBudget(int perSecond) {
        this.perSecond = perSecond;
    }

    synchronized boolean take() {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            used = 0;
        }
        if (used < perSecond) {
            used++;
            return true;
        }
        dropped++;
        return false;
    }

    /** Runs not sent as events since the start. */
    synchronized long dropped() {
        return dropped;
    }
}
