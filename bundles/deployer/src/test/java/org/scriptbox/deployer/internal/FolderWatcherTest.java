package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The watcher thread on a real folder: events name changed files; the safety listing sees through links. */
public class FolderWatcherTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    private FolderWatcher start(Path folder, long rescanMillis) {
        return start(folder, 20, rescanMillis);
    }

    private FolderWatcher start(Path folder, long pollMillis, long rescanMillis) {
        FolderWatcher w = new FolderWatcher(folder, pollMillis, rescanMillis, ScriptFiles::isScriptFile, new FolderWatcher.Listener() {
            @Override
            public void changed(Set<String> fileNames) {
                seen.addAll(fileNames);
            }

            @Override
            public void tick() {
            }
        });
        w.start();
        return w;
    }

    private void await(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!seen.contains(name)) {
            if (System.nanoTime() > deadline) {
                fail(name + " never reported; saw " + seen);
            }
            Thread.sleep(10);   // polling a condition with a deadline
        }
    }

    /**
     * The container's stop waits for close(): it returns once the watch thread has left its loop, whose poll it cuts
     * short (here a poll of 10 minutes), and does not wait for the watch service to close (inotify teardown took 0.5 s
     * and more on a loaded machine); the thread closes it and ends by itself.
     */
    @Test
    public void closeEndsAPollAndLeavesTheWatchServiceToTheThread() throws Exception {
        Path folder = tmp.newFolder("d").toPath();
        FolderWatcher w = start(folder, TimeUnit.MINUTES.toMillis(10), 60_000);
        Files.writeString(folder.resolve("a.lua"), "return 1");
        await("a.lua");   // the thread is in its loop, polling
        w.close();
        // before: close() gave up after its 5 s bound with the thread still in its 10-minute poll
        assertTrue("the watch thread left its loop", w.leftItsLoop());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!w.ended()) {
            if (System.nanoTime() > deadline) {
                fail("the watch thread did not end");
            }
            Thread.sleep(10);   // polling a condition with a deadline
        }
    }

    @Test
    public void changesAreNamedAndLeftoversAreNot() throws Exception {
        Path folder = tmp.newFolder("d").toPath();
        try (FolderWatcher w = start(folder, 60_000)) {
            Files.writeString(folder.resolve(".x.lua.swp"), "x");
            Files.writeString(folder.resolve("a.lua"), "return 1");
            await("a.lua");
            assertTrue(seen.toString(), !seen.contains(".x.lua.swp"));
        }
    }

    @Test
    public void anEditBehindALinkIsSeenByTheListing() throws Exception {
        Path folder = tmp.newFolder("d").toPath();
        Files.createDirectory(folder.resolve("versions"));
        Path target = folder.resolve("versions/x-1.lua");
        Files.writeString(target, "return 1");
        Files.createSymbolicLink(folder.resolve("x.lua"), target);
        try (FolderWatcher w = start(folder, 1_000)) {
            await("x.lua");   // the first listing
            seen.clear();
            Files.writeString(target, "return 22");   // no event in the watched folder itself
            await("x.lua");
        }
    }

    /**
     * Red-team R2: the Kubernetes ConfigMap layout. The scripts are links through {@code ..data}, and an update swaps
     * that one link for a new set of files: the only events name {@code ..data_tmp} and {@code ..data}, not a script
     * file, so the change waited for the 10 s safety listing. The rescan here is a minute: only events can see it.
     */
    @Test
    public void aSwapOfTheLinkTheScriptsPointThroughIsSeenAtOnce() throws Exception {
        Path folder = tmp.newFolder("d").toPath();
        Files.createDirectory(folder.resolve("..v1"));
        Files.writeString(folder.resolve("..v1/cm.lua"), "return 1");
        Files.createSymbolicLink(folder.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(folder.resolve("cm.lua"), Path.of("..data/cm.lua"));
        try (FolderWatcher w = start(folder, 60_000)) {
            await("cm.lua");   // the first listing
            seen.clear();
            Files.createDirectory(folder.resolve("..v2"));
            Files.writeString(folder.resolve("..v2/cm.lua"), "return 222");
            Files.createSymbolicLink(folder.resolve("..data_tmp"), Path.of("..v2"));
            Files.move(folder.resolve("..data_tmp"), folder.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            await("cm.lua");
        }
    }

    /**
     * Red-team R2, second shape: the deploy folder itself is a link ({@code current -> rel1}) swapped to another
     * release. The watch stayed on rel1's directory, so every later edit in the live folder waited for the listing.
     */
    @Test
    public void aDeployFolderThatIsALinkSwappedToAnotherFolderIsWatchedThere() throws Exception {
        Path root = tmp.newFolder("r").toPath();
        Files.createDirectory(root.resolve("rel1"));
        Files.createDirectory(root.resolve("rel2"));
        Files.writeString(root.resolve("rel1/a.lua"), "return 1");
        Path current = root.resolve("current");
        Files.createSymbolicLink(current, Path.of("rel1"));
        try (FolderWatcher w = start(current, 60_000)) {
            await("a.lua");
            Files.createSymbolicLink(root.resolve("current.new"), Path.of("rel2"));
            Files.move(root.resolve("current.new"), current, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            seen.clear();
            Files.writeString(root.resolve("rel2/b.lua"), "return 2");   // an edit in the live folder
            await("b.lua");
        }
    }
}
