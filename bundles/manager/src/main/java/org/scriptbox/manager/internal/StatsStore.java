package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statistics on disk, one {@code name.stats.toml} per script in the manager bundle's data area, so
 * they survive a restart of the bundle or the container. Each save replaces the file atomically: a
 * crash leaves the previous complete file, never half of one. Kept when a script is undeployed, so a
 * script that comes back (redeploy, restart) carries on counting.
 *
 * <p>Writes are coalesced: {@link #update} only remembers the newest statistics of a script, and a
 * background thread writes the remembered ones every {@code flushMillis}. Writing after every run cost
 * most of an execution's end-to-end time (docs/manager.md, "Per-run overhead"); now a script that runs
 * a thousand times a second is written at most once per period. {@link #close} writes what is left, so
 * a clean stop loses nothing; a crash loses at most one period. {@code flushMillis <= 0} writes at
 * once, on the caller's thread (the old behaviour, kept for the benchmark's comparison).
 */
final class StatsStore {
    private static final Logger LOG = LoggerFactory.getLogger(StatsStore.class);
    private final Path folder;
    private final long flushMillis;
    /** Newest statistics not yet on disk, per script. */
    private final Map<String, ExecutionStats> pending = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final ScheduledExecutorService flusher;
    private volatile boolean closed;

    StatsStore(Path folder, long flushMillis) {
        this.folder = folder;
        this.flushMillis = flushMillis;
        if (flushMillis > 0) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "scriptbox-stats-writer");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(this::flushQuietly, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
        } else {
            flusher = null;
        }
    }

    ExecutionStats load(String name) {
        ExecutionStats unsaved = pending.get(name);
        if (unsaved != null) {
            return unsaved;
        }
        Path file = file(name);
        if (!Files.isRegularFile(file)) {
            return ExecutionStats.EMPTY;
        }
        try {
            return StatsCodec.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException | ScriptException e) {
            LOG.warn("statistics of script '{}' could not be read, starting from zero: {}", name, e.getMessage());
            return ExecutionStats.EMPTY;
        }
    }

    /** After a run: the statistics reach the disk within one flush period (or at once if not coalescing). */
    void update(String name, ExecutionStats stats) {
        if (flusher == null || closed) {
            save(name, stats);
        } else {
            pending.put(name, stats);
        }
    }

    /** Writes now (undeploy, import), superseding anything pending for the script. */
    void save(String name, ExecutionStats stats) {
        pending.remove(name);
        write(name, stats);
    }

    /** Writes every pending script's statistics; the background thread calls it each period. */
    void flush() {
        for (String name : pending.keySet()) {
            ExecutionStats stats = pending.remove(name);
            if (stats != null) {
                write(name, stats);
            }
        }
    }

    // a periodic task that throws is never run again: one bad write must not stop all later ones
    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("statistics could not be written; trying again in {} ms", flushMillis, e);
        }
    }

    /** Stops the background writer and writes what is pending. */
    void close() {
        closed = true;
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
    }

    /** Files written so far (tests and the benchmark). */
    long writes() {
        return writes.get();
    }

    long flushMillis() {
        return flushMillis;
    }

    // synchronized: the writer thread and an undeploy may write the same script; one at a time keeps
    // the newest write last
    private synchronized void write(String name, ExecutionStats stats) {
        Path file = file(name);
        try {
            Files.createDirectories(folder);
            Path tmp = folder.resolve(name + ".stats.tmp");
            Files.writeString(tmp, StatsCodec.format(stats), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            writes.incrementAndGet();
        } catch (IOException e) {
            LOG.warn("statistics of script '{}' could not be saved to {}: {}", name, file, e.toString());
        }
    }

    private Path file(String name) {
        return folder.resolve(name + ".stats.toml");
    }
}
