package org.scriptbox.fleet.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The requests a gateway took last, by response topic and correlation data (a controller makes both unique per
 * request). MQTT's QoS 1 is "at least once": a request whose acknowledgement was lost with the link comes again
 * after the reconnect (the DUP flag), and without this a {@code run} of a valve script ran twice (FINDINGS Q26).
 * Bounded (a digest per entry, the oldest forgotten first); confined to the link's thread.
 */
final class RecentRequests {
    private final Map<String, Boolean> seen;

    RecentRequests(int capacity) {
        this.seen = new LinkedHashMap<>(64, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether this is the first time; a request without correlation data (nobody can tell two apart) always is. */
    boolean firstTime(String responseTopic, byte[] correlation) {
        if (correlation == null) {
            return true;
        }
        byte[] topic = (responseTopic == null ? "" : responseTopic).getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[topic.length + 1 + correlation.length];
        System.arraycopy(topic, 0, key, 0, topic.length);
        System.arraycopy(correlation, 0, key, topic.length + 1, correlation.length);
        return seen.put(Digest.sha256(key), Boolean.TRUE) == null;
    }
}
