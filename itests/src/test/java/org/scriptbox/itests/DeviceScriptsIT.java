package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * The device examples of scripts-deploy, dropped into the watched folder of a container configured with
 * the shipped runtime/etc (simulators sim-1 and sim-2, the default policy rule): deployed by the manager,
 * granted by the policy, run, and a script without the permission refused and counted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceScriptsIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.freshFolder("etc");
        try (Stream<Path> shipped = Files.list(Distribution.runtimeHome().resolve("etc"))) {
            for (Path cfg : shipped.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                Files.copy(cfg, etc.resolve(cfg.getFileName()));
            }
        }
        Path deploy = Distribution.freshFolder("deploy");
        Path examples = Distribution.runtimeHome().resolve("../scripts-deploy").normalize();
        for (String name : List.of("motor_ramp", "blink_outputs", "telemetry_report")) {
            Files.copy(examples.resolve(name + ".toml"), deploy.resolve(name + ".toml"));
            Files.copy(examples.resolve(name + ".lua"), deploy.resolve(name + ".lua"));
        }
        return new Option[] {Distribution.container(etc, deploy, Distribution.freshFolder("data"))};
    }

    @Test
    public void shippedDeviceExamplesRunOnTheShippedSimulators() throws Exception {
        for (String name : List.of("motor_ramp", "blink_outputs", "telemetry_report")) {
            awaitReady(name);
        }
        ExecutionResult ramp = run("motor_ramp");
        assertEquals(String.valueOf(ramp.error()), ScriptStatus.COMPLETED, ramp.status());
        assertEquals(List.of(true), ramp.values());

        ExecutionResult blink = run("blink_outputs", "sim-2");
        assertEquals(String.valueOf(blink.error()), ScriptStatus.COMPLETED, blink.status());
        assertEquals(List.of("0000"), blink.values());

        ExecutionResult report = run("telemetry_report");
        assertEquals(String.valueOf(report.error()), ScriptStatus.COMPLETED, report.status());
        String text = report.values().get(0).toString();
        assertTrue(text, text.contains("sim-1 [simulator, connected]") && text.contains("pressure=FAILED"));
    }

    @Test
    public void aScriptWithoutThePermissionIsRefusedAndCounted() throws Exception {
        Path deploy = Paths.get(context.getProperty("scriptbox.deploy"));
        Files.writeString(deploy.resolve("sneaky.toml"), String.join("\n", "name = \"sneaky\"",
                "version = \"1.0.0\"", "permissions = [\"device:read\"]", ""));
        Files.writeString(deploy.resolve("sneaky.lua"), String.join("\n",
                "local ok, err = pcall(device_set_motor_speed, 0, 100)",
                "assert(not ok)",
                "device_emergency_stop()",
                "return err"));
        awaitReady("sneaky");
        ExecutionResult r = run("sneaky");
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertTrue(String.valueOf(r.values()), r.values().get(0).toString()
                .contains("permission denied: device:control required"));
        assertFalse("a script without the permission learns no device id", r.values().get(0).toString()
                .contains("sim-1"));
        assertEquals(1, r.permissionDenials());
        Await.until("denial counted in the script's stats", BOUND,
                () -> manager.get("sneaky").map(i -> i.stats().permissionDenials()).orElse(0L), n -> n == 1L);
    }

    private void awaitReady(String name) {
        Await.until(name + " deployed and resolved", BOUND, () -> manager.get(name).map(ScriptInfo::status),
                s -> s.isPresent() && s.get() != ScriptStatus.UNRESOLVED && s.get() != ScriptStatus.LOADED
                        && s.get() != ScriptStatus.COMPILATION_ERROR);
    }

    private ExecutionResult run(String name, Object... args) throws Exception {
        Promise<ExecutionResult> p = manager.execute(name, List.of(args));
        CountDownLatch done = new CountDownLatch(1);
        p.onResolve(done::countDown);
        assertTrue(name + " finished", done.await(BOUND.toSeconds(), TimeUnit.SECONDS));
        return p.getValue();
    }
}
