package org.scriptbox.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The deploy folder as a place to write to, offered by the deployer. The folder is the source of truth
 * for the scripts it holds: a rollback writes the chosen version back here rather than deploying it
 * behind the folder's back (since 1.5).
 */
@ProviderType
public interface ScriptFolder {

    /**
     * Writes {@code name.lua} and {@code name.toml} into the deploy folder, each replaced atomically.
     *
     * @param metadataToml the metadata as {@link MetadataCodec#format} writes it
     * @return the origin the deployer gives deploys of that {@code .lua} (as in {@link ScriptDefinition#origin()})
     * @throws ScriptException IO with the reason (e.g. "permission denied", "no space left"); nothing is
     *                         deployed from a failed write
     */
    String write(String name, String luaSource, String metadataToml);
}
