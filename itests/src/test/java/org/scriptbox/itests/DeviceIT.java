package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.security.PermissionService;

/**
 * The device stack in the real container: simulated devices from .cfg files in etc, the device library in
 * the engine's Lua globals, the policy from ConfigAdmin, and the device:* shell commands.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceIT {
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final Set<String> ALL = Set.of("device:read", "device:write", "device:control", "telemetry:read");

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Inject
    private PermissionService permissions;

    @Inject
    private CommandProcessor commands;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.freshFolder("etc");
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-a.cfg"),
                "device.id = sim-a\nmotors = 2\nchannels = temperature,voltage,current\n");
        Files.writeString(etc.resolve("org.scriptbox.devices.cfg"), "default.device = sim-a\ncommand.timeout.ms = 30000\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    @Test
    public void simulatedDeviceFromEtcIsAServiceAndScriptsDriveIt() {
        awaitDevice("sim-a", true);
        ExecutionResult r = lua("drive", String.join("\n",
                "device_set_motor_speed(1, 60)",
                "device_set_digital_output(0, true)",
                "local s = device_get_status()",
                "assert(s.connected and s.device_type == 'simulator')",
                "local t = telemetry_read({'voltage'})",
                "assert(t.voltage > 20)",
                "return s.details['motor1.target'], s.details.outputs"), ALL);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(60.0, ((Number) r.values().get(0)).doubleValue(), 0);
        assertEquals("10000000", r.values().get(1));
    }

    @Test
    public void deviceLibraryIsRegisteredForTheEngine() throws Exception {
        Collection<ServiceReference<ScriptLibrary>> libs = context.getServiceReferences(ScriptLibrary.class, null);
        boolean found = false;
        for (ServiceReference<ScriptLibrary> ref : libs) {
            ScriptLibrary lib = context.getService(ref);
            if ("devices".equals(lib.name())) {
                found = lib.functions().keySet().containsAll(List.of("device_set_motor_speed",
                        "device_set_digital_output", "device_emergency_stop", "device_get_status", "telemetry_read",
                        "sleep", "log_info", "log_warn", "log_error"));
            }
            context.ungetService(ref);
        }
        assertTrue("the devices library offers the seed's functions", found);
    }

    @Test
    public void configFilesAddAndRemoveDevices() throws Exception {
        Path cfg = etc().resolve("org.scriptbox.driver.sim-extra.cfg");
        Files.writeString(cfg, "device.id = sim-extra\nmotors = 1\n");
        awaitDevice("sim-extra", true);
        Files.delete(cfg);
        awaitDevice("sim-extra", false);
        ExecutionResult r = lua("gone", "device_get_status('sim-extra')", ALL);
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.DEVICE, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains("device unavailable"));
    }

    @Test
    public void driverStoppedMidCallFailsTheCallAtOnce() throws Exception {
        Path cfg = etc().resolve("org.scriptbox.driver.sim-slow.cfg");
        Files.writeString(cfg, "device.id = sim-slow\nfault.delay.ms = 60000\nresponse.timeout.ms = 120000\n");
        awaitDevice("sim-slow", true);
        CompletableFuture<ExecutionResult> call = new CompletableFuture<>();
        Thread caller = new Thread(() -> call.complete(lua("waiting", "device_set_motor_speed(0, 10, 'sim-slow')", ALL)));
        caller.start();
        // The only wait in that call is the device API's bounded wait for the driver's answer.
        Await.until("call waiting for the slow device", BOUND, () -> caller.getState() == Thread.State.TIMED_WAITING);
        long start = System.nanoTime();
        Files.delete(cfg);
        ExecutionResult r = call.get(10, TimeUnit.SECONDS);
        assertEquals(ScriptStatus.FAILED, r.status());
        assertTrue(r.error().message(), r.error().message().contains("outcome unknown: 'sim-slow': driver stopped"));
        assertTrue("ended at once, not at the 30 s command timeout",
                System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    public void policyRuleFromConfigAdminRestrictsGrantsAndDevices() throws Exception {
        awaitDevice("sim-a", true);
        assertEquals("no rule: the seed's behaviour", Set.of("device:control", "device:read"),
                permissions.grant("any", Set.of("device:control", "device:read", "device:bogus")));
        Path rule = etc().resolve("org.scriptbox.devices.rule-readers.cfg");
        Files.writeString(rule, "scripts = report_*\npermissions = device:read,telemetry:read\ndevices = sim-*\n");
        try {
            Await.until("policy rule active", BOUND,
                    () -> permissions.grant("report_daily", Set.of("device:control", "device:read")),
                    Set.of("device:read")::equals);
            assertEquals(Set.of(), permissions.grant("other", Set.of("device:read")));
            ExecutionResult r = lua("report_daily", String.join("\n",
                    "local ok, err = pcall(device_set_motor_speed, 0, 10)",
                    "assert(not ok and err:find('permission denied: device:control'), err)",
                    "return device_get_status().device_id"), ALL);
            assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
            assertEquals(List.of("sim-a"), r.values());
            assertEquals(1, r.permissionDenials());
        } finally {
            Files.delete(rule);
            Await.until("policy rule removed", BOUND,
                    () -> permissions.grant("other", Set.of("device:read")), Set.of("device:read")::equals);
        }
    }

    @Test
    public void shellCommands() throws Exception {
        awaitDevice("sim-a", true);
        String list = shell("device:list");
        assertTrue(list, list.contains("sim-a") && list.contains("simulator") && list.contains(" ok, "));
        String status = shell("device:status sim-a");
        assertTrue(status, status.startsWith("device sim-a (simulator, firmware sim-1.0.0): connected"));
        assertTrue(status, status.contains("health: reachable; last good exchange: "));
        String telemetry = shell("device:telemetry sim-a voltage temperature");
        assertTrue(telemetry, telemetry.contains("voltage") && telemetry.contains("temperature")
                && !telemetry.contains("current"));
        assertTrue(shell("device:telemetry sim-a").contains("current"));
        assertTrue(shell("device:estop").contains("stopped sim-a"));
        assertEquals("no device 'nope'; devices: sim-a", shell("device:status nope").replaceAll(", sim-\\w+-?\\w*", ""));
    }

    private String shell(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true);
        CommandSession session = commands.createSession(new ByteArrayInputStream(new byte[0]), print, print);
        try {
            Object result = session.execute(command);
            assertNotNull(command + " returned nothing; output: " + out, result);
            return result.toString();
        } finally {
            session.close();
        }
    }

    private ExecutionResult lua(String script, String source, Set<String> granted) {
        return engine.execute(engine.compile(script + ".lua", source),
                new ExecutionRequest(script, script + "-" + System.nanoTime(), null, null, granted, null, null, null));
    }

    private Path etc() {
        return Paths.get(context.getProperty("felix.fileinstall.dir"));
    }

    private void awaitDevice(String id, boolean present) {
        ScriptDevices.await(engine, id, present, BOUND);
    }
}
