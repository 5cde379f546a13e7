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
        FolderWatcher w = new FolderWatcher(folder, 20, rescanMillis, ScriptFiles::isScriptFile, new FolderWatcher.Listener() {
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
}
