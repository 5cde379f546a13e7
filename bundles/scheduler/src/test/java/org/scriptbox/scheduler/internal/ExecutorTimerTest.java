package org.scriptbox.scheduler.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;

/** The real timer: runs at the instant, not before; a cancelled task never runs; a failing task spares the thread. */
public class ExecutorTimerTest {
    private final ExecutorTimer timer = new ExecutorTimer(Clock.systemUTC(), 1);

    @After
    public void stop() {
        timer.shutdown();
    }

    @Test
    public void runsNotBeforeItsInstant() throws Exception {
        Instant when = Instant.now().plusMillis(50);
        CountDownLatch ran = new CountDownLatch(1);
        Instant[] at = new Instant[1];
        timer.at(when, () -> {
            at[0] = Instant.now();
            ran.countDown();
        });
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertFalse("ran early: " + at[0], at[0].isBefore(when));
    }

    @Test
    public void cancelledTasksDoNotRunAndFailuresDoNotKillTheThread() throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        TimerService.Handle h = timer.at(Instant.now().plusMillis(30), cancelledRuns::incrementAndGet);
        h.cancel();
        timer.at(Instant.now(), () -> {
            throw new IllegalStateException("boom (expected by the test)");
        });
        CountDownLatch after = new CountDownLatch(1);
        timer.at(Instant.now().plusMillis(60), after::countDown);   // queued after the cancelled one's instant
        assertTrue(after.await(5, TimeUnit.SECONDS));
        assertEquals(0, cancelledRuns.get());
        assertEquals("cancelled tasks leave the queue", 0, timer.executor().getQueue().size());
    }

    @Test
    public void aWaitLongerThanTheStepIsCutIntoSteps() {
        timer.at(Instant.now().plus(Duration.ofHours(5)), () -> { });
        long delay = ((java.util.concurrent.ScheduledFuture<?>) timer.executor().getQueue().peek())
                .getDelay(TimeUnit.SECONDS);
        assertTrue("first wake-up within a minute, was " + delay + " s", delay <= 60);
    }
}
