package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/** The installer on files in a temporary folder, with the watcher's calls made by the test on a test clock. */
public class ScriptFileInstallerTest {
    private static final long QUIET_MS = 500;
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private RecordingManager manager;
    private ScriptFileInstaller installer;
    private Path folder;
    private long clock;

    @Before
    public void setUp() {
        folder = tmp.getRoot().toPath();
        manager = new RecordingManager();
        installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(folder, QUIET_MS, 100, 10_000), false);
    }

    private void write(String name, String content) throws Exception {
        Files.writeString(folder.resolve(name), content);
    }

    /** The watcher names these files, then scans come until the quiet period has passed. */
    private void settle(String... fileNames) {
        installer.changed(Set.of(fileNames));
        installer.tick(clock);
        clock += TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
        installer.tick(clock);
        clock += TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
    }

    @Test
    public void handlesScriptsButNotLeftovers() {
        assertTrue(ScriptFiles.isScriptFile("blink.lua"));
        assertTrue(ScriptFiles.isScriptFile("blink.toml"));
        for (String leftover : List.of(".blink.lua.swp", ".#blink.lua", "blink.lua~", "#blink.lua#", "blink.stats.toml",
                "blink.txt", ".hidden.lua", "blink.lua.bak", "blink.tmp", ".lua", ".toml",
                // a script's tests (script:test), never a script of their own
                "blink_test.lua", "Blink_TEST.lua", "blink_test.toml")) {
            assertFalse(leftover, ScriptFiles.isScriptFile(leftover));
        }
    }

    /** script:test reads a script's tests through the folder's rules: never a pipe, never a link out, a plain name. */
    @Test
    public void aTestFileIsReadUnderTheFoldersRules() throws Exception {
        write("blink_test.lua", "test('x', function() end)\n");
        assertEquals("test('x', function() end)\n", installer.readText("blink_test.lua"));
        assertEquals(org.scriptbox.api.ErrorKind.NOT_FOUND, refusal("none_test.lua").kind());
        Path outside = Files.createTempFile("secret", ".txt");
        Files.writeString(outside, "root:x:0:0");
        Files.createSymbolicLink(folder.resolve("link_test.lua"), outside);
        assertTrue(refusal("link_test.lua").message(), refusal("link_test.lua").message().contains("outside the deploy folder"));
        for (String bad : List.of("../blink_test.lua", "sub/x_test.lua", "..", "")) {
            assertEquals(bad, org.scriptbox.api.ErrorKind.IO, refusal(bad).kind());
        }
        Path fifo = folder.resolve("pipe_test.lua");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0) {
            assertTrue(refusal("pipe_test.lua").message(), refusal("pipe_test.lua").message().contains("not a regular file"));
        }
        Files.delete(outside);
    }

    private org.scriptbox.api.ScriptError refusal(String fileName) {
        try {
            installer.readText(fileName);
        } catch (org.scriptbox.api.ScriptException e) {
            return e.error();
        }
        throw new AssertionError(fileName + " was read");
    }

    @Test
    public void pairIsDeployedWithItsMetadata() throws Exception {
        write("blink.toml", "name = \"blink\"\nversion = \"1.2.0\"\n");
        settle("blink.toml");
        assertTrue("a .toml alone waits for its .lua", manager.calls.isEmpty());
        write("blink.lua", "return 1");
        settle("blink.lua");
        assertEquals(List.of("deploy blink 1.2.0"), manager.calls);
        assertEquals(folder.resolve("blink.lua").toAbsolutePath().toString(), manager.live.get("blink").origin());
    }

    @Test
    public void nothingGoesLiveBeforeTheQuietPeriodHasPassedInSeparateScans() throws Exception {
        write("blink.lua", "return 1");
        installer.changed(Set.of("blink.lua"));
        installer.tick(0);
        installer.tick(TimeUnit.MILLISECONDS.toNanos(QUIET_MS - 1));
        assertTrue("stable, but not for the quiet period yet", manager.calls.isEmpty());
        write("blink.lua", "return 12");   // still being written: the quiet period starts again
        installer.tick(TimeUnit.MILLISECONDS.toNanos(QUIET_MS + 1));
        installer.tick(TimeUnit.MILLISECONDS.toNanos(2 * QUIET_MS));
        assertTrue(manager.calls.isEmpty());
        installer.tick(TimeUnit.MILLISECONDS.toNanos(2 * QUIET_MS + 1));
        assertEquals("return 12", manager.live.get("blink").source());
    }

    @Test
    public void oneLongScanIsNotEnough() throws Exception {
        // a single observation never releases a file, however late it is: stability needs two scans
        QuietPeriodGate<String, String> gate = new QuietPeriodGate<>(0);
        gate.touch("a");
        assertTrue(gate.scan(Long.MAX_VALUE / 2, k -> "x").isEmpty());
        assertEquals(1, gate.scan(Long.MAX_VALUE / 2, k -> "x").size());
    }

    @Test
    public void aChangedTomlKeepsTheWholePairWaiting() throws Exception {
        write("blink.lua", "return 1");
        installer.changed(Set.of("blink.lua"));
        installer.tick(0);
        write("blink.toml", "version = \"2.0.0\"\n");
        installer.tick(TimeUnit.MILLISECONDS.toNanos(QUIET_MS));
        assertTrue("the .toml moved during the .lua's quiet period", manager.calls.isEmpty());
        installer.tick(TimeUnit.MILLISECONDS.toNanos(2 * QUIET_MS));
        assertEquals(List.of("deploy blink 2.0.0"), manager.calls);
    }

    @Test
    public void luaWithoutTomlGetsDefaultMetadata() throws Exception {
        write("plain.lua", "return 1");
        settle("plain.lua");
        assertEquals(List.of("device:read"), manager.live.get("plain").metadata().permissions());
        assertEquals("1.0.0", manager.live.get("plain").metadata().version());
    }

    @Test
    public void sameContentIsNotDeployedTwice() throws Exception {
        write("blink.lua", "return 1");
        settle("blink.lua");
        settle("blink.lua");
        write("blink.lua", "return 2");
        settle("blink.lua");
        assertEquals(List.of("deploy blink 1.0.0", "deploy blink 1.0.0"), manager.calls);
    }

    @Test
    public void invalidTomlIsReportedWithPositionAndNothingIsDeployed() throws Exception {
        write("blink.lua", "return 1");
        settle("blink.lua");
        write("blink.toml", "name = \"blink\"\nversion = \"1.0\"\n");
        settle("blink.toml");
        assertEquals("blink.toml:2:1: \"version\": \"1.0\" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.2.0)",
                manager.errors.get(0).toString());
        assertEquals(List.of("deploy blink 1.0.0", "error blink"), manager.calls);
    }

    @Test
    public void nameThatDiffersFromTheFileIsRefused() throws Exception {
        write("blink.toml", "version = \"1.0.0\"\nname = \"other\"\n");
        write("blink.lua", "return 1");
        settle("blink.lua", "blink.toml");
        assertEquals("blink.toml:2:1: name \"other\" differs from the file name \"blink\"; rename one of them",
                manager.errors.get(0).toString());
    }

    @Test
    public void deletingTheLuaUndeploysDeletingTheTomlFallsBackToDefaults() throws Exception {
        write("blink.toml", "version = \"2.0.0\"\npermissions = []\n");
        write("blink.lua", "return 1");
        settle("blink.lua", "blink.toml");
        Files.delete(folder.resolve("blink.toml"));
        settle("blink.toml");
        assertEquals(List.of("device:read"), manager.live.get("blink").metadata().permissions());
        Files.delete(folder.resolve("blink.lua"));
        settle("blink.lua");
        assertTrue(manager.live.isEmpty());
        assertEquals("undeploy blink", manager.calls.get(manager.calls.size() - 1));
    }

    @Test
    public void brokenUpdateIsTriedOnceAndTheFixIsDeployed() throws Exception {
        write("blink.lua", "return 1");
        settle("blink.lua");
        write("blink.lua", "BROKEN");
        settle("blink.lua");
        settle("blink.lua");
        write("blink.lua", "return 2");
        settle("blink.lua");
        assertEquals(3, manager.calls.size());
        assertEquals("return 2", manager.live.get("blink").source());
    }

    @Test
    public void unreadableFilesAreReportedNotThrown() throws Exception {
        Files.write(folder.resolve("latin.lua"), new byte[] {'r', 'e', 't', 'u', 'r', 'n', ' ', '"', (byte) 0xE9, '"'});
        settle("latin.lua");
        assertEquals("IO latin.lua is not UTF-8 text", manager.errors.get(0).kind() + " " + manager.errors.get(0).message());

        Files.write(folder.resolve("big.lua"), new byte[BoundedText.MAX_BYTES + 1]);
        settle("big.lua");
        assertEquals("big.lua is larger than 4194304 bytes; files over 4194304 bytes are not loaded", manager.errors.get(1).message());
        assertTrue(manager.live.isEmpty());
    }

    @Test
    public void aRefusedFileThatIsRemovedLeavesNoEntry() throws Exception {
        Files.write(folder.resolve("latin.lua"), new byte[] {(byte) 0xE9});
        settle("latin.lua");
        assertTrue(manager.get("latin").isPresent());
        Files.delete(folder.resolve("latin.lua"));
        settle("latin.lua");
        assertTrue(manager.get("latin").isEmpty());
    }

    @Test
    public void aByteOrderMarkIsAccepted() throws Exception {
        Files.writeString(folder.resolve("bom.lua"), "\uFEFFreturn 1");
        Files.writeString(folder.resolve("bom.toml"), "\uFEFFversion = \"1.1.0\"\n");
        settle("bom.lua", "bom.toml");
        assertEquals("return 1", manager.live.get("bom").source());
        assertEquals("1.1.0", manager.live.get("bom").metadata().version());
    }

    @Test
    public void aNameEndingInStatsIsRefusedClearly() throws Exception {
        write("x.stats.lua", "return 1");
        settle("x.stats.lua");
        assertTrue(manager.live.isEmpty());
        assertEquals("x.stats.lua: the script name \"x.stats\" ends in \".stats\", which is reserved for statistics files"
                + " (x.stats.toml holds the statistics of \"x\"); rename the script", manager.errors.get(0).message());
    }

    @Test
    public void deactivateRemovesWhatItDeployed() throws Exception {
        write("a.lua", "return 1");
        write("b.lua", "return 2");
        settle("a.lua", "b.lua", ".c.lua");
        assertEquals(List.of("a", "b"), List.copyOf(manager.live.keySet()));
        installer.deactivate();
        assertTrue(manager.live.isEmpty());
    }
}
