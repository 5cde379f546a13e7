package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptFolder;

/**
 * Writes a script's files into the watched deploy folder (for script:rollback), so the folder stays the
 * source of truth. Each file goes through a hidden temporary file and an atomic rename, so the watcher
 * never sees half of one; the {@code .toml} is written before the {@code .lua}. Only published when the
 * container names a deploy folder ({@code scriptbox.deploy}).
 */
@Component(service = ScriptFolder.class, configurationPolicy = ConfigurationPolicy.IGNORE)
public class DeployFolderWriter implements ScriptFolder {
    /** The manager's rule for script names: a plain file name, never a path. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Path folder;

    @Activate
    public DeployFolderWriter(BundleContext context) {
        String property = context.getProperty("scriptbox.deploy");
        if (property == null) {
            throw new IllegalStateException("no deploy folder: scriptbox.deploy is not set");
        }
        this.folder = Paths.get(property);
    }

    DeployFolderWriter(Path folder) {
        this.folder = folder;
    }

    @Override
    public String write(String name, String luaSource, String metadataToml) {
        if (name == null || !NAME.matcher(name).matches() || name.toLowerCase().endsWith(".stats")) {
            throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "\"" + name + "\" is not a script name"));
        }
        Path lua = folder.resolve(name + ScriptFiles.LUA);
        writeAtomically(folder.resolve(name + ScriptFiles.TOML), metadataToml);
        writeAtomically(lua, luaSource);
        return lua.toString();
    }

    private void writeAtomically(Path file, String text) {
        // hidden, so the watcher ignores it (ScriptFiles.isScriptFile)
        Path tmp = folder.resolve("." + file.getFileName() + ".rollback-tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the hidden leftover is ignored by the watcher
            }
            String reason = e instanceof AccessDeniedException ? "permission denied"
                    : String.valueOf(e.getMessage()).contains("No space left") ? "no space left on the device" : "input/output error";
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot write " + file + ": " + reason));
        }
    }
}
