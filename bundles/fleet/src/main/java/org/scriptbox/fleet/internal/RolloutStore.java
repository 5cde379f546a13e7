package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
        out.sort(Comparator.comparing(Rollout::startedAt));
        return out;
    }
}
