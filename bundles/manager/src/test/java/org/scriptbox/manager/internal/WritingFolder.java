package org.scriptbox.manager.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.deploy.ScriptFolder;

/**
 * The deployer's folder as the manager sees it in unit tests: {@link #install} writes the two files and deploys
 * them with the .lua path as origin. Without a folder every write fails as on a read-only disk.
 */
final class WritingFolder implements ScriptFolder {
    private final Path folder;
    private final ScriptManagerImpl manager;

    WritingFolder(Path folder, ScriptManagerImpl manager) {
        this.folder = folder;
        this.manager = manager;
    }

    @Override
    public Path path() {
        return folder;
    }

    @Override
    public ScriptInfo install(ScriptDefinition definition, boolean force) {
        if (folder == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot write " + definition.name() + ".lua: permission denied"));
        }
        Path lua = folder.resolve(definition.name() + ".lua");
        try {
            Files.writeString(folder.resolve(definition.name() + ".toml"), manager.codec.format(definition.metadata()));
            Files.writeString(lua, definition.source());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return manager.deploy(new ScriptDefinition(definition.metadata(), definition.source(), lua.toString()), force);
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        throw new UnsupportedOperationException("not used by the manager");
    }

    @Override
    public Path exportScript(String name, Path targetFolder, boolean withStats) {
        throw new UnsupportedOperationException("not used by the manager");
    }
}
