package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last fire time of every script, kept in a properties file in the bundle's data area so that after
 * a restart the misfire policy can tell which runs were missed. History is kept per script name, across
 * undeploys.
 *
 * <p>Two ways to record a fire. {@link #record} only touches memory; {@link #flush} writes the file (every
 * few seconds and on stop). {@link #whenSaved} after {@link #record} is for fires whose run must not happen
 * again after a crash (misfire {@code run_once}): it answers only once the file holding the fire is on the device. Fires that
 * come in while a write is under way are written together by the next one (group commit), so a thousand
 * such fires a second cost a few writes, not a thousand. Writes are atomic (rename) and forced.
 */
final class FireTimeStore {
    private static final Logger LOG = LoggerFactory.getLogger(FireTimeStore.class);

    private final Path file;
    private final PropertiesFile.StateWriter writer;
    private final Executor commits;
    private final SaveStatus status;
    private final Map<String, Instant> lastFires = new ConcurrentHashMap<>();
    private final List<Consumer<Boolean>> waiting = new ArrayList<>();   // guarded by itself
    private boolean commitRunning;   // guarded by waiting
    private volatile boolean dirty;

    /** @param file where to keep the times, or {@code null} for memory only */
    FireTimeStore(Path file) {
        this(file, PropertiesFile.DURABLE, Runnable::run);
    }

    /**
     * @param writer  how the file is written (tests inject failures here)
     * @param commits where durable writes run, off the timer thread
     */
    FireTimeStore(Path file, PropertiesFile.StateWriter writer, Executor commits) {
        this.file = file;
        this.writer = writer;
        this.commits = commits;
        this.status = new SaveStatus("the last fire times", file,
                "runs of schedules with misfire = run_once (and first runs of new schedules) are not started until"
                        + " their fire time is saved");
        load();
    }

    Instant lastFire(String script) {
        return lastFires.get(script);
    }

    void record(String script, Instant fire) {
        lastFires.merge(script, fire, (old, now) -> now.isAfter(old) ? now : old);
        dirty = true;
    }

    /** Calls {@code saved} once every fire recorded so far is on the device (true), or could not be written. */
    void whenSaved(Consumer<Boolean> saved) {
        if (file == null) {
            saved.accept(true);
            return;
        }
        boolean start;
        synchronized (waiting) {
            waiting.add(saved);
            start = !commitRunning;
            commitRunning = true;
        }
        if (start) {
            commits.execute(this::commitWaiting);
        }
    }

    /** Writes until nobody waits; each write covers every fire recorded before it began. */
    private void commitWaiting() {
        while (true) {
            List<Consumer<Boolean>> batch;
            synchronized (waiting) {
                if (waiting.isEmpty()) {
                    commitRunning = false;
                    return;
                }
                batch = new ArrayList<>(waiting);
                waiting.clear();
            }
            boolean ok = write();
            for (Consumer<Boolean> c : batch) {
                try {
                    c.accept(ok);
                } catch (RuntimeException e) {
                    LOG.error("scheduler: a fire could not be handed on after saving", e);
                }
            }
        }
    }

    /** Writes the file if anything changed since the last successful write. */
    void flush() {
        if (dirty) {
            write();
        }
    }

    Optional<String> saveProblem() {
        return status.problem();
    }

    private synchronized boolean write() {
        if (file == null) {
            return true;
        }
        dirty = false;
        Map<String, String> entries = new TreeMap<>();
        lastFires.forEach((k, v) -> entries.put(k, v.toString()));
        try {
            writer.write(file, entries, "scriptbox scheduler: last fire time per script (ISO-8601, UTC)");
            status.saved();
            return true;
        } catch (IOException e) {
            dirty = true;
            status.failed(e);
            return false;
        } catch (RuntimeException e) {   // never leave the commit loop (and every run_once fire) stuck
            dirty = true;
            status.failed(new IOException(e.getMessage() == null ? "unexpected error" : e.getMessage(), e));
            return false;
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
                    file, SaveStatus.reason(e));
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
