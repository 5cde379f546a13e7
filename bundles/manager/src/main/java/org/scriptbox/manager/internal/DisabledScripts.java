package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which scripts the operator disabled, as one empty marker file per script in the manager's data area
 * ({@code disabled/NAME}), so the choice survives restarts. Creating or deleting a file is atomic.
 */
final class DisabledScripts {
    private final Path folder;

    DisabledScripts(Path folder) {
        this.folder = folder;
    }

    boolean isDisabled(String name) {
        return Files.exists(folder.resolve(name));
    }

    /** @throws org.scriptbox.api.ScriptException IO with the reason; the setting is unchanged then */
    void set(String name, boolean disabled) {
        try {
            if (disabled) {
                Files.createDirectories(folder);
                if (!Files.exists(folder.resolve(name))) {
                    Files.createFile(folder.resolve(name));
                }
            } else {
                Files.deleteIfExists(folder.resolve(name));
            }
        } catch (IOException e) {
            throw DataFiles.failure("cannot save that script '" + name + "' is " + (disabled ? "disabled" : "enabled"), e);
        }
    }
}
