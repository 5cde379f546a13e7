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
            assertEquals(Duration.ZERO, throttle.waitFor("alice", "a" + i));
            throttle.failed("alice", "a" + i);
        }
        assertEquals(Duration.ofSeconds(1), throttle.waitFor("alice", "other"));
        advance(Duration.ofSeconds(1));
        throttle.failed("alice", "other");
        assertEquals(Duration.ofSeconds(2), throttle.waitFor("alice", "x"));
        assertEquals(Duration.ZERO, throttle.waitFor("bob", "x"));
    }

    @Test
    public void addressIsSlowedAcrossUserNames() {
        for (int i = 0; i < 10; i++) {
            throttle.failed("user" + i, "10.0.0.9");
        }
        assertTrue(throttle.waitFor("fresh", "10.0.0.9").compareTo(Duration.ZERO) > 0);
        assertEquals(Duration.ZERO, throttle.waitFor("fresh", "10.0.0.8"));
    }

    @Test
    public void windowEndForgetsAndSuccessClearsTheUserOnly() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("alice", "a");
        }
        throttle.succeeded("alice");
        assertEquals(Duration.ZERO, throttle.waitFor("alice", "b"));
        for (int i = 0; i < 3; i++) {
            throttle.failed("carol", "c");
        }
        advance(Duration.ofMinutes(16));
        assertEquals(Duration.ZERO, throttle.waitFor("carol", "c"));
    }

    @Test
    public void floodOfNamesKeepsLockedUsersLocked() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("target", "a" + i);
        }
        for (int i = 0; i < 500; i++) {
            throttle.failed("noise" + i, "b" + i);
        }
        assertTrue(throttle.waitFor("target", "z").compareTo(Duration.ZERO) > 0);
    }
}
