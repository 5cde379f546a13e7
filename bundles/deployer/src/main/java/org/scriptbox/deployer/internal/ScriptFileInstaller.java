package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.deploy.ScriptFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot deploy from the watched folder ({@code scriptbox.deploy}). A {@link FolderWatcher} names the files
 * that may have changed; a {@link QuietPeriodGate} keyed by script name holds each {@code x.lua}+{@code x.toml}
 * pair until both stood still (same size, time and text in separate scans, over the quiet period); only
 * then is exactly that observed text handed to the manager. So a file being written, truncated, rewritten
 * in chunks or renamed into place never goes live half-written, for new files and in-place rewrites
 * alike (FileInstall's own stability check does not hold for files it already knows).
 *
 * <p>It is also the {@link ScriptFolder} service: an import is written into the folder (so it survives a
 * restart) and deployed at once, or, when the manager refuses it, the folder is put back as it was.
 *
 * <p>Deleting the {@code .lua} undeploys the script; deleting only the {@code .toml} falls back to
 * default metadata. Identical content is never deployed twice. Scripts this installer deployed leave with it.
 */
@Component(service = ScriptFolder.class, immediate = true)
public class ScriptFileInstaller implements ScriptFolder {
    /** Both files of a script as one scan saw them: the unit the quiet period applies to. */
    record PairState(FileState lua, FileState toml) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ScriptFileInstaller.class);
    /** Marks a refusal in {@link #handed}, so the same refusal is not reported twice. */
    private static final String REFUSED = "refused:";

    private final ScriptManager manager;
    private final MetadataCodec codec;
    private final DeployFolder folder;
    private final QuietPeriodGate<String, PairState> gate;
    private final FolderWatcher watcher;
    /** Script name → digest of what was last handed to the manager (deployed or refused), to skip repeats. */
    private final Map<String, String> handed = new HashMap<>();
    /**
     * Script name → how many API writes (install, import, remove) changed it. A folder call observed before one of
     * them is stale when it runs: the API's version replaced what it saw, in the folder and in the manager.
     */
    private final Map<String, Long> apiWrites = new HashMap<>();
    /** Scripts whose live version came from the folder without a .toml (the default metadata). */
    private final Set<String> withoutToml = ConcurrentHashMap.newKeySet();
    /** Per script name: an API write and the folder's calls of that name never overlap (only that name waits). */
    private final Map<String, Object> nameLocks = new ConcurrentHashMap<>();
    /** Manager calls per script name, off the watcher's thread (inline when the tests drive it by hand). */
    private final DeployLanes lanes;

    @Activate
    public ScriptFileInstaller(@Reference ScriptManager manager, @Reference MetadataCodec codec, BundleContext context) {
        this(manager, codec, DeploySettings.from(context), true);
    }

    /** @param watch start the watcher thread; tests without it drive {@link #changed} and {@link #tick} */
    ScriptFileInstaller(ScriptManager manager, MetadataCodec codec, DeploySettings settings, boolean watch) {
        this.manager = manager;
        this.codec = codec;
        this.folder = settings.folder() == null ? null : new DeployFolder(settings.folder(), BoundedText.MAX_BYTES);
        this.gate = new QuietPeriodGate<>(TimeUnit.MILLISECONDS.toNanos(settings.quietPeriodMillis()));
        this.lanes = watch ? DeployLanes.threads(2) : DeployLanes.inline();
        if (folder != null) {
            PairWrite.recover(folder.path());   // a write a crash interrupted is finished or dropped before the first listing
        }
        if (watch && folder != null) {
            watcher = new FolderWatcher(folder.path(), settings.pollMillis(), settings.rescanMillis(),
                    ScriptFiles::isScriptFile, new FolderWatcher.Listener() {
                        @Override
                        public void changed(Set<String> fileNames) {
                            ScriptFileInstaller.this.changed(fileNames);
                        }

                        @Override
                        public void tick() {
                            ScriptFileInstaller.this.tick(System.nanoTime());
                        }
                    });
            watcher.start();
            LOG.info("watching {} for scripts (quiet period {} ms)", folder.path(), settings.quietPeriodMillis());
        } else {
            watcher = null;
        }
    }

    /** Scripts this installer put there leave with it: a stopped deployer leaves nothing behind. */
    @Deactivate
    void deactivate() {
        if (watcher != null) {
            watcher.close();   // outside the lock: its thread may be waiting for it
        }
        synchronized (this) {
            for (String name : List.copyOf(handed.keySet())) {
                removed(name);
            }
        }
        lanes.close(30_000);
    }

    DeployFolder folder() {
        return folder;
    }

    /** Full listings of the folder so far (tests, benchmark). */
    long listings() {
        return watcher == null ? 0 : watcher.listings();
    }

    /** These files of the folder may have changed: their scripts wait for the quiet period from now. */
    synchronized void changed(Set<String> fileNames) {
        for (String fileName : fileNames) {
            if (ScriptFiles.isScriptFile(fileName)) {
                gate.touch(ScriptFiles.baseName(fileName));
            }
        }
    }

    /** Looks at every waiting script once and deploys those that stood still long enough. */
    synchronized void tick(long nowNanos) {
        for (QuietPeriodGate.Released<String, PairState> r : gate.scan(nowNanos, this::observe)) {
            try {
                apply(r.key(), r.observation());
            } catch (RuntimeException e) {
                LOG.error("deploying {} failed: {}", org.scriptbox.api.text.SafeText.line(r.key()),
                        org.scriptbox.api.text.SafeText.line(e.toString()), e);
            }
        }
    }

    synchronized boolean isPending(String name) {
        return gate.isPending(name);
    }

    private PairState observe(String name) {
        return new PairState(folder.observe(name + ScriptFiles.LUA), folder.observe(name + ScriptFiles.TOML));
    }

    private void apply(String name, PairState state) {
        String luaName = name + ScriptFiles.LUA;
        String origin = folder.resolve(luaName).toString();
        FileState lua = state.lua();
        if (lua.isMissing()) {
            removed(name);
            return;
        }
        if (lua.kind() == FileState.Kind.REFUSED) {
            refuse(name, origin, luaName + " " + lua.problem());
            return;
        }
        FileState toml = state.toml();
        if (toml.kind() == FileState.Kind.REFUSED) {
            refuse(name, origin, name + ScriptFiles.TOML + " " + toml.problem());
            return;
        }
        String tomlText = toml.isText() ? toml.text() : null;
        String content = Digests.sha256(lua.text() + '\u0000' + (tomlText == null ? "\u0000none" : tomlText));
        if (content.equals(handed.get(name))) {
            return;
        }
        handed.put(name, content);
        String text = lua.text();
        // compiling may take long: on the script's own lane, so the watcher and the other scripts go on
        submit(name, (long) text.length() + (tomlText == null ? 0 : tomlText.length()), () -> {
            // the default metadata (no .toml) is no version the operator wrote: it neither refuses nor is refused as
            // a downgrade (FINDINGS L8: a late .toml with 0.3.0, or a removed .toml of a 2.0.0 script, were refused
            // and the live version then differed from what a restart deploys)
            // (only over this file's own versions: a lower version from another source, a bundle, is still refused)
            boolean ours = manager.get(name).map(i -> i.origin() == null || i.origin().equals(origin)).orElse(true);
            boolean force = ours && (tomlText == null || withoutToml.contains(name));
            if (ScriptLoader.load(manager, codec, name, text, tomlText, name + ScriptFiles.TOML, origin, force)) {
                if (tomlText == null) {
                    withoutToml.add(name);
                } else {
                    withoutToml.remove(name);
                }
            }
        });
    }

    /**
     * A folder call for {@code name}, run on its lane unless an API write of that name came in between (FINDINGS L3/L4:
     * the API write holds only its own name, so a call observed before it may wait for it and must then not undo it).
     */
    private void submit(String name, long cost, Runnable call) {
        long seen = apiWrites.getOrDefault(name, 0L);
        lanes.submit(name, cost, () -> {
            synchronized (nameLock(name)) {
                if (seen == apiWrites(name)) {
                    call.run();
                }
            }
        });
    }

    private synchronized long apiWrites(String name) {
        return apiWrites.getOrDefault(name, 0L);
    }

    private Object nameLock(String name) {
        return nameLocks.computeIfAbsent(name, n -> new Object());
    }

    private void refuse(String name, String origin, String message) {
        String mark = REFUSED + message;
        if (mark.equals(handed.put(name, mark))) {
            return;
        }
        submit(name, 0, () -> manager.reportError(name, origin, ScriptError.of(ErrorKind.IO, message)));
    }

    /** The .lua is gone (or is not a file): undeploy what came from it, and only that. */
    private void removed(String name) {
        if (handed.remove(name) == null) {
            return;
        }
        String origin = folder.resolve(name + ScriptFiles.LUA).toString();
        submit(name, 0, () -> {
            Optional<ScriptInfo> info = manager.get(name);
            // a bundle may have deployed one of the same name since; an entry with only an error has no origin
            if (info.isPresent() && (info.get().origin() == null || info.get().origin().equals(origin))) {
                manager.undeploy(name);
            }
        });
    }

    // ---- ScriptFolder: import and export ----

    @Override
    public Path path() {
        return requireFolder().path();
    }

    @Override
    public ScriptInfo importScript(Path luaFile, boolean force) {
        Path file = luaFile.toAbsolutePath().normalize();
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!ScriptFiles.isLua(fileName) || !ScriptFiles.isScriptFile(fileName) || file.getParent() == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "not a script file (name.lua): " + file));
        }
        String name = ScriptFiles.baseName(fileName);
        String tomlName = name + ScriptFiles.TOML;
        DeployFolder from = new DeployFolder(file.getParent(), BoundedText.MAX_BYTES);
        FileState lua = from.observe(fileName);
        if (lua.isMissing()) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "no such file: " + file));
        }
        if (lua.kind() == FileState.Kind.REFUSED) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, fileName + " " + lua.problem()));
        }
        FileState toml = from.observe(tomlName);
        if (toml.kind() == FileState.Kind.REFUSED) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, tomlName + " " + toml.problem()));
        }
        String tomlText = toml.isText() ? toml.text() : null;
        ScriptMetadata metadata = ScriptLoader.metadata(codec, name, tomlText, file.resolveSibling(tomlName).toString());
        return put(metadata, lua.text(), tomlText, force);
    }

    @Override
    public ScriptInfo install(ScriptDefinition definition, boolean force) {
        ScriptLoader.metadata(codec, definition.name(), null, definition.name() + ScriptFiles.TOML);   // the name rules
        String tests = ScriptFiles.testsNameProblem(definition.name());
        if (tests != null) {   // what the folder would never load again is not written into it
            throw new ScriptException(ScriptError.of(ErrorKind.METADATA, definition.name() + ScriptFiles.LUA + ": " + tests));
        }
        return put(definition.metadata(), definition.source(), codec.format(definition.metadata()), force);
    }

    /**
     * Into the folder and live together, or neither, also across a crash: the folder stays the source of truth
     * (PairWrite). Holds only this name: the watcher and other scripts' deploys go on while the manager compiles.
     */
    private ScriptInfo put(ScriptMetadata metadata, String source, String tomlText, boolean force) {
        String name = metadata.name();
        DeployFolder dir = requireFolder();
        checkWritable(name + ScriptFiles.LUA, source);
        if (tomlText != null) {
            checkWritable(name + ScriptFiles.TOML, tomlText);
        }
        Path lua = dir.resolve(name + ScriptFiles.LUA);
        synchronized (nameLock(name)) {
            PairWrite write;
            try {
                write = PairWrite.prepare(dir.path(), name, source, tomlText);
            } catch (IOException e) {
                throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot write " + name + " into the deploy folder "
                        + dir.path() + why(e) + "; nothing changed"));
            }
            ScriptInfo info;
            try {
                info = manager.deploy(new ScriptDefinition(metadata, source, lua.toString()), force);
            } catch (RuntimeException e) {   // a ScriptException (refused) or anything else: the folder never changed
                write.abandon();
                throw e;
            }
            // under the installer's monitor: no scan sees the folder between the two renames
            withoutToml.remove(name);   // an API version always has its .toml
            synchronized (this) {
                apiWrites.merge(name, 1L, Long::sum);
                handed.put(name, Digests.sha256(source + '\u0000' + (tomlText == null ? "\u0000none" : tomlText)));
                try {
                    write.commit();
                } catch (IOException e) {
                    // only a file system that changed under us gets here (replaceability was checked before)
                    handed.remove(name);
                    gate.touch(name);   // the folder's own content is looked at again
                    LOG.error("script '{}' is live in version {} but could not be written into the deploy folder{}",
                            name, metadata.version(), why(e));
                    throw new ScriptException(ScriptError.of(ErrorKind.IO, "version " + metadata.version() + " of " + name
                            + " went live but could not be written into the deploy folder " + dir.path() + why(e)));
                }
            }
            return info;
        }
    }

    /** What the folder would refuse to read back is not written into it: the live version must survive a restart. */
    private static void checkWritable(String fileName, String text) {
        // the file's own kind, as when the folder refuses it: the caller (REST) answers 422 at the position
        ErrorKind kind = ScriptFiles.isLua(fileName) ? ErrorKind.COMPILATION : ErrorKind.METADATA;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1)))) {
                throw new ScriptException(ScriptError.at(kind, "holds a lone UTF-16 surrogate (\\u"
                        + String.format("%04x", (int) c) + "), which UTF-8 cannot carry; nothing changed", fileName,
                        lineAt(text, i), columnAt(text, i)));
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        long bytes = utf8Length(text);
        if (bytes > BoundedText.MAX_BYTES) {
            throw new ScriptException(ScriptError.of(kind, fileName + " would be " + bytes + " bytes; files over "
                    + BoundedText.MAX_BYTES + " bytes are not loaded from the deploy folder; nothing changed"));
        }
    }

    private static long utf8Length(String text) {
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) ? 2 : Character.isLowSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    private static int lineAt(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static int columnAt(String text, int index) {
        return index - text.lastIndexOf('\n', index - 1);
    }

    @Override
    public boolean remove(String name) {
        DeployFolder dir = requireFolder();
        ScriptLoader.metadata(codec, name, null, name + ScriptFiles.TOML);   // the name rules: no path ever built from a bad one
        String origin = dir.resolve(name + ScriptFiles.LUA).toString();
        synchronized (nameLock(name)) {
            Optional<ScriptInfo> info = manager.get(name);
            if (info.isPresent() && info.get().origin() != null && !info.get().origin().equals(origin)) {
                throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "script '" + name + "' comes from "
                        + info.get().origin() + ", not from the deploy folder; remove it there (a bundle: stop or uninstall it)"));
            }
            boolean had;
            synchronized (this) {
                apiWrites.merge(name, 1L, Long::sum);
                handed.remove(name);
                try {
                    // the .lua first: without it the pair is gone; a .toml alone deploys nothing
                    had = Files.deleteIfExists(dir.resolve(name + ScriptFiles.LUA));
                    had |= Files.deleteIfExists(dir.resolve(name + ScriptFiles.TOML));
                } catch (IOException e) {
                    gate.touch(name);
                    throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot remove " + name + " from the deploy folder "
                            + dir.path() + why(e)));
                }
            }
            withoutToml.remove(name);
            return manager.undeploy(name) | had;
        }
    }

    @Override
    public Path exportScript(String name, Path targetFolder, boolean withStats) {
        ScriptDefinition def = manager.definition(name).orElseThrow(() ->
                new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, "no deployed script named '" + name + "'")));
        Path target = targetFolder.toAbsolutePath().normalize();
        try {
            Files.createDirectories(target);
            Path lua = target.resolve(name + ScriptFiles.LUA);
            FolderWrites.replace(target.resolve(name + ScriptFiles.TOML), codec.format(def.metadata()).getBytes(StandardCharsets.UTF_8));
            FolderWrites.replace(lua, def.source().getBytes(StandardCharsets.UTF_8));
            if (withStats) {
                ExecutionStats stats = manager.get(name).map(ScriptInfo::stats).orElse(ExecutionStats.EMPTY);
                FolderWrites.replace(target.resolve(name + ScriptFiles.STATS), codec.formatStats(stats).getBytes(StandardCharsets.UTF_8));
            }
            return lua;
        } catch (IOException e) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "cannot export '" + name + "' to " + target + why(e)));
        }
    }

    private static String why(IOException e) {
        String why = DeployFolder.why(e);
        return why.isEmpty() ? "" : ": " + why;
    }

    @Override
    public String readText(String fileName) {
        DeployFolder f = requireFolder();
        if (fileName == null || fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\")
                || fileName.equals(".") || fileName.equals("..") || fileName.indexOf('\0') >= 0) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "'" + fileName + "' is not a file name of the deploy folder"));
        }
        FileState state = f.observe(fileName);
        switch (state.kind()) {
            case TEXT:
                return state.text();
            case ABSENT:
                throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, fileName + " is not in the deploy folder"));
            case NOT_A_FILE:
                throw new ScriptException(ScriptError.of(ErrorKind.IO, fileName + " in the deploy folder is not a regular file"));
            default:
                throw new ScriptException(ScriptError.of(ErrorKind.IO, fileName + " " + state.problem()));
        }
    }

    private DeployFolder requireFolder() {
        if (folder == null) {
            throw new ScriptException(ScriptError.of(ErrorKind.IO, "no deploy folder is configured (scriptbox.deploy)"));
        }
        return folder;
    }
}
