package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private final PeriodicFlush flusher;
    /** The reason saves fail now, or {@code null}: logged once per condition; guarded by this. */
    private String failing;

    StatsStore(Path folder, long flushMillis) {
        this.folder = folder;
        this.flushMillis = flushMillis;
        this.flusher = new PeriodicFlush("scriptbox-stats-writer", "statistics", flushMillis, this::flush);
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
        if (!flusher.coalescing()) {
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
        // a copy: a failed write puts its statistics back, to be tried next period, not again in this loop
        for (String name : java.util.List.copyOf(pending.keySet())) {
            ExecutionStats stats = pending.remove(name);
            if (stats != null) {
                write(name, stats);
            }
        }
    }


    /** Stops the background writer and writes what is pending. */
    void close() {
        flusher.close();
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
        Path tmp = folder.resolve(name + ".stats.tmp");
        try {
            Files.createDirectories(folder);
            Files.writeString(tmp, StatsCodec.format(stats), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            writes.incrementAndGet();
            if (failing != null) {
                LOG.info("statistics are saved to {} again", folder);
                failing = null;
            }
        } catch (IOException e) {
            try {
                if (Files.isRegularFile(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(tmp);   // a half-written temporary file is of no use and takes space
                }
            } catch (IOException ignored) {
                // the disk is in trouble already; the next try cleans up
            }
            // kept for the next period's try, unless a newer one is already waiting: nothing is lost while space is short
            pending.putIfAbsent(name, stats);
            String reason = reason(e);
            if (!reason.equals(failing)) {
                // one line per condition for all scripts, not one per script per period
                LOG.warn("statistics could not be saved to {}: {}; they are kept in memory and saved when writing works again{}",
                        folder, reason, !flusher.periodic() ? "" : " (tried every " + flushMillis + " ms)");
                failing = reason;
            }
        }
    }

    /** The operating system's reason in plain words ("no space left on device"), never a Java exception's text. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "the file could not be written" : org.scriptbox.api.text.SafeText.line(m.toLowerCase(java.util.Locale.ROOT));
    }

    /** Why saving fails now, or {@code null} while it works (tests). */
    synchronized String failing() {
        return failing;
    }

    private Path file(String name) {
        return folder.resolve(name + ".stats.toml");
    }
}
