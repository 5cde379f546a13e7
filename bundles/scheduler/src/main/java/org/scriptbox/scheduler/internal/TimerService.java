package org.scriptbox.scheduler.internal;

import java.time.Instant;

/**
 * Wakes the scheduler at wall-clock instants. Idle schedules cost one queued task each, never a thread;
 * tests drive a manual implementation with a fake clock instead of sleeping.
 */
public interface TimerService {
    /** Runs {@code task} at {@code when} (or at once if it is past). */
    Handle at(Instant when, Runnable task);

    /** A pending wake-up. */
    interface Handle {
        /** Stops the task from running if it has not started; harmless to repeat. */
        void cancel();
    }
}
