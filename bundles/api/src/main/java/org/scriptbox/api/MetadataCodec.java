package org.scriptbox.api;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads and writes the {@code name.toml} metadata format, so the deployer, the importer and the
 * exporter share one definition of it.
 */
@ProviderType
public interface MetadataCodec {
    /**
     * Parses and validates metadata.
     *
     * @param fileName    the file, used in error positions
     * @param defaultName the name to use when the file has none (the file's base name)
     * @param warnings    receives one line per unknown key or other harmless oddity ({@code file:line:col: ...})
     * @throws ScriptException METADATA, with line and column
     */
    ScriptMetadata parse(String toml, String fileName, String defaultName, List<String> warnings);

    /** Writes metadata so that {@link #parse} gives it back unchanged. */
    String format(ScriptMetadata metadata);

    /** Writes statistics in the {@code name.stats.toml} form (the manager's data area uses the same). @since 1.5 */
    String formatStats(ExecutionStats stats);
}
