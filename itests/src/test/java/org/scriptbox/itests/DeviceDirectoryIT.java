package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.DeviceDirectory;

/**
 * One place tracks devices (issue 13 point 9): real simulated drivers from etc files, the devices bundle's
 * directory, script resolution in the manager, and the shell's device:list all agree at every step, also
 * when two drivers register the same id and the first one leaves.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceDirectoryIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Inject
    private DeviceDirectory directory;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private ServiceRegistration<ScriptListener> listening;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.etcWatchingDeployFolder();
        for (String cfg : List.of("org.scriptbox.devices.policy.cfg", "org.scriptbox.devices.rule-default.cfg")) {
            Files.copy(Distribution.runtimeHome().resolve("etc").resolve(cfg), etc.resolve(cfg));
        }
        Files.writeString(etc.resolve("org.scriptbox.devices.cfg"), "command.timeout.ms = 5000\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Before
    public void listen() {
        listening = context.registerService(ScriptListener.class, e -> events.add(e.type() + " " + e.script().name()), null);
    }

    @After
    public void stopListening() {
        listening.unregister();
    }

    private Path etc() {
        return Path.of(context.getProperty("felix.fileinstall.dir"));
    }

    private void driver(String file, String id, String firmware) throws Exception {
        ScriptDeployIT.write(etc().resolve("org.scriptbox.driver.sim-" + file + ".cfg"),
                "device.id = " + id + "\nfirmware.version = " + firmware + "\nprobe.interval.ms = 0\n");
    }

    private void removeDriver(String file) throws Exception {
        Files.delete(etc().resolve("org.scriptbox.driver.sim-" + file + ".cfg"));
    }

    private void deployUser(String name, String deviceId) throws Exception {
        Path folder = ScriptDeployIT.deployFolder(context);
        ScriptDeployIT.write(folder.resolve(name + ".toml"), "version = \"1.0.0\"\npermissions = [\"device:read\"]\n"
                + "devices = [\"" + deviceId + "\"]\n");
        ScriptDeployIT.write(folder.resolve(name + ".lua"), "return device_get_status('" + deviceId + "').firmware_version\n");
    }

    private int registrations(String id) throws Exception {
        var refs = context.getServiceReferences(Device.class, "(" + Device.DEVICE_ID + "=" + id + ")");
        return refs.size();
    }

    private String firmwareSeenBy(String script) throws Exception {
        Promise<ExecutionResult> p = manager.execute(script, List.of());
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        p.onResolve(done::countDown);
        assertTrue(script + " finished", done.await(BOUND.toSeconds(), TimeUnit.SECONDS));
        if (p.getFailure() != null) {
            throw new AssertionError(script + " refused: " + p.getFailure().getMessage());
        }
        ExecutionResult r = p.getValue();
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        return String.valueOf(r.values().get(0));
    }

    private boolean listed(String id) throws Exception {
        for (String line : Shell.execute(context, "device:list").split("\\R")) {
            if (line.startsWith(id + " ")) {
                return true;
            }
        }
        return false;
    }

    private boolean resolved(String script) {
        return manager.get(script).map(i -> i.status() != ScriptStatus.UNRESOLVED).orElse(false);
    }

    /** Directory, shell and resolution say the same about the id. */
    private void assertAgree(String id, String script, boolean present) throws Exception {
        assertEquals("directory", present, directory.ids().contains(id));
        assertEquals("device:list", present, listed(id));
        assertEquals("resolution of " + script + ": " + manager.get(script), present, resolved(script));
    }

    @Test
    public void twoDriversWithOneIdTheSecondStepsInAndScriptsStayResolved() throws Exception {
        deployUser("twin_user", "sim-twin");
        ScriptDeployIT.awaitStatus(manager, "twin_user", ScriptStatus.UNRESOLVED);
        assertTrue(manager.get("twin_user").get().waitingFor().contains("device sim-twin"));
        assertAgree("sim-twin", "twin_user", false);

        driver("twin-a", "sim-twin", "fw-a");
        Await.until("twin_user resolved", BOUND, () -> resolved("twin_user"));
        assertAgree("sim-twin", "twin_user", true);
        assertEquals("fw-a", firmwareSeenBy("twin_user"));

        driver("twin-b", "sim-twin", "fw-b");
        Await.until("two registrations of sim-twin", BOUND, () -> {
            try {
                return registrations("sim-twin") == 2;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertAgree("sim-twin", "twin_user", true);
        assertEquals("the first registration keeps the id", "fw-a", firmwareSeenBy("twin_user"));
        assertEquals("one line per id", 1, Shell.execute(context, "device:list").lines()
                .filter(l -> l.startsWith("sim-twin ")).count());

        events.clear();
        removeDriver("twin-a");
        Await.until("the second driver serves sim-twin", BOUND, () -> {
            try {
                return firmwareSeenBy("twin_user");
            } catch (Exception | AssertionError e) {
                // a run that starts while the first driver stops fails ("driver stopped"): not yet, try again
                throw new IllegalStateException(e);
            }
        }, "fw-b"::equals);
        assertAgree("sim-twin", "twin_user", true);
        assertFalse("the script never stopped being resolved: " + events, events.contains("UNRESOLVED twin_user"));

        removeDriver("twin-b");
        Await.until("twin_user unresolved", BOUND, () -> !resolved("twin_user"));
        assertAgree("sim-twin", "twin_user", false);
        assertEquals(List.of("UNRESOLVED twin_user"), events);
    }

    @Test
    public void aDriverWhoseIdChangesMovesItsScriptsWithIt() throws Exception {
        deployUser("old_user", "sim-old");
        deployUser("new_user", "sim-new");
        driver("mover", "sim-old", "fw-m");
        Await.until("old_user resolved", BOUND, () -> resolved("old_user"));
        assertAgree("sim-old", "old_user", true);
        assertAgree("sim-new", "new_user", false);

        driver("mover", "sim-new", "fw-m");   // the operator edits the file: ConfigAdmin updates the driver
        Await.until("new_user resolved", BOUND, () -> resolved("new_user"));
        Await.until("old_user unresolved", BOUND, () -> !resolved("old_user"));
        assertAgree("sim-old", "old_user", false);
        assertAgree("sim-new", "new_user", true);
        assertEquals("fw-m", firmwareSeenBy("new_user"));
        removeDriver("mover");
        Await.until("new_user unresolved", BOUND, () -> !resolved("new_user"));
    }

    /** A driver of the probe's own: the id rule is the same for resolution, the shell and the script API. */
    private static final class ProbeDevice implements Device {
        private final DeviceInfo info;

        ProbeDevice(String ownId) {
            info = new DeviceInfo(ownId, "probe", "probe-1", 1, 1, List.of());
        }

        @Override
        public String id() {
            return info.id();
        }

        @Override
        public DeviceInfo info() {
            return info;
        }

        @Override
        public Promise<DeviceStatus> status() {
            return Promises.resolved(new DeviceStatus(info, DeviceHealth.good(Instant.now(), Duration.ZERO), Map.of()));
        }

        @Override
        public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
            return Promises.resolved(null);
        }

        @Override
        public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
            return Promises.resolved(null);
        }

        @Override
        public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
            return Promises.resolved(Map.of());
        }

        @Override
        public Promise<StopReport> emergencyStop() {
            return Promises.resolved(new StopReport(info.id(), List.of()));
        }

        @Override
        public Promise<StopReport> applySafeState(Set<Actuator> touched) {
            return Promises.resolved(new StopReport(info.id(), List.of()));
        }
    }

    /**
     * Before the directory, the manager knew only the device.id property and the shell only Device.id(): a
     * device registered without the property was usable by scripts but never resolved them, and one whose
     * property differed from its own id was listed by the shell under the wrong one.
     */
    @Test
    public void oneIdRuleTheServicePropertyElseTheDevicesOwnId() throws Exception {
        deployUser("bare_user", "sim-bare");
        deployUser("prop_user", "sim-prop");
        deployUser("own_user", "sim-own");
        for (String name : List.of("bare_user", "prop_user", "own_user")) {
            ScriptDeployIT.awaitStatus(manager, name, ScriptStatus.UNRESOLVED);
        }
        ServiceRegistration<Device> bare = context.registerService(Device.class, new ProbeDevice("sim-bare"),
                new Hashtable<>(Map.of(Device.DEVICE_TYPE, "probe")));
        ServiceRegistration<Device> differing = context.registerService(Device.class, new ProbeDevice("sim-own"),
                new Hashtable<>(Map.of(Device.DEVICE_ID, "sim-prop", Device.DEVICE_TYPE, "probe")));
        try {
            // the directory tells the manager while the registration is made: no wait needed
            assertAgree("sim-bare", "bare_user", true);
            assertAgree("sim-prop", "prop_user", true);
            assertAgree("sim-own", "own_user", false);
            assertEquals("probe-1", firmwareSeenBy("bare_user"));
            assertEquals("probe-1", firmwareSeenBy("prop_user"));
        } finally {
            bare.unregister();
            differing.unregister();
        }
        assertAgree("sim-bare", "bare_user", false);
        assertAgree("sim-prop", "prop_user", false);
    }
}
