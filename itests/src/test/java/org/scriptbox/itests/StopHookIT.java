package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptLibrary;

/**
 * In the real container with a simulated device: a cancel cannot be caught around device calls, a cancelled
 * or undeployed script's {@code on_stop} hook runs and drives the device, and a hook that loops is cut by its
 * own budget.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StopHookIT {
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final Set<String> ALL = Set.of("device:read", "device:write", "device:control");

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Inject
    private ScriptManager manager;

    /** What hooks marked through the test library, which the engine configuration lets on_stop call. */
    private final List<String> marks = Collections.synchronizedList(new ArrayList<>());
    private final List<ServiceRegistration<ScriptLibrary>> libraries = new ArrayList<>();

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.freshFolder("etc");
        // A .cfg value is one string: the engine splits the list at commas.
        Files.writeString(etc.resolve("org.scriptbox.engine.cfg"), "on.stop.libraries = devices, ittest-hook\n");
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-h.cfg"), "device.id = sim-h\nmotors = 2\n");
        Files.writeString(etc.resolve("org.scriptbox.devices.cfg"), "default.device = sim-h\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    @Before
    public void libraries() {
        libraries.add(TestLibraries.register(context, "ittest-hook", Map.of("mark", (scope, args) -> {
            marks.add(String.valueOf(args[0]));
            return null;
        })));
        libraries.add(TestLibraries.register(context, "ittest-other", Map.of("other", (scope, args) -> {
            marks.add("other ran");
            return null;
        })));
        ScriptDevices.await(engine, "sim-h", true, BOUND);
        // The engine's configuration comes through ConfigAdmin some time after start.
        Await.until("on_stop may call the test library", BOUND, () -> engine.execute(engine.compile("probe.lua",
                "on_stop(function() mark('probe') end) error('x')"), request("probe", new Cancellation())).cleanupError(),
                e -> e == null);
        marks.clear();
    }

    @After
    public void unregister() {
        libraries.forEach(ServiceRegistration::unregister);
    }

    private ExecutionRequest request(String name, Cancellation cancellation) {
        return new ExecutionRequest(name, name + "-" + System.nanoTime(), null, null, ALL, cancellation, null, null);
    }

    /** The simulator's motor target as scripts see it (a script name of its own each time: polling it must not empty one token bucket). */
    private double motorTarget(int motor) {
        ExecutionResult r = engine.execute(engine.compile("read.lua", "return device_get_status().details['motor"
                + motor + ".target']"), request("read" + System.nanoTime(), new Cancellation()));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        return ((Number) r.values().get(0)).doubleValue();
    }

    private void set(int motor, double speed) {
        ExecutionResult r = engine.execute(engine.compile("set.lua", "device_set_motor_speed(" + motor + ", " + speed + ")"),
                request("set" + System.nanoTime(), new Cancellation()));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
    }

    @Test
    public void aCancelledRampCannotCatchTheCancelAndItsHookStopsTheMotor() throws Exception {
        set(1, 0);
        Cancellation cancel = new Cancellation();
        // The observed attack: device calls wrapped in pcall, carrying on after the cancel to drive motor 1.
        String ramp = String.join("\n",
                "on_stop(function(reason) device_set_motor_speed(0, 0) mark('hook ' .. reason) end)",
                "device_set_motor_speed(0, 40)",
                "for i = 1, 1000 do",
                "  pcall(sleep, 1)",
                "  pcall(device_set_motor_speed, 1, 77)",
                "end",
                "return 'completed'");
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(
                () -> engine.execute(engine.compile("ramp.lua", ramp), request("ramp", cancel)));
        Await.until("the ramp set motor 0", BOUND, () -> motorTarget(0) == 40.0);
        assertEquals("cancel comes during the first sleep", 0.0, motorTarget(1), 0);
        cancel.cancel("shell");
        ExecutionResult r = run.get(10, TimeUnit.SECONDS);
        assertEquals(String.valueOf(r.error()), ScriptStatus.CANCELLED, r.status());
        assertNull(r.cleanupError());
        assertEquals(List.of("hook cancelled"), marks);
        assertEquals("on_stop set the motor to 0", 0.0, motorTarget(0), 0);
        assertEquals("no device call after the cancel reached the driver", 0.0, motorTarget(1), 0);
    }

    @Test
    public void aLoopingHookIsCutByItsOwnBudget() {
        long t0 = System.nanoTime();
        ExecutionResult r = engine.execute(engine.compile("loop.lua",
                "on_stop(function() mark('looping') while true do end end)\nerror('broken')"),
                request("loop", new Cancellation()));
        assertEquals(ScriptStatus.FAILED, r.status());
        assertEquals(ErrorKind.RUNTIME, r.error().kind());
        assertEquals(ErrorKind.LIMIT, r.cleanupError().kind());
        assertTrue(r.cleanupError().message(), r.cleanupError().message().startsWith("on_stop: instruction limit of 100000"));
        assertTrue("cut quickly", System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertEquals(List.of("looping"), marks);
    }

    @Test
    public void libraryFunctionsNotConfiguredForTheHookAreRefusedThere() {
        ExecutionResult r = engine.execute(engine.compile("other.lua",
                "on_stop(function() mark(tostring(pcall(other))) end)\nerror('broken')"), request("other", new Cancellation()));
        assertNull(r.cleanupError());
        assertEquals(List.of("false"), marks);
    }

    @Test
    public void anUndeployedScriptsHookRuns() throws Exception {
        set(0, 0);
        Path folder = ScriptDeployIT.deployFolder(context);
        ScriptDeployIT.write(folder.resolve("hooked.toml"), "version = \"1.0.0\"\npermissions = [\"device:control\", \"device:read\"]\n");
        ScriptDeployIT.write(folder.resolve("hooked.lua"), String.join("\n",
                "on_stop(function(reason) mark('undeployed ' .. reason) end)",
                "device_set_motor_speed(0, 30)",
                "sleep(10)", "sleep(10)", "sleep(10)"));
        ScriptDeployIT.awaitStatus(manager, "hooked", ScriptStatus.COMPILED);
        Promise<ExecutionResult> run = manager.execute("hooked", List.of());
        Await.until("hooked set motor 0", BOUND, () -> motorTarget(0) == 30.0);
        Files.delete(folder.resolve("hooked.lua"));
        ExecutionResult r = run.timeout(10_000).getValue();
        assertEquals(String.valueOf(r.error()), ScriptStatus.CANCELLED, r.status());
        assertNull(r.cleanupError());
        assertEquals("the undeployed script's on_stop ran", List.of("undeployed cancelled"), marks);
        set(0, 0);
    }
}
