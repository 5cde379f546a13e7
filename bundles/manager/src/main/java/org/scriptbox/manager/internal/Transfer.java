package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Import and export: a script is {@code name.lua}, {@code name.toml} beside it and, optionally,
 * {@code name.stats.toml}. Export writes exactly what import reads, so a round trip loses nothing.
 */
final class Transfer {
    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);

    record Imported(ScriptDefinition definition, ExecutionStats stats) {
    }

    private Transfer() {
    }

    static Path export(MetadataCodec codec, ScriptDefinition def, ExecutionStats stats, Path folder) {
        try {
            Files.createDirectories(folder);
            Path lua = folder.resolve(def.name() + ".lua");
            Files.writeString(lua, def.source(), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve(def.name() + ".toml"), codec.format(def.metadata()), StandardCharsets.UTF_8);
            if (stats != null) {
                Files.writeString(folder.resolve(def.name() + ".stats.toml"), StatsCodec.format(stats), StandardCharsets.UTF_8);
            }
            return lua;
        } catch (IOException e) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot export '" + def.name() + "' to " + folder + ": " + e));
        }
    }

    /** Reads {@code x.lua}, discovering {@code x.toml} (else default metadata) and {@code x.stats.toml} beside it. */
    static Imported read(MetadataCodec codec, Path luaFile) {
        String fileName = luaFile.getFileName() == null ? "" : luaFile.getFileName().toString();
        if (!fileName.endsWith(".lua")) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "not a .lua file: " + luaFile));
        }
        String base = fileName.substring(0, fileName.length() - 4);
        try {
            if (!Files.isRegularFile(luaFile)) {
                throw new ScriptException(ScriptError.of(ErrorKind.IO, "no such file: " + luaFile));
            }
            String source = Files.readString(luaFile, StandardCharsets.UTF_8);
            Path toml = luaFile.resolveSibling(base + ".toml");
            ScriptMetadata metadata;
            if (Files.isRegularFile(toml)) {
                List<String> warnings = new ArrayList<>();
                metadata = codec.parse(Files.readString(toml, StandardCharsets.UTF_8), toml.toString(), base, warnings);
                warnings.forEach(w -> LOG.warn("{}", org.scriptbox.api.text.SafeText.line(w)));
            } else {
                metadata = ScriptMetadata.defaults(base);
            }
            Path statsFile = luaFile.resolveSibling(base + ".stats.toml");
            ExecutionStats stats = Files.isRegularFile(statsFile)
                    ? StatsCodec.parse(Files.readString(statsFile, StandardCharsets.UTF_8), statsFile.toString()) : null;
            return new Imported(new ScriptDefinition(metadata, source, luaFile.toString()), stats);
        } catch (IOException e) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot read " + luaFile + ": " + e));
        }
    }
}
