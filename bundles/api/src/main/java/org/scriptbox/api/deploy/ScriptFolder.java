package org.scriptbox.api.deploy;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptInfo;

/**
 * The watched deploy folder, provided by the deployer. Everything that puts a script into the container
 * from a file goes through it, with the folder's rules: at most 4 MB read, UTF-8, names checked, a
 * {@code name} in the metadata that differs from the file name is an error. A version written through it is
 * in the folder and live together, or neither, also across a crash of the container.
 */
@ProviderType
public interface ScriptFolder {
    /** The folder watched for scripts. */
    Path path();

    /**
     * Copies {@code x.lua} (and {@code x.toml} beside it, if any) into the deploy folder and deploys it at
     * once, so it is live now and again after a restart. If the manager refuses it (compile error, lower
     * version without {@code force}), the folder is left as it was and the live version stays.
     * Statistics files are not imported.
     *
     * @throws org.scriptbox.api.ScriptException IO (file missing, unreadable, too large, not UTF-8),
     *         METADATA (bad TOML, name mismatch, reserved name) or the manager's deploy errors
     */
    ScriptInfo importScript(Path luaFile, boolean force);

    /**
     * Writes a definition into the deploy folder as {@code x.lua} + {@code x.toml} and deploys it at once,
     * with the same all-or-nothing rule as {@link #importScript} (e.g. a rollback to an earlier version).
     */
    ScriptInfo install(ScriptDefinition definition, boolean force);

    /**
     * Removes a folder script: its {@code x.lua} and {@code x.toml} leave the deploy folder and the script is
     * undeployed, so it stays gone after a restart and comes back when its files do (since 1.1).
     *
     * @return whether there was anything to remove
     * @throws org.scriptbox.api.ScriptException REFUSED for a script that another source (a script bundle) deployed,
     *         IO when the folder cannot be changed
     */
    default boolean remove(String name) {
        // default: implementations from before 1.1 (test doubles) keep compiling; the deployer implements it
        throw new org.scriptbox.api.ScriptException(org.scriptbox.api.ScriptError.of(org.scriptbox.api.ErrorKind.REFUSED,
                "this deploy folder removes nothing"));
    }

    /**
     * Writes the live version's {@code x.lua} and {@code x.toml} (and {@code x.stats.toml} if asked) into a folder.
     *
     * @return the written {@code .lua} file
     * @throws org.scriptbox.api.ScriptException NOT_FOUND, IO
     */
    Path exportScript(String name, Path targetFolder, boolean withStats);

    /**
     * Reads a file of the deploy folder that is not deployed itself (a script's tests, {@code x_test.lua}) under the
     * folder's rules: a regular file (a link only to a file inside the folder; a pipe is never opened), at most
     * 4 MB, UTF-8.
     *
     * @param fileName a plain file name in the folder (no path)
     * @throws org.scriptbox.api.ScriptException NOT_FOUND if nothing is there, IO with the reason if it cannot be read
     * @since 1.1
     */
    default String readText(String fileName) {
        throw new org.scriptbox.api.ScriptException(org.scriptbox.api.ScriptError.of(org.scriptbox.api.ErrorKind.REFUSED,
                "this deploy folder does not read other files"));
    }
}
