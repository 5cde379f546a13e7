package org.scriptbox.deployer.internal;

import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code .lua} text and its optional {@code .toml} text into a deployed script, for both the
 * folder installer and the bundle extender. Problems never escape: the manager keeps and logs them
 * (one line, {@code file:line:column: message}) and the live version, if any, stays.
 */
final class ScriptLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptLoader.class);
    /** The manager's rule for script names (they become file names). */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private ScriptLoader() {
    }

    /**
     * @param name     the script name (the files' base name)
     * @param source   the Lua text
     * @param toml     the metadata text, or {@code null} for the default metadata
     * @param tomlName the metadata file's name for error positions
     * @param origin   where it came from, shown by {@code script:info}
     * @return true if the script is deployed (live) after this
     */
    static boolean load(ScriptManager manager, MetadataCodec codec, String name, String source, String toml,
                        String tomlName, String origin) {
        return load(manager, codec, name, source, toml, tomlName, origin, false);
    }

    /** @param force deploy even if its version is lower than the live one */
    static boolean load(ScriptManager manager, MetadataCodec codec, String name, String source, String toml,
                        String tomlName, String origin, boolean force) {
        ScriptMetadata metadata;
        try {
            metadata = metadata(codec, name, toml, tomlName);
        } catch (ScriptException e) {
            manager.reportError(name, origin, e.error());
            return false;
        }
        try {
            manager.deploy(new ScriptDefinition(metadata, source, origin), force);
            return true;
        } catch (ScriptException e) {
            return false;   // already kept and logged by the manager
        }
    }

    /**
     * The metadata of script {@code name} from its {@code .toml} text (null: the defaults). The file name is
     * the script's name: a reserved name, or a {@code name} in the metadata that differs, is an error.
     *
     * @throws ScriptException METADATA with position
     */
    static ScriptMetadata metadata(MetadataCodec codec, String name, String toml, String tomlName) {
        if (name == null || !NAME.matcher(name).matches()) {
            // before any path is built from it: install/remove are API calls any bundle may make ("../x" would leave the folder)
            throw new ScriptException(ScriptError.of(ErrorKind.METADATA, "'" + org.scriptbox.api.text.SafeText.line(String.valueOf(name))
                    + "' is not a script name (letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64)"));
        }
        String reserved = ScriptFiles.reservedNameProblem(name);
        if (reserved != null) {
            throw new ScriptException(ScriptError.of(ErrorKind.METADATA, name + ScriptFiles.LUA + ": " + reserved));
        }
        if (toml == null) {
            // without the defaults' "now" as created/modified: the same file must be the same version at every load,
            // or each restart (and script:reload) kept a new history version that pushed the real ones out (FINDINGS L13)
            ScriptMetadata d = ScriptMetadata.defaults(name);
            return new ScriptMetadata(d.name(), d.version(), d.author(), d.description(), null, null, d.tags(),
                    d.permissions(), d.dependencies(), d.minEngineVersion(), d.limits(), d.schedule(), d.devices());
        }
        List<String> warnings = new ArrayList<>();
        try {
            ScriptMetadata metadata = codec.parse(toml, tomlName, name, warnings);
            if (!metadata.name().equals(name)) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "name \"" + metadata.name()
                        + "\" differs from the file name \"" + name + "\"; rename one of them", tomlName, lineOf(toml, "name"), 1));
            }
            return metadata;
        } finally {
            warnings.forEach(w -> LOG.warn("{}", org.scriptbox.api.text.SafeText.line(w)));
        }
    }

    /** 1-based line of the first {@code key = } in a TOML text, or 0. */
    static int lineOf(String toml, String key) {
        String[] lines = toml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches("\\s*" + key + "\\s*=.*")) {
                return i + 1;
            }
        }
        return 0;
    }
}
