package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptException;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/** Import lands in the deploy folder and is live at once, or changes nothing; export writes what import reads. */
public class ImportExportTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path deploy;
    private Path elsewhere;
    private RecordingManager manager;
    private ScriptFileInstaller installer;

    @Before
    public void setUp() throws Exception {
        deploy = tmp.newFolder("deploy").toPath();
        elsewhere = tmp.newFolder("imp").toPath();
        manager = new RecordingManager();
        installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(deploy, 100, 100, 10_000), false);
    }

    private void settle(String... fileNames) {
        installer.changed(Set.of(fileNames));
        installer.tick(0);
        installer.tick(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    public void anImportIsWrittenIntoTheDeployFolderAndLiveAtOnce() throws Exception {
        Files.writeString(elsewhere.resolve("ramp.lua"), "return 'ramp'");
        Files.writeString(elsewhere.resolve("ramp.toml"), "# kept as written\nversion = \"1.1.0\"\n");
        assertEquals("1.1.0", installer.importScript(elsewhere.resolve("ramp.lua"), false).metadata().version());
        assertEquals("return 'ramp'", Files.readString(deploy.resolve("ramp.lua")));
        assertEquals("# kept as written\nversion = \"1.1.0\"\n", Files.readString(deploy.resolve("ramp.toml")));
        assertEquals(deploy.resolve("ramp.lua").toString(), manager.live.get("ramp").origin());
        settle("ramp.lua", "ramp.toml");   // the watcher sees the files it wrote: nothing deployed twice
        assertEquals(List.of("deploy ramp 1.1.0"), manager.calls);
        assertFalse("no temporary file left", Files.exists(deploy.resolve(".ramp.lua.tmp")));
    }

    @Test
    public void aTomlNamingAnotherScriptIsAnErrorAndReplacesNothing() throws Exception {
        Files.writeString(deploy.resolve("ramp1.lua"), "return 1");
        settle("ramp1.lua");
        Files.writeString(elsewhere.resolve("ramp2.lua"), "return 2");
        Files.writeString(elsewhere.resolve("ramp2.toml"), "version = \"2.0.0\"\nname = \"ramp1\"\n");
        try {
            installer.importScript(elsewhere.resolve("ramp2.lua"), false);
            fail("imported");
        } catch (ScriptException e) {
            assertEquals(elsewhere.resolve("ramp2.toml") + ":2:1: name \"ramp1\" differs from the file name \"ramp2\"; rename one of them",
                    e.getMessage());
        }
        assertEquals("return 1", manager.live.get("ramp1").source());
        assertFalse(Files.exists(deploy.resolve("ramp2.lua")));
        assertFalse(manager.live.containsKey("ramp2"));
    }

    @Test
    public void aRefusedImportPutsTheFolderBackAsItWas() throws Exception {
        Files.writeString(deploy.resolve("motor.lua"), "return 'good'");
        Files.writeString(deploy.resolve("motor.toml"), "version = \"1.0.0\"\n");
        settle("motor.lua", "motor.toml");
        Files.writeString(elsewhere.resolve("motor.lua"), "BROKEN");
        try {
            installer.importScript(elsewhere.resolve("motor.lua"), false);
            fail("imported");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.COMPILATION, e.kind());
        }
        assertEquals("return 'good'", Files.readString(deploy.resolve("motor.lua")));
        assertEquals("version = \"1.0.0\"\n", Files.readString(deploy.resolve("motor.toml")));
        assertEquals("return 'good'", manager.live.get("motor").source());
    }

    @Test
    public void anImportWithoutTomlLeavesNoStaleTomlBesideIt() throws Exception {
        Files.writeString(deploy.resolve("m.lua"), "return 1");
        Files.writeString(deploy.resolve("m.toml"), "version = \"3.0.0\"\npermissions = []\n");
        settle("m.lua", "m.toml");
        Files.writeString(elsewhere.resolve("m.lua"), "return 2");
        installer.importScript(elsewhere.resolve("m.lua"), true);
        assertFalse(Files.exists(deploy.resolve("m.toml")));
        assertEquals("1.0.0", manager.live.get("m").metadata().version());
    }

    @Test
    public void importChecksWhatTheFolderChecks() throws Exception {
        Files.write(elsewhere.resolve("latin.lua"), new byte[] {(byte) 0xE9});
        Files.writeString(elsewhere.resolve("x.stats.lua"), "return 1");
        Files.createSymbolicLink(elsewhere.resolve("proc.lua"), Path.of("/proc/self/status"));
        for (String[] c : new String[][] {
                {"latin.lua", "latin.lua is not UTF-8 text"},
                {"missing.lua", "no such file: " + elsewhere.resolve("missing.lua")},
                {"notes.txt", "not a script file (name.lua): " + elsewhere.resolve("notes.txt")},
                {"x.stats.lua", "x.stats.lua: the script name \"x.stats\" ends in \".stats\""},
                {"proc.lua", "proc.lua is a link to /proc/"}}) {
            try {
                installer.importScript(elsewhere.resolve(c[0]), false);
                fail(c[0] + " imported");
            } catch (ScriptException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(c[1]));
            }
        }
        assertTrue(manager.live.isEmpty());
        try (var files = Files.list(deploy)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    public void exportWritesWhatImportReads() throws Exception {
        Files.writeString(deploy.resolve("blink.lua"), "return 'blink'");
        Files.writeString(deploy.resolve("blink.toml"), "version = \"1.4.0\"\ndescription = \"blinks\"\n");
        settle("blink.lua", "blink.toml");
        Path out = elsewhere.resolve("out");
        Path lua = installer.exportScript("blink", out, true);
        assertEquals("return 'blink'", Files.readString(lua));
        assertTrue(Files.readString(out.resolve("blink.toml")).contains("version = \"1.4.0\""));
        assertTrue(Files.readString(out.resolve("blink.stats.toml")).contains("total_executions = 0"));
        try {
            installer.exportScript("nope", out, false);
            fail("exported");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
        }
    }
}
