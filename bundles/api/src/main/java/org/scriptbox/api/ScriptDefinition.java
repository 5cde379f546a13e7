package org.scriptbox.api;

import java.util.Objects;

/**
 * A script as handed to the manager: its metadata, its Lua source, and where it came from.
 *
 * @param metadata the parsed metadata
 * @param source   the Lua source text
 * @param origin   where it came from (a file path, a bundle location, "shell"), used in messages
 */
public record ScriptDefinition(ScriptMetadata metadata, String source, String origin) {
    public ScriptDefinition {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(source, "source");
        origin = origin == null ? metadata.name() : origin;
    }

    public String name() {
        return metadata.name();
    }
}
