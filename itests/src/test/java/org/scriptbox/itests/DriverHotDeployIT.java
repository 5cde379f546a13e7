package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceHealth;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;

/**
 * A driver bundle built in the test (TinyBundles) and dropped into the watched deploy folder: FileInstall
 * installs and starts it, its device appears to scripts; deleting the jar uninstalls it and scripts get
 * "device unavailable".
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DriverHotDeployIT {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String HOT_DRIVER = "scriptbox.itest.hotdriver";

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Configuration
    public Option[] config() throws Exception {
        // The deploy folder's own FileInstall instance is configured from etc, as in the runtime.
        Path etc = Distribution.etcWatchingDeployFolder();
        // TinyBundles runs here, outside the container; the test inside finds the jar through a property.
        Path jar = Distribution.freshFolder("hot-driver").resolve("hot-driver.jar");
        try (InputStream bundle = TinyBundles.bundle()
                .symbolicName("org.scriptbox.itests.hot-driver")
                .addClass(HotDevice.class)
                .addClass(HotDriverActivator.class)
                .activator(HotDriverActivator.class)
                .setHeader("Bundle-ManifestVersion", "2")
                .setHeader("Bundle-Version", "1.0.0")
                .setHeader("Import-Package", "org.osgi.framework, org.osgi.util.promise, org.scriptbox.api.device")
                .build(TinyBundles.rawBuilder())) {
            Files.copy(bundle, jar);
        }
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data")), frameworkProperty(HOT_DRIVER).value(jar.toString())};
    }

    @Test
    public void driverJarDroppedIntoDeployMakesItsDeviceAppearAndRemovingItMakesItDisappear() throws Exception {
        Path deploy = Paths.get(context.getProperty("scriptbox.deploy"));
        Path jar = deploy.resolve("hot-driver.jar");
        // Copied beside and moved in, so that FileInstall never sees a half-written jar.
        Path tmp = Files.createTempFile(deploy.getParent(), "hot-driver", ".tmp");
        Files.copy(Paths.get(context.getProperty(HOT_DRIVER)), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
        awaitDevice("hot-1", true);

        ExecutionResult r = lua(String.join("\n",
                "local s = device_get_status('hot-1')",
                "device_set_motor_speed(0, 25, 'hot-1')",
                "return s.device_type, s.firmware_version"));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("hot-type", "9.9.9"), r.values());

        // A script that keeps using the device while its driver is removed: it gets a clear error and goes on.
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<ExecutionResult> running = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> engine.execute(engine.compile("watch.lua", String.join("\n",
                        "for i = 1, 300 do",
                        "  local ok, err = pcall(device_get_status, 'hot-1')",
                        "  if ok then log_info('ok')",
                        "  elseif err:find('device unavailable') then return 'carried on after: ' .. err end",
                        "  sleep(0.05)",
                        "end",
                        "return 'never saw the device go'")), new ExecutionRequest("watch", "watch-1", null, null,
                        Set.of("device:read"), null, null, (level, message) -> log.add(message))));
        Await.until("the watching script reached the device", BOUND, () -> log.contains("ok"));
        Files.delete(jar);
        awaitDevice("hot-1", false);
        ExecutionResult watched = running.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(String.valueOf(watched.error()), ScriptStatus.COMPLETED, watched.status());
        assertTrue(String.valueOf(watched.values()), watched.values().get(0).toString()
                .startsWith("carried on after: device_get_status: device unavailable: no device 'hot-1'"));
        ExecutionResult gone = lua("device_get_status('hot-1')");
        assertEquals(ScriptStatus.FAILED, gone.status());
        assertEquals(ErrorKind.DEVICE, gone.error().kind());
        assertTrue(gone.error().message(), gone.error().message().contains("device unavailable: no device 'hot-1'"));
    }

    private ExecutionResult lua(String source) {
        return engine.execute(engine.compile("hot.lua", source), new ExecutionRequest("hot", "hot-" + System.nanoTime(),
                null, null, Set.of("device:read", "device:control"), null, null, null));
    }

    private void awaitDevice(String id, boolean present) {
        ScriptDevices.await(engine, id, present, BOUND);
    }

    /** The throw-away driver bundle's activator: one device, registered while the bundle is active. */
    public static class HotDriverActivator implements BundleActivator {
        private ServiceRegistration<Device> registration;

        @Override
        public void start(BundleContext bundleContext) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(Device.DEVICE_ID, "hot-1");
            props.put(Device.DEVICE_TYPE, "hot-type");
            registration = bundleContext.registerService(Device.class, new HotDevice(), props);
        }

        @Override
        public void stop(BundleContext bundleContext) {
            registration.unregister();
        }
    }

    /** A device that answers everything at once. */
    public static class HotDevice implements Device {
        private final DeviceInfo info = new DeviceInfo("hot-1", "hot-type", "9.9.9", 1, 1, List.of("level"));

        @Override
        public String id() {
            return "hot-1";
        }

        @Override
        public DeviceInfo info() {
            return info;
        }

        @Override
        public Promise<DeviceStatus> status() {
            return Promises.resolved(new DeviceStatus(info, DeviceHealth.good(java.time.Instant.now(), java.time.Duration.ZERO), Map.of()));
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
        public Promise<StopReport> emergencyStop() {
            return Promises.resolved(new StopReport("hot-1", List.of()));
        }

        @Override
        public Promise<StopReport> applySafeState(Set<Actuator> touched) {
            return Promises.resolved(new StopReport("hot-1", List.of()));
        }

        @Override
        public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
            return Promises.resolved(Map.of("level", ChannelValue.of(1)));
        }
    }
}
