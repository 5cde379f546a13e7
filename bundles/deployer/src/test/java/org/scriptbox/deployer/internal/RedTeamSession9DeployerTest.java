package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptException;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/**
 * Session 9's fleet red team on the deploy folder (FINDINGS.md Q38): what {@link ScriptFileInstaller#install} (a
 * fleet package, a REST deploy, a rollback) writes into the folder must be what the folder loads again at a restart.
 */
public class RedTeamSession9DeployerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /**
     * A signed fleet package (or {@code PUT /api/scripts/blink_test}) with a script named {@code blink_test}: install
     * wrote {@code blink_test.lua} into the folder and deployed it, live and scheduled; the folder keeps
     * {@code x_test.lua} for the tests of {@code x} and never deploys it, so at the next restart the script was gone
     * while the gateway's ledger still said the package was applied (and {@code script:test blink} ran it as blink's
     * tests).
     */
    @Test
    public void aScriptNamedLikeTestsIsRefusedByInstallRatherThanLiveOnlyUntilTheRestart() throws Exception {
        Path deploy = tmp.newFolder("deploy").toPath();
        TomlMetadataCodec codec = new TomlMetadataCodec();
        RecordingManager manager = new RecordingManager();
        ScriptFileInstaller installer = new ScriptFileInstaller(manager, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
        for (String name : new String[] {"blink_test", "Blink_TEST"}) {
            ScriptDefinition d = new ScriptDefinition(codec.parse("version = \"1.0.0\"\n", name + ".toml", name, new ArrayList<>()),
                    "return 'a test file'\n", "fleet package 1");
            try {
                installer.install(d, true);
                RecordingManager restarted = new RecordingManager();
                ScriptFileInstaller again = new ScriptFileInstaller(restarted, codec, new DeploySettings(deploy, 100, 100, 10_000), false);
                again.changed(Set.of(name + ".lua", name + ".toml"));
                again.tick(0);
                again.tick(TimeUnit.MILLISECONDS.toNanos(200));
                fail(name + " installed (live: " + manager.live.containsKey(name) + "), and after a restart live: "
                        + restarted.live.containsKey(name));
            } catch (ScriptException e) {
                assertEquals(e.getMessage(), ErrorKind.METADATA, e.error().kind());
                assertTrue(e.getMessage(), e.getMessage().contains("ends in \"_test\""));
            }
            assertFalse(manager.live.containsKey(name));
            assertFalse(Files.exists(deploy.resolve(name + ".lua")));
        }
    }
}
