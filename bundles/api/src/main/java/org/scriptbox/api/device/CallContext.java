package org.scriptbox.api.device;

import java.util.function.BooleanSupplier;

/**
 * Passed with every ordinary command: until when the caller waits, and whether it has given up. A driver
 * withdraws a request whose caller gave up (or whose deadline passed) before it is sent, and bounds read
 * retries by the deadline. Writes are never resent.
 *
 * @param deadlineNanos {@link System#nanoTime()} after which the caller no longer waits
 * @param gaveUp        true once the caller stopped waiting (cancelled, timed out); checked just before sending
 */
public record CallContext(long deadlineNanos, BooleanSupplier gaveUp) {
    public CallContext {
        gaveUp = gaveUp == null ? () -> false : gaveUp;
    }

    /** A caller that waits {@code timeoutNanos} from now and never gives up earlier. */
    public static CallContext within(long timeoutNanos) {
        return new CallContext(System.nanoTime() + timeoutNanos, null);
    }

    /** A caller that waits {@code timeoutNanos} from now unless {@code gaveUp} says otherwise first. */
    public static CallContext within(long timeoutNanos, BooleanSupplier gaveUp) {
        return new CallContext(System.nanoTime() + timeoutNanos, gaveUp);
    }

    public boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Nanoseconds left until the deadline (0 when passed). */
    public long remainingNanos() {
        return Math.max(0, deadlineNanos - System.nanoTime());
    }

    /** Whether a request not yet sent must be withdrawn: the caller gave up or the deadline passed. */
    public boolean withdrawn() {
        return expired() || gaveUp.getAsBoolean();
    }
}
