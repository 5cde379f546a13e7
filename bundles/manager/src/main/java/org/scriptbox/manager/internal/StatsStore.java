package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statistics on disk, one {@code name.stats.toml} per script in the manager bundle's data area, so
 * they survive a restart of the bundle or the container. Each save replaces the file atomically: a
 * crash leaves the previous complete file, never half of one. Kept when a script is undeployed, so a
 * script that comes back (redeploy, restart) carries on counting.
 */
final class StatsStore {
    private static final Logger LOG = LoggerFactory.getLogger(StatsStore.class);
    private final Path folder;

    StatsStore(Path folder) {
        this.folder = folder;
    }

    ExecutionStats load(String name) {
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

    void save(String name, ExecutionStats stats) {
        Path file = file(name);
        try {
            Files.createDirectories(folder);
            Path tmp = folder.resolve(name + ".stats.tmp-" + Thread.currentThread().getId());
            Files.writeString(tmp, StatsCodec.format(stats), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("statistics of script '{}' could not be saved to {}: {}", name, file, e.toString());
        }
    }

    private Path file(String name) {
        return folder.resolve(name + ".stats.toml");
    }
}
