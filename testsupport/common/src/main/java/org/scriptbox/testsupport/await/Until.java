package org.scriptbox.testsupport.await;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a bound, polling every 20 ms (never a sleep as synchronisation): the failure names
 * what was awaited and the bound.
 */
public final class Until {
    private Until() {
    }

    /** @throws AssertionError when {@code condition} does not hold within {@code bound}, or the wait is interrupted */
    public static void until(String what, BooleanSupplier condition, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + bound);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
