package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptException;
import org.scriptbox.manager.internal.TomlMetadataCodec;
import org.scriptbox.testsupport.disk.SmallDisk;

/**
 * Session-6 lifecycle red team (/work/coord/FINDINGS.md L1): a version written into the deploy folder through the
 * API (REST deploy, rollback, import) on a nearly full disk. Needs root (a tmpfs mount); skipped otherwise.
 */
public class RedTeamSession6FolderTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private Path mount;

    private static int run(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }

    @After
    public void unmount() throws Exception {
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    @Test(timeout = 60_000)
    public void aFullDiskDuringAnApiWriteNeverLeavesAMixedPairInTheFolder() throws Exception {
        SmallDisk disk = SmallDisk.mount(tmp.newFolder("small").toPath(), "256k");
        assumeTrue("root can mount a tmpfs", disk != null);
        mount = disk.root;   // unmounted after the test
        Path deploy = Files.createDirectory(mount.resolve("deploy"));
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
        Files.writeString(deploy.resolve("motor.lua"), "return 'v1 starts and stops the motor'\n");
        Files.writeString(deploy.resolve("motor.toml"), "version = \"1.0.0\"\n");
        settle(installer, "motor.lua", "motor.toml");
        assertEquals("1.0.0", manager.live.get("motor").metadata().version());

        disk.fill(8192);
        String bigSource = "return '" + "x".repeat(40_000) + "'\n";
        ScriptDefinition v2 = new ScriptDefinition(codec.parse("version = \"2.0.0\"\npermissions = [\"device:control\"]\n",
                "motor.toml", "motor", new java.util.ArrayList<>()), bigSource, "rest");
        String message = null;
        try {
            installer.install(v2, false);
            fail("installed on a full disk");
        } catch (ScriptException e) {
            System.out.println("refused: " + e.getMessage());
            message = e.getMessage();
        }
        // whatever the API write left, the folder's next scan must deploy a version that existed: v1 or v2 whole
        settle(installer, "motor.lua", "motor.toml", ".motor.lua.tmp");
        ScriptDefinition live = manager.live.get("motor");
        System.out.println("folder after the refused write: " + List.of(deploy.toFile().list()) + "; live " + live.metadata().version()
                + " permissions " + live.metadata().permissions() + " source " + live.source().length() + " chars");
        assertEquals("the live version is v1's metadata with v1's code", "1.0.0", live.metadata().version());
        assertEquals("version = \"1.0.0\"\n", Files.readString(deploy.resolve("motor.toml")));
        assertFalse("no temporary file keeps the disk full", Files.exists(deploy.resolve(".motor.lua.tmp")));
        assertTrue(message, message.endsWith(": no space left on device; nothing changed"));
    }

    private Process child(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FolderWriterProcess.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.getRoot().toPath().resolve("child-" + System.nanoTime() + ".log").toFile()).start();
    }

    /** What a restarted container deploys from the folder as it is now. */
    private static ScriptDefinition restartAndDeploy(Path deploy) {
        RecordingManager manager = new RecordingManager();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 100, 100, 10_000), false);
        settle(installer, "m.lua", "m.toml");
        return manager.live.get("m");
    }

    @Test(timeout = 120_000)
    public void aSigkillDuringAnApiWriteLeavesOneWholeVersionInTheFolder() throws Exception {
        java.util.Random random = new java.util.Random(6);
        int mixed = 0;
        List<String> seen = new java.util.ArrayList<>();
        for (int round = 0; round < 6; round++) {
            Path deploy = tmp.newFolder("kill" + round).toPath();
            Process p = child("pairs", deploy.toString());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(deploy.resolve("m.lua")) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Thread.sleep(100 + random.nextInt(800));
            p.destroyForcibly().waitFor();
            ScriptDefinition live = restartAndDeploy(deploy);
            String lua = live.source().substring(live.source().lastIndexOf("return ") + 7).trim();
            String version = live.metadata().version();
            seen.add(version + "/" + lua);
            if (!version.equals("1.0." + lua)) {
                mixed++;
            }
        }
        System.out.println("after SIGKILL, version/code deployed at restart: " + seen);
        assertEquals("restarts that deployed one version's metadata with another's code: " + seen, 0, mixed);
    }

    @Test(timeout = 120_000)
    public void aSigkillDuringARefusedApiDeployLeavesTheFolderAsItWas() throws Exception {
        Path deploy = tmp.newFolder("refused").toPath();
        Files.writeString(deploy.resolve("m.lua"), "return 'good'\n");
        Files.writeString(deploy.resolve("m.toml"), "version = \"1.2.0\"\n");
        Path signal = tmp.getRoot().toPath().resolve("signal");
        Process p = child("refused", deploy.toString(), signal.toString());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(signal) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertTrue("the child reached the manager", Files.exists(signal));
        p.destroyForcibly().waitFor();
        ScriptDefinition live = restartAndDeploy(deploy);
        System.out.println("after SIGKILL during a refused deploy the folder holds " + Files.readString(deploy.resolve("m.lua")).trim()
                + " / " + Files.readString(deploy.resolve("m.toml")).trim() + "; a restart deploys " + (live == null ? "nothing" : live.metadata().version()));
        assertEquals("return 'good'\n", Files.readString(deploy.resolve("m.lua")));
        assertEquals("1.2.0", live.metadata().version());
    }

    @Test(timeout = 60_000)
    public void aSlowApiDeployHoldsOnlyItsOwnName() throws Exception {
        Path deploy = tmp.newFolder("slow").toPath();
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
        java.util.concurrent.CountDownLatch compiling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        manager.onDeploy = d -> {
            if (d.name().equals("slow")) {
                compiling.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);   // a long compile (up to the 2 s CPU bound, times the load)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread rest = new Thread(() -> installer.install(new ScriptDefinition(codec.parse("version = \"1.0.0\"\n", "slow.toml", "slow",
                new java.util.ArrayList<>()), "return 'slow'", "rest"), false));
        rest.start();
        assertTrue(compiling.await(10, TimeUnit.SECONDS));
        Files.writeString(deploy.resolve("quick.lua"), "return 'quick'");
        Thread folder = new Thread(() -> settle(installer, "quick.lua"));
        folder.start();
        folder.join(2_000);
        boolean blocked = folder.isAlive();
        release.countDown();
        rest.join(10_000);
        folder.join(10_000);
        assertFalse("the watcher waited for another script's API deploy", blocked);
        assertEquals("return 'quick'", manager.live.get("quick").source());
    }

    @Test
    public void anApiDeleteThenTheSameFilesAgainIsLive() throws Exception {
        Path deploy = tmp.newFolder("del").toPath();
        RecordingManager manager = new RecordingManager();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 100, 100, 10_000), false);
        Files.writeString(deploy.resolve("m.lua"), "return 1");
        settle(installer, "m.lua");
        // REST DELETE /scripts/m: before, ScriptRoutes deleted the files and undeployed by itself, behind the deployer
        assertTrue(installer.remove("m"));
        assertFalse(Files.exists(deploy.resolve("m.lua")));
        assertFalse(manager.live.containsKey("m"));
        // within the quiet period the same file comes back (git checkout, an editor's undo, a deploy tool's retry)
        Files.writeString(deploy.resolve("m.lua"), "return 1");
        settle(installer, "m.lua");
        assertTrue("the folder holds m.lua and m is live", manager.live.containsKey("m"));
    }

    /**
     * L7: a REST body is JSON, which can carry a lone surrogate ({@code "\\ud800"}) and ~4.5 MB; the folder reads back
     * only UTF-8 up to 4 MB. Written anyway, the live version differed from the file (UTF-8 writes '?'), and the
     * watcher then deployed the file's text as a second version; a 4.3 MB source was live until the next restart.
     */
    @Test
    public void anApiVersionTheFolderCouldNotReadBackIsRefusedAndChangesNothing() throws Exception {
        Path deploy = tmp.newFolder("text").toPath();
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
        String[][] cases = {
                {"return 1\nlocal s = 'a\ud800b'\n", "u.lua:2:13: holds a lone UTF-16 surrogate (\\ud800), which UTF-8 cannot carry; nothing changed"},
                {"return '" + "\u00e9".repeat(2_100_000) + "'", "u.lua would be 4200009 bytes; files over 4194304 bytes are not loaded"
                        + " from the deploy folder; nothing changed"}};
        for (String[] c : cases) {
            try {
                installer.install(new ScriptDefinition(codec.parse("version = \"1.0.0\"\n", "u.toml", "u", new java.util.ArrayList<>()),
                        c[0], "rest"), false);
                fail("installed");
            } catch (ScriptException e) {
                assertEquals(c[1], e.getMessage());
                assertEquals(org.scriptbox.api.ErrorKind.COMPILATION, e.kind());
            }
        }
        assertEquals(List.of(), List.of(deploy.toFile().list()));
        assertTrue(manager.calls.isEmpty());
    }

    /** L4 (second half): a script another source deployed is not the folder's to remove. */
    @Test
    public void anApiDeleteOfABundlesScriptIsRefused() throws Exception {
        Path deploy = tmp.newFolder("bundle").toPath();
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
        manager.deploy(new ScriptDefinition(codec.parse("version = \"1.0.0\"\n", "greet.toml", "greet", new java.util.ArrayList<>()),
                "return 'hi'", "bundle:org.scriptbox.example.scripts/1.0.0!/scripts/greet.lua"), false);
        try {
            installer.remove("greet");
            fail("removed");
        } catch (ScriptException e) {
            assertEquals("script 'greet' comes from bundle:org.scriptbox.example.scripts/1.0.0!/scripts/greet.lua, not from the"
                    + " deploy folder; remove it there (a bundle: stop or uninstall it)", e.getMessage());
        }
        assertTrue(manager.live.containsKey("greet"));
        assertFalse("nothing to remove", installer.remove("nothing"));
        // ScriptFolder is an API any bundle may call: a name is checked before any path is built from it
        Files.writeString(deploy.resolveSibling("outside.lua"), "return 'outside'");
        for (String bad : new String[] {"../outside", "a/b", "", ".hidden"}) {
            try {
                installer.remove(bad);
                fail("removed " + bad);
            } catch (ScriptException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("is not a script name"));
            }
        }
        assertTrue(Files.exists(deploy.resolveSibling("outside.lua")));
    }

    /**
     * REST deploys and a folder writer (a real process renaming temp files in, as VS Code saves) on one script at
     * once, with the real watcher: whoever wrote last, the folder ends as what is live, and every live version was
     * one that someone wrote whole.
     */
    @Test(timeout = 120_000)
    public void apiDeploysRacingFolderEditsEndWithTheFolderLive() throws Exception {
        Path deploy = tmp.newFolder("race").toPath();
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 50, 10, 10_000), true);
        try {
            Path py = tmp.getRoot().toPath().resolve("edits.py");
            Files.writeString(py, String.join("\n",
                    "import os, sys, time",
                    "d = sys.argv[1]",
                    "for k in range(150):",
                    "    t = d + '/.m.lua.swp'",
                    "    with open(t, 'w') as f: f.write('return \"folder %d\"\\n' % k)",
                    "    os.rename(t, d + '/m.lua')",
                    "    time.sleep(0.02 if k % 10 else 0.2)",
                    ""));
            Process writer = new ProcessBuilder("python3", py.toString(), deploy.toString()).redirectErrorStream(true).start();
            java.util.Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int k = 0; k < 150; k++) {
                written.add("return \"folder " + k + "\"\n");
            }
            int k = 0;
            long apiUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);   // the folder writer goes on after
            while (writer.isAlive() && System.nanoTime() < apiUntil) {
                String src = "return \"api " + k++ + "\"\n";
                written.add(src);
                installer.install(new ScriptDefinition(codec.parse("version = \"1.0.0\"\n", "m.toml", "m", new java.util.ArrayList<>()),
                        src, "rest"), false);
                Thread.sleep(k % 7 == 0 ? 120 : 15);
            }
            assertEquals(0, writer.waitFor());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String onDisk = Files.readString(deploy.resolve("m.lua"));
            while (System.nanoTime() < until && (installer.isPending("m") || manager.live.get("m") == null
                    || !manager.live.get("m").source().equals(onDisk))) {
                Thread.sleep(20);
            }
            long folderVersions = manager.deployedSources.stream().filter(v -> v.contains("folder")).count();
            System.out.println("api deploys " + k + ", versions live " + manager.deployedSources.size() + " (" + folderVersions
                    + " from the folder writer), folder ends with " + onDisk.trim());
            assertTrue("the folder writer's versions went live too", folderVersions > 0);
            assertEquals("what is live is what the folder holds", onDisk, manager.live.get("m").source());
            for (String s : manager.deployedSources) {
                assertTrue("only whole written versions went live: " + s, written.contains(s));
            }
        } finally {
            installer.deactivate();
        }
    }

    /**
     * L8: a pair whose .toml is missing for a while deploys with the default metadata, version 1.0.0, which is no
     * version the operator wrote: a .toml arriving later (a slow copy, cp -r in directory order) with version 0.3.0
     * was refused as a downgrade, and deleting the .toml of a 2.0.0 script ("redeploys with default metadata") was
     * refused too, leaving its old permissions live; after a restart the folder's version went live instead.
     */
    @Test
    public void theDefaultMetadataIsNoVersionClaimInEitherDirection() throws Exception {
        Path deploy = tmp.newFolder("late").toPath();
        RecordingManager manager = new RecordingManager();
        manager.refuseDowngrades = true;
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 100, 100, 10_000), false);
        Files.writeString(deploy.resolve("late.lua"), "return 'late'");
        settle(installer, "late.lua");
        assertEquals("1.0.0", manager.live.get("late").metadata().version());
        Files.writeString(deploy.resolve("late.toml"), "version = \"0.3.0\"\npermissions = [\"device:write\"]\n");
        settle(installer, "late.toml");
        assertEquals("the .toml that came late is live", "0.3.0", manager.live.get("late").metadata().version());

        Files.writeString(deploy.resolve("motor.lua"), "return 'motor'");
        Files.writeString(deploy.resolve("motor.toml"), "version = \"2.0.0\"\npermissions = [\"device:control\"]\n");
        settle(installer, "motor.lua", "motor.toml");
        Files.delete(deploy.resolve("motor.toml"));
        settle(installer, "motor.toml");
        assertEquals("deleting the .toml drops its permissions, as after a restart", List.of("device:read"),
                manager.live.get("motor").metadata().permissions());
        // a real downgrade written in a .toml is still refused without force
        Files.writeString(deploy.resolve("motor.toml"), "version = \"3.0.0\"\n");
        settle(installer, "motor.toml");
        Files.writeString(deploy.resolve("motor.toml"), "version = \"2.5.0\"\n");
        settle(installer, "motor.toml");
        assertEquals("3.0.0", manager.live.get("motor").metadata().version());
        // over another source's version (a bundle's 2.0.0) a .lua without .toml is still a lower version: refused
        manager.deploy(new ScriptDefinition(new TomlMetadataCodec().parse("version = \"2.0.0\"\n", "greet.toml", "greet",
                new java.util.ArrayList<>()), "return 'bundle'", "bundle:org.scriptbox.example.scripts/1.0.0!/scripts/greet.lua"), false);
        Files.writeString(deploy.resolve("greet.lua"), "return 'folder'");
        settle(installer, "greet.lua");
        assertEquals("return 'bundle'", manager.live.get("greet").source());
    }

    /**
     * L11: {@code x.lua -> y.lua} (a link inside the folder, followed by design; also {@code x.lua -> lib/x.lua}).
     * Saving y.lua changes what x.lua reads, but the operating system reports only y.lua.
     */
    @Test(timeout = 60_000)
    public void aScriptLinkedToAnotherFileFollowsItsEdits() throws Exception {
        Path deploy = tmp.newFolder("links").toPath();
        Files.createDirectories(deploy.resolve("lib"));
        RecordingManager manager = new RecordingManager();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 50, 10, 10_000), true);
        try {
            Files.writeString(deploy.resolve("y.lua"), "return 1");
            Files.writeString(deploy.resolve("lib/z.lua"), "return 1");
            Files.createSymbolicLink(deploy.resolve("x.lua"), Path.of("y.lua"));
            Files.createSymbolicLink(deploy.resolve("w.lua"), Path.of("lib/z.lua"));
            await(manager, "x", "return 1");
            await(manager, "w", "return 1");
            long start = System.nanoTime();
            Files.writeString(deploy.resolve("y.lua.tmp~"), "return 2");
            Files.move(deploy.resolve("y.lua.tmp~"), deploy.resolve("y.lua"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(deploy.resolve("lib/z.lua"), "return 2");
            await(manager, "x", "return 2");
            long x = System.nanoTime() - start;
            await(manager, "w", "return 2");
            long w = System.nanoTime() - start;
            System.out.println("a link's target edited: x.lua -> y.lua live after " + x / 1_000_000 + " ms, w.lua -> lib/z.lua after "
                    + w / 1_000_000 + " ms");
            assertTrue("x followed y within 2 s: " + x / 1_000_000 + " ms", x < TimeUnit.SECONDS.toNanos(2));
            assertTrue("w followed lib/z within 2 s: " + w / 1_000_000 + " ms", w < TimeUnit.SECONDS.toNanos(2));
        } finally {
            installer.deactivate();
        }
    }

    /** L11 too: {@code h.lua} a hard link of {@code g.lua}; an in-place rewrite of g changes h's text, with no event for h. */
    @Test(timeout = 60_000)
    public void aHardLinkedScriptFollowsAnInPlaceEditOfItsTwin() throws Exception {
        Path deploy = tmp.newFolder("hard").toPath();
        RecordingManager manager = new RecordingManager();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 50, 10, 10_000), true);
        try {
            Files.writeString(deploy.resolve("g.lua"), "return 1");
            Files.createLink(deploy.resolve("h.lua"), deploy.resolve("g.lua"));
            await(manager, "h", "return 1");
            await(manager, "g", "return 1");
            long start = System.nanoTime();
            Files.writeString(deploy.resolve("g.lua"), "return 2");   // in place (rsync --inplace, >>, an editor with backupcopy=yes)
            await(manager, "g", "return 2");
            await(manager, "h", "return 2");
            long h = System.nanoTime() - start;
            System.out.println("a hard link's twin rewritten in place: h.lua live after " + h / 1_000_000 + " ms");
            assertTrue("h followed g within 2 s: " + h / 1_000_000 + " ms", h < TimeUnit.SECONDS.toNanos(2));
        } finally {
            installer.deactivate();
        }
    }

    /**
     * L13: a script without a .toml got the default metadata with created/modified = now at every load, so each
     * restart (and script:reload) deployed "new" content: the manager kept another history version each time (10
     * restarts pushed every real version out of a history of 10) and the no-op check for unchanged content never held.
     */
    @Test
    public void aScriptWithoutTomlIsTheSameVersionAtEveryLoad() throws Exception {
        Path deploy = tmp.newFolder("same").toPath();
        Files.writeString(deploy.resolve("plain.lua"), "return 'plain'");
        TomlMetadataCodec codec = new TomlMetadataCodec();
        List<String> formatted = new java.util.ArrayList<>();
        for (int restart = 0; restart < 2; restart++) {
            RecordingManager manager = new RecordingManager();
            ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
            settle(installer, "plain.lua");
            formatted.add(codec.format(manager.live.get("plain").metadata()));
            Thread.sleep(5);   // a later "now" (not synchronisation: the clock must move for the old defaults to differ)
        }
        assertEquals(formatted.get(0), formatted.get(1));
        assertFalse(formatted.get(0), formatted.get(0).contains("created_at"));
    }

    /** A read-only deploy folder (a ConfigMap, an ro mount): API writes and removals are refused with the reason, nothing changes. */
    @Test(timeout = 60_000)
    public void aReadOnlyFolderRefusesApiWritesAndRemovalsWithTheReason() throws Exception {
        Path source = tmp.newFolder("rw").toPath();
        Path view = tmp.newFolder("ro").toPath();
        Files.writeString(source.resolve("m.lua"), "return 1");
        assumeTrue("root can bind-mount", run("mount", "--bind", source.toString(), view.toString()) == 0);
        mount = view;
        assumeTrue(run("mount", "-o", "remount,ro,bind", view.toString()) == 0);
        RecordingManager manager = new RecordingManager();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(view, 100, 100, 10_000), false);
        settle(installer, "m.lua");
        try {
            installer.install(new ScriptDefinition(codec.parse("version = \"2.0.0\"\n", "m.toml", "m", new java.util.ArrayList<>()),
                    "return 2", "rest"), false);
            fail("written");
        } catch (ScriptException e) {
            assertEquals("cannot write m into the deploy folder " + view + ": read-only file system; nothing changed", e.getMessage());
        }
        try {
            installer.remove("m");
            fail("removed");
        } catch (ScriptException e) {
            assertEquals("cannot remove m from the deploy folder " + view + ": read-only file system", e.getMessage());
        }
        assertEquals("return 1", manager.live.get("m").source());
        assertEquals(List.of("m.lua"), List.of(source.toFile().list()));
    }

    private static void await(RecordingManager manager, String name, String source) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until && (manager.live.get(name) == null || !manager.live.get(name).source().equals(source))) {
            Thread.sleep(10);
        }
    }

    private static void settle(ScriptFileInstaller installer, String... fileNames) {
        installer.changed(Set.of(fileNames));
        installer.tick(0);
        installer.tick(TimeUnit.MILLISECONDS.toNanos(200));
    }
}
