package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * Version history, rollback and enable/disable in the real container, through the real Gogo commands:
 * the versions come from real files in the watched folder, and a rollback writes the old version back
 * there (the folder stays the source of truth).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScriptVersionsIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager injected;

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    private Path folder() {
        return ScriptDeployIT.deployFolder(context);
    }

    private ScriptManager manager() {
        ScriptManager m = Services.current(context, ScriptManager.class);
        return m == null ? injected : m;
    }

    private String shell(String command) throws Exception {
        return Shell.execute(context, command);
    }

    private ScriptInfo awaitVersion(String name, String version) {
        return Await.until(name + " " + version, ScriptDeployIT.BOUND, () -> manager().get(name),
                i -> i.isPresent() && i.get().metadata().version().equals(version) && i.get().status() == ScriptStatus.COMPILED)
                .get();
    }

    @Test
    public void historyDiffAndRollbackGoThroughTheDeployFolder() throws Exception {
        ScriptDeployIT.write(folder().resolve("ramp.toml"), "version = \"1.0.0\"\npermissions = []\n");
        ScriptDeployIT.write(folder().resolve("ramp.lua"), "local speed = 10\nreturn 'one', speed\n");
        awaitVersion("ramp", "1.0.0");
        ScriptDeployIT.write(folder().resolve("ramp.toml"), "version = \"2.0.0\"\npermissions = []\n");
        ScriptDeployIT.write(folder().resolve("ramp.lua"), "local speed = 90\nreturn 'two', speed\n");
        awaitVersion("ramp", "2.0.0");

        String history = shell("script:history ramp");
        assertTrue(history, history.matches("(?s).*\n\\* +2 +2\\.0\\.0 +\\S+ \\S+ +" + folder().resolve("ramp.lua") + "\n.*"));
        assertTrue(history, history.matches("(?s).*\n +1 +1\\.0\\.0 .*"));

        String diff = shell("script:diff ramp 1 2");
        assertTrue(diff, diff.contains("--- ramp.lua #1\n+++ ramp.lua #2\n@@ -1 +1 @@\n-local speed = 10\n-return 'one', speed\n"
                + "+local speed = 90\n+return 'two', speed\n"));
        assertTrue(diff, diff.contains("-version = \"1.0.0\"\n+version = \"2.0.0\""));

        String rollback = shell("script:rollback ramp");
        assertTrue(rollback, rollback.startsWith("rolled 'ramp' back to version 1.0.0"));
        assertEquals(List.of("one", 10.0), ScriptDeployIT.run(manager(), "ramp").values());
        // written back: the folder holds the version that is live, and a restart would deploy it again
        assertEquals("local speed = 10\nreturn 'one', speed\n", Files.readString(folder().resolve("ramp.lua")));
        assertTrue(Files.readString(folder().resolve("ramp.toml")).contains("version = \"1.0.0\""));
        assertTrue(shell("script:history ramp").matches("(?s).*\n\\* +3 +1\\.0\\.0 .*"));

        // the folder is still the source of truth: the next edit there goes live as usual
        ScriptDeployIT.write(folder().resolve("ramp.toml"), "version = \"3.0.0\"\npermissions = []\n");
        ScriptDeployIT.write(folder().resolve("ramp.lua"), "return 'three'\n");
        ScriptInfo three = awaitVersion("ramp", "3.0.0");
        assertEquals(List.of(), three.warnings()); // one source all along: the rollback wrote to the folder
        assertTrue(shell("script:rollback ramp 9").startsWith("rollback failed, nothing changed: script 'ramp' has no kept version 9"));
        assertEquals("script 'ramp' has no kept version 7 (script:history ramp lists them)", shell("script:diff ramp 1 7"));
    }

    @Test
    public void aDisabledScriptIsRefusedAndStaysDisabledWhenTheManagerRestarts() throws Exception {
        ScriptDeployIT.write(folder().resolve("pump.toml"), "version = \"1.0.0\"\npermissions = []\n");
        ScriptDeployIT.write(folder().resolve("pump.lua"), "return 'pumping'\n");
        awaitVersion("pump", "1.0.0");
        assertEquals("script 'pump' disabled: DISABLED", shell("script:disable pump"));
        String refused = shell("script:run pump");
        assertTrue(refused, refused.contains("disabled (script:enable pump to run it again)"));

        Bundle bundle = null;
        for (Bundle b : context.getBundles()) {
            if ("org.scriptbox.manager".equals(b.getSymbolicName())) {
                bundle = b;
            }
        }
        ScriptManager before = manager();
        bundle.stop();
        bundle.start();
        ScriptManager restarted = Await.until("the restarted manager", ScriptDeployIT.BOUND,
                () -> Services.current(context, ScriptManager.class), m -> m != null && m != before);
        Await.until("pump redeployed, still disabled", ScriptDeployIT.BOUND, () -> restarted.get("pump"),
                i -> i.isPresent() && i.get().status() == ScriptStatus.DISABLED);
        assertEquals("script 'pump' enabled: COMPILED", shell("script:enable pump"));
        assertEquals(List.of("pumping"), ScriptDeployIT.run(restarted, "pump").values());
        assertEquals("no deployed script named 'ghost'", shell("script:disable ghost"));
    }
}
