package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last fire time of every script, kept in a properties file in the bundle's data area so that after
 * a restart the misfire policy can tell which runs were missed. Fires only touch memory; {@link #flush}
 * writes the file (the scheduler calls it every few seconds and on shutdown), atomically by rename, so a
 * crash leaves either the old or the new file. History is kept per script name, across undeploys.
 */
final class FireTimeStore {
    private static final Logger LOG = LoggerFactory.getLogger(FireTimeStore.class);

    private final Path file;
    private final Map<String, Instant> lastFires = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    /** @param file where to keep the times, or {@code null} for memory only */
    FireTimeStore(Path file) {
        this.file = file;
        load();
    }

    Instant lastFire(String script) {
        return lastFires.get(script);
    }

    void record(String script, Instant fire) {
        lastFires.merge(script, fire, (old, now) -> now.isAfter(old) ? now : old);
        dirty = true;
    }

    synchronized void flush() {
        if (!dirty || file == null) {
            return;
        }
        dirty = false;
        Map<String, String> entries = new TreeMap<>();
        lastFires.forEach((k, v) -> entries.put(k, v.toString()));
        try {
            PropertiesFile.write(file, entries, "scriptbox scheduler: last fire time per script (ISO-8601, UTC)");
        } catch (IOException e) {
            dirty = true;
            LOG.warn("could not save last fire times to {}: {}", file, e.toString());
        }
    }

    private void load() {
        if (file == null) {
            return;
        }
        Map<String, String> p;
        try {
            p = PropertiesFile.read(file);
        } catch (IOException e) {
            LOG.warn("could not read last fire times from {}: {}; misfires before this start are not detected",
                    file, e.toString());
            return;
        }
        for (Map.Entry<String, String> entry : p.entrySet()) {
            String name = entry.getKey();
            try {
                lastFires.put(name, Instant.parse(entry.getValue()));
            } catch (RuntimeException e) {
                LOG.warn("ignoring unreadable last fire time of '{}' in {}", name, file);
            }
        }
    }
}
