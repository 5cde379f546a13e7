package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/** What else can sit in a deploy folder: directories, link loops, links out, pipes, huge streams. */
public class FolderHygieneTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path folder;
    private DeployFolder deployFolder;
    private RecordingManager manager;
    private ScriptFileInstaller installer;
    private long clock;

    @Before
    public void setUp() throws Exception {
        folder = tmp.newFolder("deploy").toPath();
        deployFolder = new DeployFolder(folder, BoundedText.MAX_BYTES);
        manager = new RecordingManager();
        installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(folder, 100, 100, 10_000), false);
    }

    private void settle(String... fileNames) {
        installer.changed(Set.of(fileNames));
        installer.tick(clock);
        clock += TimeUnit.MILLISECONDS.toNanos(200);
        installer.tick(clock);
        clock += TimeUnit.MILLISECONDS.toNanos(200);
    }

    @Test
    public void aDirectoryNamedLikeAScriptLeavesNoEntry() throws Exception {
        Files.createDirectory(folder.resolve("x.lua"));
        settle("x.lua");
        assertTrue(manager.calls.toString(), manager.calls.isEmpty());
        assertTrue(manager.get("x").isEmpty());
    }

    @Test
    public void aLoopingLinkIsReportedAndLeavesNothingOnceRemoved() throws Exception {
        Files.createSymbolicLink(folder.resolve("loop.lua"), folder.resolve("loop.lua"));
        settle("loop.lua");
        assertEquals("loop.lua is a symbolic link that loops; it cannot be read", manager.errors.get(0).message());
        Files.delete(folder.resolve("loop.lua"));
        settle("loop.lua");
        assertTrue("no ghost entry after the link is gone", manager.get("loop").isEmpty());
    }

    @Test
    public void linksOutOfTheFolderAreRefusedLinksInsideAreFollowed() throws Exception {
        Path outside = tmp.newFile("secret.lua").toPath();
        Files.writeString(outside, "return 'outside'");
        Files.createSymbolicLink(folder.resolve("out.lua"), outside);
        Files.createSymbolicLink(folder.resolve("proc.lua"), Path.of("/proc/self/status"));
        Files.createDirectory(folder.resolve("versions"));
        Files.writeString(folder.resolve("versions/in-1.lua"), "return 'inside'");
        Files.createSymbolicLink(folder.resolve("in.lua"), folder.resolve("versions/in-1.lua"));
        settle("out.lua", "proc.lua", "in.lua");
        assertEquals("return 'inside'", manager.live.get("in").source());
        assertTrue(manager.live.toString(), !manager.live.containsKey("out") && !manager.live.containsKey("proc"));
        assertTrue(manager.errors.toString(), manager.errors.stream().allMatch(e ->
                e.message().contains("outside the deploy folder; links out of the folder are refused")));
        assertEquals(2, manager.errors.size());
    }

    @Test
    public void aDanglingLinkIsReported() throws Exception {
        Files.createSymbolicLink(folder.resolve("gone.lua"), folder.resolve("nowhere.lua"));
        assertEquals("is a link to a file that does not exist", deployFolder.observe("gone.lua").problem());
    }

    /**
     * Red team, session 4 (F4): the type check and the open are two steps, so a pipe renamed over the file between
     * them is opened, and opening a pipe without a writer blocks for ever. In the container that hung the deploy
     * watcher (no later file deployed) and then {@code stop 0} (deactivate waits for the watcher's monitor).
     * A real writer process swaps a pipe and a regular file under one name as fast as it can while the folder is
     * read in a loop; every read must come back.
     */
    @Test(timeout = 60_000)
    public void aPipeSwappedInBetweenTheCheckAndTheOpenNeverBlocksTheRead() throws Exception {
        Path swap = tmp.newFile("swap.py").toPath();
        Files.writeString(swap, String.join("\n",
                "import os, sys, time",
                "d, seconds = sys.argv[1], float(sys.argv[2])",
                "tgt, f, g = d + '/race.lua', d + '/.pipe', d + '/.file'",
                "end = time.time() + seconds",
                "while time.time() < end:",
                "    os.mkfifo(f); os.rename(f, tgt)",
                "    with open(g, 'w') as h: h.write('return 1\\n')",
                "    os.rename(g, tgt)",
                ""));
        Process writer = new ProcessBuilder("python3", swap.toString(), folder.toString(), "10").redirectErrorStream(true).start();
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "red-team-reader");
            t.setDaemon(true);   // if it blocks on the pipe, it must not keep the test JVM alive
            return t;
        });
        int reads = 0;
        try {
            while (writer.isAlive()) {
                java.util.concurrent.Future<FileState> read = reader.submit(() -> deployFolder.observe("race.lua"));
                try {
                    read.get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("reading race.lua blocked (a pipe was opened) after " + reads + " reads");
                }
                reads++;
            }
            assertEquals(0, writer.waitFor());
        } finally {
            writer.destroyForcibly();
            reader.shutdownNow();
        }
        assertTrue(reads + " reads", reads > 100);
    }

    @Test
    public void aPipeIsNeverOpened() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", folder.resolve("pipe.lua").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        // opening a pipe with no writer would block the watcher for ever
        assertEquals(FileState.Kind.NOT_A_FILE, deployFolder.observe("pipe.lua").kind());
    }

    @Test
    public void theCapCountsBytesReadNotTheSizeReported() throws Exception {
        // a stream that reports nothing up front, like /proc files (size 0) or a zip entry's header
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return 'x';
            }
        };
        try {
            BoundedText.read(endless, 1000);
            throw new AssertionError("an endless stream was accepted");
        } catch (BoundedText.Refused e) {
            assertEquals("is larger than 1000 bytes; files over 1000 bytes are not loaded", e.getMessage());
        }
        assertEquals("x".repeat(1000), BoundedText.read(new ByteArrayInputStream("x".repeat(1000).getBytes()), 1000));
    }

    @Test
    public void reasonsAreTheOperatingSystemsWordsNotJavaTypes() {
        assertEquals("cannot be read: permission denied", DeployFolder.reason(new AccessDeniedException("/d/x.lua")));
        assertEquals("cannot be read: input/output error",
                DeployFolder.reason(new FileSystemException("/d/x.lua", null, "Input/output error")));
        assertEquals("cannot be read", DeployFolder.reason(new java.io.IOException("java.lang.Whatever")));
    }

    @Test
    public void anUnreadableFileIsReportedWithTheReason() throws Exception {
        Path lua = folder.resolve("locked.lua");
        Files.writeString(lua, "return 1");
        lua.toFile().setReadable(false, false);
        org.junit.Assume.assumeFalse("root reads every file", Files.isReadable(lua));
        settle("locked.lua");
        assertEquals("locked.lua cannot be read: permission denied", manager.errors.get(0).message());
    }
}
