package org.scriptbox.itests;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a bound, polling; the failure names what was awaited and the last value seen. */
public final class Await {
    private Await() {
    }

    public static <T> T until(String what, Duration bound, Supplier<T> probe, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + bound.toNanos();
        T last = null;
        while (true) {
            try {
                last = probe.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + bound + " waiting for " + what, e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + bound + " waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    public static void until(String what, Duration bound, java.util.function.BooleanSupplier condition) {
        until(what, bound, condition::getAsBoolean, Boolean::booleanValue);
    }
}
