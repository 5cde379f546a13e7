package org.scriptbox.deployer.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One version's {@code x.lua} and {@code x.toml} into the deploy folder as a unit, across crashes (FINDINGS L1, L2).
 * Renaming two files is two steps, and a SIGKILL between them left one version's metadata beside another's code;
 * putting files back after a refusal left the refused version there when the kill came first. So:
 * <ol>
 * <li>{@link #prepare}: both texts go to hidden temporary files ({@code .x.lua.pending}, {@code .x.toml.pending}),
 *     synced, and a record {@code .x.prepared} lists what the version does (put the toml or delete it, put the lua).
 *     The visible files are untouched: a refusal or a crash from here on leaves the folder as it was.</li>
 * <li>{@link #commit}, once the manager accepted the version: the record is renamed to {@code .x.committed} (one
 *     atomic step: from now on the version is the folder's), then the temporary files are renamed over the real
 *     ones and the record is deleted.</li>
 * <li>{@link #recover}, when the deployer starts and before its first listing: a committed record is finished, a
 *     prepared one dropped with its temporary files. So a restart always finds one whole version.</li>
 * </ol>
 * Hidden names are never looked at by the watcher ({@link ScriptFiles#isScriptFile}).
 */
final class PairWrite {
    private static final Logger LOG = LoggerFactory.getLogger(PairWrite.class);
    private static final String PENDING = ".pending";
    private static final String PREPARED = ".prepared";
    private static final String COMMITTED = ".committed";
    private static final String DELETE_TOML = "-toml";

    private final Path folder;
    private final String name;
    private final boolean withToml;

    private PairWrite(Path folder, String name, boolean withToml) {
        this.folder = folder;
        this.name = name;
        this.withToml = withToml;
    }

    /**
     * Writes the version beside the real files; nothing visible changes.
     *
     * @param toml null: the version has no {@code x.toml} (a stale one is removed at commit)
     * @throws IOException nothing is left behind then
     */
    static PairWrite prepare(Path folder, String name, String source, String toml) throws IOException {
        PairWrite w = new PairWrite(folder, name, toml != null);
        try {
            w.replaceable(ScriptFiles.LUA);
            w.replaceable(ScriptFiles.TOML);
            w.abandon();   // an earlier attempt's leftovers: never written through (a link planted there, red-team R8)
            if (toml != null) {
                write(w.pending(ScriptFiles.TOML), toml);
            }
            write(w.pending(ScriptFiles.LUA), source);
            write(w.record(PREPARED), (toml != null ? "toml" : DELETE_TOML) + "\nlua\n");
            return w;
        } catch (IOException | RuntimeException e) {
            w.abandon();
            throw e;
        }
    }

    /** The version becomes the folder's (after the manager took it). */
    void commit() throws IOException {
        move(record(PREPARED), record(COMMITTED));
        finish();
    }

    /** The version is not wanted (refused): its temporary files go, the folder stays as it was. */
    void abandon() {
        for (Path p : List.of(record(PREPARED), pending(ScriptFiles.TOML), pending(ScriptFiles.LUA))) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("deploy folder: could not remove {}: {}", p.getFileName(), DeployFolder.why(e));
            }
        }
    }

    private void finish() throws IOException {
        if (withToml) {
            moveIfPresent(pending(ScriptFiles.TOML), real(ScriptFiles.TOML));
        } else {
            Files.deleteIfExists(real(ScriptFiles.TOML));
        }
        moveIfPresent(pending(ScriptFiles.LUA), real(ScriptFiles.LUA));
        Files.deleteIfExists(record(COMMITTED));
    }

    /**
     * Finishes what a crash interrupted: committed versions are completed, prepared ones and stray temporary
     * files removed. Runs before the folder is first listed.
     */
    static void recover(Path folder) {
        List<String> names;
        try (Stream<Path> files = Files.list(folder)) {
            names = files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(".")).toList();
        } catch (IOException e) {
            return;   // no folder (yet): nothing was interrupted in it
        }
        List<String> committed = new ArrayList<>();
        for (String f : names) {
            try {
                if (f.endsWith(COMMITTED)) {
                    String name = f.substring(1, f.length() - COMMITTED.length());
                    String plan = Files.readString(folder.resolve(f), StandardCharsets.UTF_8);
                    new PairWrite(folder, name, !plan.startsWith(DELETE_TOML)).finish();
                    committed.add(name);
                    LOG.info("deploy folder: completed the interrupted write of {} (the container stopped during it)",
                            SafeText.line(name));
                }
            } catch (IOException e) {
                LOG.error("deploy folder: could not complete the interrupted write of {}: {}", SafeText.line(f), DeployFolder.why(e));
            }
        }
        for (String f : names) {
            if (f.endsWith(PREPARED)) {
                String name = f.substring(1, f.length() - PREPARED.length());
                new PairWrite(folder, name, true).abandon();
                LOG.info("deploy folder: dropped an unfinished write of {} (the container stopped before it was deployed)",
                        SafeText.line(name));
            } else if (f.endsWith(ScriptFiles.LUA + PENDING) || f.endsWith(ScriptFiles.TOML + PENDING)) {
                try {
                    Files.deleteIfExists(folder.resolve(f));   // a write interrupted before its record existed
                } catch (IOException e) {
                    LOG.warn("deploy folder: could not remove {}: {}", SafeText.line(f), DeployFolder.why(e));
                }
            }
        }
    }

    /** A directory (or anything but a file or a link) named x.lua cannot be replaced: refused before the manager is asked. */
    private void replaceable(String suffix) throws IOException {
        Path p = real(suffix);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(p)) {
            throw new FileSystemException(p.toString(), null, "is not a file");
        }
    }

    private Path real(String suffix) {
        return folder.resolve(name + suffix);
    }

    private Path pending(String suffix) {
        return folder.resolve("." + name + suffix + PENDING);
    }

    private Path record(String state) {
        return folder.resolve("." + name + state);
    }

    /** New file (O_EXCL: never through a link someone planted), synced before anything refers to it. */
    private static void write(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    private static void moveIfPresent(Path from, Path to) throws IOException {
        if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            move(from, to);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
