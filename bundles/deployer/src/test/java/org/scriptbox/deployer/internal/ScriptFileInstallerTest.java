package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/** The installer driven the way FileInstall drives it, on files in a temporary folder. */
public class ScriptFileInstallerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private RecordingManager manager;
    private ScriptFileInstaller installer;
    private Path folder;

    @Before
    public void setUp() {
        manager = new RecordingManager();
        installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), null);
        folder = tmp.getRoot().toPath();
    }

    private File write(String name, String content) throws Exception {
        Path p = folder.resolve(name);
        Files.writeString(p, content);
        return p.toFile();
    }

    @Test
    public void handlesScriptsButNotLeftovers() throws Exception {
        assertTrue(installer.canHandle(write("blink.lua", "")));
        assertTrue(installer.canHandle(write("blink.toml", "")));
        for (String leftover : List.of(".blink.lua.swp", ".#blink.lua", "blink.lua~", "#blink.lua#", "blink.stats.toml",
                "blink.txt", ".hidden.lua", "blink.lua.bak", "blink.tmp")) {
            assertFalse(leftover, installer.canHandle(write(leftover, "x")));
        }
        assertFalse(installer.canHandle(folder.resolve("missing.lua").toFile()));
        assertFalse(installer.canHandle(null));
    }

    @Test
    public void pairIsDeployedWithItsMetadata() throws Exception {
        write("blink.toml", "name = \"blink\"\nversion = \"1.2.0\"\n");
        installer.install(folder.resolve("blink.toml").toFile());
        assertTrue("a .toml alone waits for its .lua", manager.calls.isEmpty());
        installer.install(write("blink.lua", "return 1"));
        assertEquals(List.of("deploy blink 1.2.0"), manager.calls);
        assertEquals(folder.resolve("blink.lua").toAbsolutePath().toString(), manager.live.get("blink").origin());
    }

    @Test
    public void luaWithoutTomlGetsDefaultMetadata() throws Exception {
        installer.install(write("plain.lua", "return 1"));
        assertEquals(List.of("device:read"), manager.live.get("plain").metadata().permissions());
        assertEquals("1.0.0", manager.live.get("plain").metadata().version());
    }

    @Test
    public void sameContentIsNotDeployedTwice() throws Exception {
        File lua = write("blink.lua", "return 1");
        installer.install(lua);
        installer.update(lua);
        installer.update(write("blink.lua", "return 2"));
        assertEquals(List.of("deploy blink 1.0.0", "deploy blink 1.0.0"), manager.calls);
    }

    @Test
    public void invalidTomlIsReportedWithPositionAndNothingIsDeployed() throws Exception {
        installer.install(write("blink.lua", "return 1"));
        installer.update(write("blink.toml", "name = \"blink\"\nversion = \"1.0\"\n"));
        assertEquals("blink.toml:2:1: \"version\": \"1.0\" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.2.0)",
                manager.errors.get(0).toString());
        assertEquals(List.of("deploy blink 1.0.0", "error blink"), manager.calls);
    }

    @Test
    public void nameThatDiffersFromTheFileIsRefused() throws Exception {
        write("blink.toml", "version = \"1.0.0\"\nname = \"other\"\n");
        installer.install(write("blink.lua", "return 1"));
        assertEquals("blink.toml:2:1: name \"other\" differs from the file name \"blink\"; rename one of them",
                manager.errors.get(0).toString());
    }

    @Test
    public void deletingTheLuaUndeploysDeletingTheTomlFallsBackToDefaults() throws Exception {
        write("blink.toml", "version = \"2.0.0\"\npermissions = []\n");
        File lua = write("blink.lua", "return 1");
        installer.install(lua);
        Files.delete(folder.resolve("blink.toml"));
        installer.uninstall(folder.resolve("blink.toml").toFile());
        assertEquals(List.of("device:read"), manager.live.get("blink").metadata().permissions());
        Files.delete(lua.toPath());
        installer.uninstall(lua);
        assertTrue(manager.live.isEmpty());
        assertEquals("undeploy blink", manager.calls.get(manager.calls.size() - 1));
    }

    @Test
    public void brokenUpdateIsTriedOnceAndTheFixIsDeployed() throws Exception {
        installer.install(write("blink.lua", "return 1"));
        installer.update(write("blink.lua", "BROKEN"));
        installer.update(folder.resolve("blink.lua").toFile());
        installer.update(write("blink.lua", "return 2"));
        assertEquals(3, manager.calls.size());
        assertEquals("return 2", manager.live.get("blink").source());
    }

    @Test
    public void unreadableFilesAreReportedNotThrown() throws Exception {
        Path lua = folder.resolve("latin.lua");
        Files.write(lua, new byte[] {'r', 'e', 't', 'u', 'r', 'n', ' ', '"', (byte) 0xE9, '"'});
        installer.install(lua.toFile());
        assertEquals("IO latin.lua is not UTF-8 text", manager.errors.get(0).kind() + " " + manager.errors.get(0).message());

        Path big = folder.resolve("big.lua");
        Files.write(big, new byte[(int) ScriptFileInstaller.MAX_FILE_BYTES + 1]);
        installer.install(big.toFile());
        assertTrue(manager.errors.get(1).message(), manager.errors.get(1).message().startsWith("big.lua is 4194305 bytes"));
        assertTrue(manager.live.isEmpty());
    }

    @Test
    public void scanDeploysWhatIsAlreadyThereAndDeactivateRemovesIt() throws Exception {
        write("a.lua", "return 1");
        write("b.lua", "return 2");
        write(".c.lua", "return 3");
        installer.scan(folder);
        assertEquals(List.of("a", "b"), List.copyOf(manager.live.keySet()));
        installer.deactivate();
        assertTrue(manager.live.isEmpty());
    }
}
