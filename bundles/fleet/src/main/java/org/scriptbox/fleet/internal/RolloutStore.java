package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The controller's rollouts, one JSON file each in its data area, each save an atomic replace. */
final class RolloutStore {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutStore.class);
    private final Path dir;
    private final java.util.concurrent.atomic.AtomicLong saves = new java.util.concurrent.atomic.AtomicLong();

    RolloutStore(Path dir) {
        this.dir = dir;
    }

    void save(Rollout r) {
        try {
            Files.createDirectories(dir);
            DurableFile.replace(dir.resolve(r.id() + ".json"), r.toJson().toString().getBytes(StandardCharsets.UTF_8));
            saves.incrementAndGet();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save rollout " + r.id() + " in " + dir, e);
        }
    }

    /**
     * Records an operator's halt of a RUNNING rollout apart from its file: an empty marker ({@code <id>.halt}, or
     * {@code <id>.halt-rollback}) needs no data block, so it is still written when a full disk refuses the
     * rollout's own rewrite, and a controller restarted then halts the rollout instead of resuming it (FINDINGS Q29).
     */
    void saveHalt(String id, boolean rollback) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(id + (rollback ? ".halt-rollback" : ".halt"));
        if (!Files.exists(marker)) {
            Files.createFile(marker);
        }
        syncFolder();   // the new name itself on disk
    }

    /**
     * Forgets a rollout: its file and its halt markers, then the folder synced, so that a restart does not bring
     * it back (one that does, after a crash in between, is pruned again).
     */
    void delete(String id) throws IOException {
        for (String suffix : List.of(".json", ".halt", ".halt-rollback")) {
            Files.deleteIfExists(dir.resolve(id + suffix));
        }
        syncFolder();
    }

    private void syncFolder() {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder
        }
    }

    /** The halt recorded for a rollout by {@link #saveHalt}: null for none, else whether it rolls back. */
    Boolean savedHalt(String id) {
        return Files.exists(dir.resolve(id + ".halt-rollback")) ? Boolean.TRUE
                : Files.exists(dir.resolve(id + ".halt")) ? Boolean.FALSE : null;
    }

    /** How many synced rewrites were made (tests: one per batch of answers, not per answer). */
    long saves() {
        return saves.get();
    }

    /** Every saved rollout, oldest first. */
    List<Rollout> load() throws IOException {
        List<Rollout> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                try {
                    out.add(Rollout.fromJson(PackageCodec.JSON.readTree(Files.readAllBytes(f))));
                } catch (IOException | RuntimeException e) {
                    // one damaged file (a disk fault, a hand edit) must not keep the controller, and with it the
                    // halt of every other rollout, from starting; the gateways' ledgers still hold the version rule
                    LOG.error("fleet: rollout file {} is damaged and is not resumed; move it away to silence this", f);
                }
            }
        }
        out.sort(Rollout.ORDER);
        return out;
    }
}
