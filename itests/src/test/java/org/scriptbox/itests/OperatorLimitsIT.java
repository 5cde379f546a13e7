package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * The operator's caps (etc/org.scriptbox.limits.cfg) bound what a script's own {@code [limits]} may ask
 * for: a script that asks for a day of run time and a trillion instructions still stops at the cap.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OperatorLimitsIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        Path etc = Distribution.etcWatchingDeployFolder();
        Files.writeString(etc.resolve("org.scriptbox.limits.cfg"),
                "max.execution.time.ms = 300\nmax.instructions = 1000000000000\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Test
    public void aScriptAskingForMoreThanTheCapsRunsUnderTheCaps() throws Exception {
        Path folder = ScriptDeployIT.deployFolder(context);
        ScriptDeployIT.write(folder.resolve("greedy.toml"), "version = \"1.0.0\"\npermissions = []\n"
                + "[limits]\nmax_execution_time = \"1d\"\nmax_instructions = 100000000000\n");
        ScriptDeployIT.write(folder.resolve("greedy.lua"), "while true do end\n");
        ScriptDeployIT.awaitStatus(manager, "greedy", ScriptStatus.COMPILED);

        // the caps reach the manager through ConfigAdmin some time after start: wait for the configuration,
        // then run until they hold (a run that started before them ends at the seed's 30 s)
        Await.until("etc/org.scriptbox.limits.cfg in ConfigAdmin", Duration.ofSeconds(20), () -> {
            try {
                org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=org.scriptbox.limits)");
                return found != null && found[0].getProperties() != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ExecutionResult result = Await.until("a run stopped by the 300 ms cap", Duration.ofSeconds(90), () -> {
            try {
                // without the caps this run would last a day: give up on it after 40 s (beyond the seed's 30 s)
                return manager.execute("greedy", List.of()).timeout(40_000).getValue();
            } catch (Exception e) {
                manager.cancel("greedy");
                throw new IllegalStateException(e);
            }
            // a loaded machine may give the loop too little CPU in 300 ms to pass 1,000,000 instructions: run
            // again until it does (bounded), rather than fail on the scheduler's share
        }, r -> r.status() == ScriptStatus.TIMEOUT && r.duration().toMillis() < 5_000 && r.instructions() > 1_000_000);
        assertEquals(ScriptStatus.TIMEOUT, result.status());
        assertTrue("stopped near the cap: " + result.duration(), result.duration().toMillis() < 5_000);
        assertTrue("ran past the seed's 1,000,000 instructions, as the operator allows: " + result.instructions(),
                result.instructions() > 1_000_000);
    }
}
