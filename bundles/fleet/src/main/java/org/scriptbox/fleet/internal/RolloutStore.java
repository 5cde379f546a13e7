package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The controller's rollouts, one JSON file each in its data area, each save an atomic replace. */
final class RolloutStore {
    private final Path dir;

    RolloutStore(Path dir) {
        this.dir = dir;
    }

    void save(Rollout r) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(r.id() + ".json");
            Path tmp = dir.resolve(r.id() + ".json.tmp");
            Files.write(tmp, r.toJson().toString().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save rollout " + r.id() + " in " + dir, e);
        }
    }

    /** Every saved rollout, oldest first. */
    List<Rollout> load() throws IOException {
        List<Rollout> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                out.add(Rollout.fromJson(PackageCodec.JSON.readTree(Files.readAllBytes(f))));
            }
        }
        out.sort(Comparator.comparing(Rollout::startedAt));
        return out;
    }
}
