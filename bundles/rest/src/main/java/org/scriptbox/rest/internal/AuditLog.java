package org.scriptbox.rest.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who did what: every mutating call, every login and login failure. Each entry goes to the logger
 * {@code org.scriptbox.audit} (the runtime's logging configuration writes it to its own file,
 * data/log/audit.log) and into a bounded ring for GET /api/v1/audit. Every field is made one safe line
 * (SafeText), since user names, script names and addresses come from the network.
 */
final class AuditLog {
    static final String LOGGER = "org.scriptbox.audit";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final int FIELD_CHARS = 200;

    /** One audit entry. */
    record Entry(Instant time, String user, String source, String action, String target, String outcome) {
    }

    private final Deque<Entry> ring = new ArrayDeque<>();
    private final int capacity;

    AuditLog(int capacity) {
        this.capacity = capacity;
    }

    void record(String user, String source, String action, String target, String outcome) {
        Entry e = new Entry(Instant.now(), clean(user), clean(source), clean(action), clean(target), clean(outcome));
        LOG.info("user={} source={} action={} target={} outcome={}", e.user(), e.source(), e.action(), e.target(), e.outcome());
        synchronized (ring) {
            if (ring.size() >= capacity) {
                ring.removeFirst();
            }
            ring.addLast(e);
        }
    }

    /** The latest entries, oldest first, at most {@code max}. */
    List<Entry> latest(int max) {
        synchronized (ring) {
            List<Entry> all = new ArrayList<>(ring);
            return List.copyOf(all.subList(Math.max(0, all.size() - max), all.size()));
        }
    }

    private static String clean(String field) {
        if (field == null || field.isEmpty()) {
            return "-";
        }
        String one = SafeText.line(field).replace(' ', '_');
        return one.length() > FIELD_CHARS ? one.substring(0, FIELD_CHARS) + "..." : one;
    }
}
