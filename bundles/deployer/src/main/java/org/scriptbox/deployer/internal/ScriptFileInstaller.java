package org.scriptbox.deployer.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot deploy from the watched folder. FileInstall hands over {@code .lua} and {@code .toml} files once
 * their checksum stopped changing between two polls, so half-written files never reach us; we pair
 * {@code x.lua} with {@code x.toml} and (re)deploy the pair whenever either changes. Deleting the
 * {@code .lua} undeploys the script; deleting only the {@code .toml} falls back to default metadata.
 *
 * <p>FileInstall does not hand existing files to an installer that (re)appears later, e.g. after the
 * script manager restarted; so activation scans the deploy folder ({@code scriptbox.deploy}) itself.
 * Identical content is never deployed twice.
 */
@Component(service = ArtifactInstaller.class, immediate = true)
public class ScriptFileInstaller implements ArtifactInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptFileInstaller.class);
    /** Far above any real script or metadata (the engine compiles at most 1 MB by default); bounds what a stray file costs. */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final ScriptManager manager;
    private final MetadataCodec codec;
    /** Script name → digest of the .lua+.toml content last handed to the manager, to skip repeats. */
    private final Map<String, String> deployed = new HashMap<>();

    @Activate
    public ScriptFileInstaller(@Reference ScriptManager manager, @Reference MetadataCodec codec, BundleContext context) {
        this.manager = manager;
        this.codec = codec;
        String folder = context == null ? null : context.getProperty("scriptbox.deploy");
        if (folder != null) {
            scan(Paths.get(folder));
        }
    }

    /** Deploys every script already in the folder. */
    synchronized void scan(Path folder) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.lua")) {
            for (Path lua : files) {
                if (ScriptFiles.isScriptFile(lua.getFileName().toString())) {
                    reload(lua);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not scan the deploy folder {}: {}", folder, e.toString());
        }
    }

    /** Scripts this installer put there leave with it: a stopped deployer leaves nothing behind. */
    @Deactivate
    synchronized void deactivate() {
        for (String name : deployed.keySet()) {
            manager.undeploy(name);
        }
        deployed.clear();
    }

    @Override
    public boolean canHandle(File artifact) {
        try {
            return artifact != null && artifact.isFile() && ScriptFiles.isScriptFile(artifact.getName());
        } catch (RuntimeException e) {
            return false;   // FileInstall's contract: canHandle never throws
        }
    }

    @Override
    public void install(File artifact) {
        changed(artifact);
    }

    @Override
    public void update(File artifact) {
        changed(artifact);
    }

    @Override
    public synchronized void uninstall(File artifact) {
        try {
            Path path = artifact.toPath().toAbsolutePath();
            String name = ScriptFiles.baseName(path.getFileName().toString());
            Path lua = path.resolveSibling(name + ScriptFiles.LUA);
            if (ScriptFiles.isLua(path.getFileName().toString())) {
                deployed.remove(name);
                Optional<ScriptInfo> info = manager.get(name);
                // only a script that came from this file: a bundle may have deployed one of the same name
                if (info.isPresent() && (info.get().origin() == null || info.get().origin().equals(lua.toString()))) {
                    manager.undeploy(name);
                }
            } else if (Files.isRegularFile(lua)) {
                reload(lua);   // the metadata went away: default metadata from now on
            }
        } catch (RuntimeException e) {
            LOG.error("removing {} failed: {}", artifact, e.toString(), e);
        }
    }

    private synchronized void changed(File artifact) {
        try {
            Path path = artifact.toPath().toAbsolutePath();
            String name = ScriptFiles.baseName(path.getFileName().toString());
            Path lua = path.resolveSibling(name + ScriptFiles.LUA);
            if (!Files.isRegularFile(lua)) {
                LOG.debug("{} waits for {}", path.getFileName(), lua.getFileName());
                return;
            }
            reload(lua);
        } catch (RuntimeException e) {
            LOG.error("deploying {} failed: {}", artifact, e.toString(), e);
        }
    }

    /** Reads a script file as UTF-8; refuses files too large to be a script, before reading them. */
    private static String read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file.getFileName() + " is " + size + " bytes; files over " + MAX_FILE_BYTES
                    + " bytes are not loaded");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(file.getFileName() + " is not UTF-8 text");
        }
    }

    private void reload(Path lua) {
        String name = ScriptFiles.baseName(lua.getFileName().toString());
        Path tomlPath = lua.resolveSibling(name + ScriptFiles.TOML);
        String source;
        String toml;
        try {
            source = read(lua);
            toml = Files.isRegularFile(tomlPath) ? read(tomlPath) : null;
        } catch (NoSuchFileException e) {
            return;   // deleted meanwhile: FileInstall reports the removal next
        } catch (IOException e) {
            deployed.remove(name);
            manager.reportError(name, lua.toString(), ScriptError.of(ErrorKind.IO, e.getMessage()));
            return;
        }
        String content = Digests.sha256(source + '\u0000' + (toml == null ? "\u0000none" : toml));
        if (content.equals(deployed.get(name))) {
            return;
        }
        deployed.put(name, content);
        ScriptLoader.load(manager, codec, name, source, toml, tomlPath.getFileName().toString(), lua.toString());
    }
}
