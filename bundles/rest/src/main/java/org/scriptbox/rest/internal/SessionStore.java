package org.scriptbox.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The browser sessions, in memory (a restart logs everybody out). Bounded: past {@code max} sessions the
 * oldest goes, so a client that logs in in a loop cannot grow the heap. A session ends after its idle time
 * without a request or after its absolute lifetime, whichever comes first.
 */
final class SessionStore {
    /** A new session's cookie value (shown once) and the session. */
    record Created(String cookieValue, Session session) {
    }

    private record Entry(Session session, Instant lastSeen) {
    }

    private final Map<String, Entry> byIdHash = new ConcurrentHashMap<>();
    private final Supplier<Instant> clock;
    private volatile Duration idle;
    private volatile Duration lifetime;
    private final int max;

    SessionStore(Duration idle, Duration lifetime, int max, Supplier<Instant> clock) {
        this.idle = idle;
        this.lifetime = lifetime;
        this.max = max;
        this.clock = clock;
    }

    void reconfigure(Duration newIdle, Duration newLifetime) {
        idle = newIdle;
        lifetime = newLifetime;
    }

    Created create(String user, Role role) {
        Instant now = clock.get();
        String id = PasswordHash.randomSecret(32);
        Session s = new Session(PasswordHash.sha256(id), user, role, PasswordHash.randomSecret(32), now, now.plus(lifetime));
        if (byIdHash.size() >= max) {
            byIdHash.values().stream().min(Comparator.comparing(e -> e.session().created()))
                    .ifPresent(oldest -> byIdHash.remove(oldest.session().idHash()));
        }
        byIdHash.put(s.idHash(), new Entry(s, now));
        return new Created(id, s);
    }

    /** The live session of a cookie value, touched; empty when unknown or expired. */
    Optional<Session> find(String cookieValue) {
        if (cookieValue == null || cookieValue.isEmpty() || cookieValue.length() > 200) {
            return Optional.empty();
        }
        String key = PasswordHash.sha256(cookieValue);
        Entry e = byIdHash.get(key);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.get();
        if (!now.isBefore(e.session().expires()) || !now.isBefore(e.lastSeen().plus(idle))) {
            byIdHash.remove(key);
            return Optional.empty();
        }
        byIdHash.replace(key, e, new Entry(e.session(), now));
        return Optional.of(e.session());
    }

    void remove(Session s) {
        byIdHash.remove(s.idHash());
    }

    /** Ends every session of a user (their role or password changed). */
    void removeUser(String user) {
        byIdHash.values().removeIf(e -> e.session().user().equals(user));
    }

    int size() {
        return byIdHash.size();
    }
}
