package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class LoginThrottleTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(3, 10, Duration.ofMinutes(15), 100, now::get);

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }

    @Test
    public void userIsSlowedAfterItsAllowanceWithDoublingWaits() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, throttle.admit("alice", "a" + i));
        }
        assertEquals(Duration.ofSeconds(1), throttle.admit("alice", "other"));
        advance(Duration.ofSeconds(1));
        assertEquals(Duration.ZERO, throttle.admit("alice", "other"));
        assertEquals(Duration.ofSeconds(2), throttle.admit("alice", "x"));
        assertEquals(Duration.ZERO, throttle.admit("bob", "x"));
    }

    @Test
    public void addressIsSlowedAcrossUserNames() {
        for (int i = 0; i < 10; i++) {
            throttle.admit("user" + i, "10.0.0.9");
        }
        assertTrue(throttle.admit("fresh", "10.0.0.9").compareTo(Duration.ZERO) > 0);
        assertEquals(Duration.ZERO, throttle.admit("fresh", "10.0.0.8"));
    }

    @Test
    public void windowEndForgetsAndSuccessClearsTheUserOnly() {
        for (int i = 0; i < 3; i++) {
            throttle.admit("alice", "a");
        }
        throttle.succeeded("alice", "a");
        assertEquals(Duration.ZERO, throttle.admit("alice", "b"));
        for (int i = 0; i < 3; i++) {
            throttle.admit("carol", "c");
        }
        advance(Duration.ofMinutes(16));
        assertEquals(Duration.ZERO, throttle.admit("carol", "c"));
    }

    @Test
    public void floodOfNamesKeepsLockedUsersLocked() {
        for (int i = 0; i < 5; i++) {
            throttle.admit("target", "a" + i);
        }
        for (int i = 0; i < 500; i++) {
            throttle.admit("noise" + i, "b" + i);
        }
        assertTrue(throttle.admit("target", "z").compareTo(Duration.ZERO) > 0);
    }

    /** Red team R4: 100 attempts that all ask before any has finished its hash get no more than the allowance. */
    @Test
    public void parallelGuessesAreHeldToTheAllowanceAsSequentialOnesAre() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(pool.submit(() -> {
                go.await();
                if (throttle.admit("alice", "10.0.0.1").isZero()) {
                    admitted.incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        assertEquals(3, admitted.get());
    }

    @Test
    public void aGoodPasswordGivesTheAddressItsTryBack() {
        for (int i = 0; i < 9; i++) {
            throttle.admit("u" + i, "10.0.0.5");
        }
        throttle.admit("alice", "10.0.0.5");
        throttle.succeeded("alice", "10.0.0.5");
        assertEquals(Duration.ZERO, throttle.admit("bob", "10.0.0.5"));
        assertTrue(throttle.admit("carol", "10.0.0.5").compareTo(Duration.ZERO) > 0);
    }
}
