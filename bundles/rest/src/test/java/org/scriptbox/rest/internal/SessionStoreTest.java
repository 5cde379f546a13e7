package org.scriptbox.rest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class SessionStoreTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    private final SessionStore store = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(8), 3, now::get);

    @Test
    public void sessionIsFoundByItsCookieOnlyAndKeptHashed() {
        SessionStore.Created c = store.create("alice", Role.OPERATOR);
        assertTrue(store.find(c.cookieValue()).isPresent());
        assertFalse(store.find(c.session().idHash()).isPresent());
        assertFalse(store.find(c.cookieValue() + "x").isPresent());
        assertNotEquals(c.cookieValue(), c.session().csrfToken());
    }

    @Test
    public void idleAndLifetimeEndASession() {
        SessionStore.Created c = store.create("alice", Role.OPERATOR);
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertTrue(store.find(c.cookieValue()).isPresent());
        now.set(now.get().plus(Duration.ofMinutes(31)));
        assertFalse(store.find(c.cookieValue()).isPresent());
        SessionStore.Created d = store.create("bob", Role.VIEWER);
        for (int i = 0; i < 20; i++) {
            now.set(now.get().plus(Duration.ofMinutes(25)));
            store.find(d.cookieValue());
        }
        assertFalse("8 h lifetime", store.find(d.cookieValue()).isPresent());
    }

    @Test
    public void storeIsBoundedOldestFirst() {
        SessionStore.Created first = store.create("a", Role.VIEWER);
        now.set(now.get().plusSeconds(1));
        for (int i = 0; i < 5; i++) {
            store.create("u" + i, Role.VIEWER);
            now.set(now.get().plusSeconds(1));
        }
        assertEquals(3, store.size());
        assertFalse(store.find(first.cookieValue()).isPresent());
    }
}
