package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last runs' traces of every script, in memory and on disk: one file per run,
 * {@code traces/NAME/RUN.trace.toml} in the manager's data area, so they survive a restart. A file is written
 * once, atomically (a temporary file moved into place), and a damaged one loses only its own run. Writes are
 * coalesced as the statistics' are: a background thread writes every {@code flushMillis} only the runs that are
 * still among the last N then, so a script that runs a thousand times a second costs at most N files per
 * period; older files are deleted. A script's traces are read from disk the first time it is asked for or runs.
 */
final class TraceStore implements TraceService {
    private static final Logger LOG = LoggerFactory.getLogger(TraceStore.class);
    private static final String SUFFIX = ".trace.toml";

    private final Path folder;
    private final Map<String, ScriptTraces> scripts = new ConcurrentHashMap<>();
    private final PeriodicFlush flusher;
    private final AtomicLong writes = new AtomicLong();
    private volatile int keep;
    /** The reason writes fail now, or {@code null}: logged once per condition; guarded by this. */
    private String failing;

    TraceStore(Path folder, long flushMillis, int keep) {
        this.folder = folder;
        this.keep = keep;
        this.flusher = new PeriodicFlush("scriptbox-trace-writer", "traces", flushMillis, this::flush);
    }

    /**
     * One script's kept runs by number (runs of one script may end out of order) and the runs not yet on disk.
     * Guarded by itself.
     */
    private static final class ScriptTraces {
        final TreeMap<Long, RunTrace> kept = new TreeMap<>();
        final TreeMap<Long, RunTrace> unwritten = new TreeMap<>();
        long lastRun;

        /** Drops the oldest runs beyond {@code n}, from memory and from what is still to be written. */
        void trim(int n) {
            while (kept.size() > n) {
                unwritten.remove(kept.pollFirstEntry().getKey());
            }
        }
    }

    /** A new number for the next run of {@code name} (1, 2, ... kept across restarts). */
    long nextRun(String name) {
        ScriptTraces s = traces(name);
        synchronized (s) {
            return ++s.lastRun;
        }
    }

    /** Keeps {@code trace} among its script's last runs; it reaches the disk within one flush period. */
    void add(RunTrace trace) {
        ScriptTraces s = traces(trace.scriptName());
        int n = keep;
        synchronized (s) {
            s.kept.put(trace.run(), trace);
            s.unwritten.put(trace.run(), trace);
            s.trim(n);
            s.lastRun = Math.max(s.lastRun, trace.run());
        }
        if (!flusher.coalescing()) {
            flush(trace.scriptName(), s);
        }
    }

    /** A new number of runs to keep: applies at once in memory, on disk at the next write. */
    void keep(int runs) {
        keep = runs;
        for (ScriptTraces s : scripts.values()) {
            synchronized (s) {
                s.trim(runs);
            }
        }
    }

    @Override
    public List<RunTrace> runs(String scriptName) {
        if (!ScriptNames.isValid(scriptName)) {
            return List.of(); // never a path from outside: "../x" names no folder
        }
        ScriptTraces s = traces(scriptName);
        synchronized (s) {
            return List.copyOf(s.kept.descendingMap().values());
        }
    }

    @Override
    public Optional<RunTrace> run(String scriptName, String id) {
        if (id == null) {
            return Optional.empty();
        }
        for (RunTrace t : runs(scriptName)) {
            if (id.equals(t.executionId()) || id.equals(Long.toString(t.run()))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Writes every script's unwritten runs; the background thread calls it each period. */
    void flush() {
        for (Map.Entry<String, ScriptTraces> e : scripts.entrySet()) {
            flush(e.getKey(), e.getValue());
        }
    }


    /** Stops the background writer and writes what is left. */
    void close() {
        flusher.close();
    }

    /** Files written so far (tests). */
    long writes() {
        return writes.get();
    }

    private ScriptTraces traces(String name) {
        return scripts.computeIfAbsent(name, this::load);
    }

    private Path dir(String name) {
        return folder.resolve(name);
    }

    /** The script's files, newest {@code keep} of them; a damaged file is skipped with one line, its number still counts. */
    private ScriptTraces load(String name) {
        ScriptTraces s = new ScriptTraces();
        Path dir = dir(name);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return s;
        }
        TreeMap<Long, Path> files = list(dir);
        if (!files.isEmpty()) {
            s.lastRun = files.lastKey();
        }
        // a write a crash (kill -9) interrupted leaves RUN.trace.tmp; run numbers are never given again, so nothing would
        // ever replace it: removed here, the first time the script's traces are read after a start
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.trace.tmp")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.debug("traces in {}: leftovers not removed: {}", dir, e.toString());
        }
        int n = keep;
        for (Map.Entry<Long, Path> f : files.descendingMap().entrySet()) {
            if (s.kept.size() >= n) {
                break;
            }
            try {
                RunTrace t = TraceCodec.parse(Files.readString(f.getValue(), StandardCharsets.UTF_8));
                if (t.run() == f.getKey() && name.equals(t.scriptName())) {
                    s.kept.put(t.run(), t);
                    continue;
                }
                LOG.warn("trace file {} of script '{}' belongs to another run; skipped", f.getValue().getFileName(), name);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("trace file {} of script '{}' could not be read ({}); that run's trace is skipped",
                        f.getValue().getFileName(), name, e instanceof IOException ? "read error" : e.getMessage());
            }
        }
        return s;
    }

    private static TreeMap<Long, Path> list(Path dir) {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                try {
                    files.put(Long.parseLong(f.substring(0, f.length() - SUFFIX.length())), p);
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            LOG.warn("traces in {} could not be listed", dir);
        }
        return files;
    }

    // synchronized: the writer thread and close() may flush the same script
    private synchronized void flush(String name, ScriptTraces s) {
        List<RunTrace> todo;
        long oldestKept;
        synchronized (s) {
            if (s.unwritten.isEmpty()) {
                return;
            }
            todo = new ArrayList<>(s.unwritten.values());
            s.unwritten.clear();
            oldestKept = s.kept.isEmpty() ? s.lastRun + 1 : s.kept.firstKey();
        }
        Path dir = dir(name);
        try {
            Files.createDirectories(dir);
            for (RunTrace t : todo) {
                write(dir, t);
            }
            for (Map.Entry<Long, Path> f : list(dir).headMap(oldestKept).entrySet()) {
                Files.deleteIfExists(f.getValue());
            }
            if (failing != null) {
                LOG.info("traces are saved to {} again", folder);
                failing = null;
            }
        } catch (IOException e) {
            synchronized (s) {
                // kept for the next try unless they dropped out of the last N meanwhile: nothing kept is lost
                for (RunTrace t : todo) {
                    if (s.kept.get(t.run()) == t) {
                        s.unwritten.putIfAbsent(t.run(), t);
                    }
                }
            }
            String reason = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? fse.getReason().toLowerCase(java.util.Locale.ROOT) : "the file could not be written";
            if (!reason.equals(failing)) {
                LOG.warn("traces could not be saved to {}: {}; they are kept in memory and saved when writing works again",
                        folder, reason);
                failing = reason;
            }
        }
    }

    private void write(Path dir, RunTrace t) throws IOException {
        Path file = dir.resolve(t.run() + SUFFIX);
        Path tmp = dir.resolve(t.run() + ".trace.tmp");
        try {
            Files.writeString(tmp, TraceCodec.format(t), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            writes.incrementAndGet();
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
