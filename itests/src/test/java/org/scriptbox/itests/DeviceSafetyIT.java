package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.WriteOutcome;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;

/**
 * Issue 12's device guarantees in the real container with simulated devices: the e-stop's priority lane, per
 * target results, the safe state after an abnormal end, nothing leaking to a script without permissions, health.
 * Every assertion is on the simulated device's own view (its targets, outputs and request counters).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeviceSafetyIT {
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final Set<String> ALL = Set.of("device:read", "device:write", "device:control", "telemetry:read");

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    @Inject
    private CommandProcessor commands;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.freshFolder("etc");
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-ramp.cfg"), "device.id = sim-ramp\nmotors = 2\n");
        // A slow device: 100 ms per answer, so 50 ordinary commands would hold it for 5 s.
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-queue.cfg"),
                "device.id = sim-queue\nfault.delay.ms = 100\nresponse.timeout.ms = 60000\nprobe.interval.ms = 0\n");
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-refuse.cfg"),
                "device.id = sim-refuse\nmotors = 2\ndigital.outputs = 2\nfault.refuse = motor0\n");
        Files.writeString(etc.resolve("org.scriptbox.driver.sim-down.cfg"), "device.id = sim-down\nfault.connect = FAIL\n");
        Files.writeString(etc.resolve("org.scriptbox.devices.cfg"), "command.timeout.ms = 30000\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    @Test
    public void shellEstopReachesTheDeviceBefore50QueuedCommands() throws Exception {
        Device d = device("sim-queue");
        List<Promise<Void>> queued = queue50(d);
        long start = System.nanoTime();
        String out = shell("device:estop sim-queue");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(out, out.startsWith("stopped sim-queue"));
        assertTrue(out, out.contains("motor0: stopped") && out.contains("output7: stopped"));
        assertAbandoned(d, queued, elapsedMs);
    }

    @Test
    public void scriptEstopReachesTheDeviceBefore50QueuedCommands() throws Exception {
        Device d = device("sim-queue");
        List<Promise<Void>> queued = queue50(d);
        long start = System.nanoTime();
        // A script with no permissions at all: the stop needs none.
        ExecutionResult r = lua("panic", "return device_emergency_stop('sim-queue')", Set.of(), new Cancellation());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertAbandoned(d, queued, elapsedMs);
    }

    private List<Promise<Void>> queue50(Device d) throws Exception {
        long sentBefore = (Long) details(d).get("requests.sent");
        List<Promise<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(d.setMotorSpeed(i % 2, 10 + i, CallContext.within(TimeUnit.SECONDS.toNanos(60))));
        }
        Await.until("the first command on the wire", BOUND, () -> {
            try {
                return (Long) details(d).get("requests.sent") > sentBefore;
            } catch (Exception e) {
                return false;
            }
        });
        return queued;
    }

    private void assertAbandoned(Device d, List<Promise<Void>> queued, long stopMillis) throws Exception {
        Map<String, Object> atStop = details(d);
        int abandoned = 0;
        int answered = 0;
        for (Promise<Void> p : queued) {
            Await.until("every queued command settled", BOUND, p::isDone);
            Throwable f = p.getFailure();
            if (f == null) {
                answered++;
            } else {
                assertTrue(String.valueOf(f), f instanceof DeviceException);
                assertEquals(WriteOutcome.NOT_SENT, ((DeviceException) f).outcome());
                abandoned++;
            }
        }
        assertTrue("answered " + answered + ", abandoned " + abandoned + ", stop took " + stopMillis + " ms",
                answered <= 2 && abandoned >= 48);
        Map<String, Object> end = details(d);
        assertEquals("nothing queued before the stop reached the device after it", atStop.get("requests.sent"),
                end.get("requests.sent"));
        assertEquals(0.0, end.get("motor0.target"));
        assertEquals(0.0, end.get("motor1.target"));
        System.out.println("e-stop with 50 queued on a 100 ms device: " + stopMillis + " ms");
    }

    @Test
    public void cancelledRampGoesToTheSafeState() throws Exception {
        Device d = device("sim-ramp");
        Cancellation cancel = new Cancellation();
        CompletableFuture<ExecutionResult> run = CompletableFuture.supplyAsync(() -> lua("ramp", String.join("\n",
                "local s = 0",
                "while true do",
                "  s = s % 90 + 10",
                "  pcall(device_set_motor_speed, 0, s, 'sim-ramp')",
                "  pcall(sleep, 0.01)",
                "end"), ALL, cancel));
        Await.until("the ramp drives motor 0", BOUND, () -> target(d, 0) > 0);
        cancel.cancel("script:cancel");
        ExecutionResult r = run.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertEquals("safe state applied before the result", 0.0, target(d, 0), 0);
    }

    @Test
    public void oneRefusingMotorNeverStopsTheOthers() throws Exception {
        Device d = device("sim-refuse");
        ExecutionResult r = lua("drive", String.join("\n",
                "device_set_motor_speed(1, -20, 'sim-refuse')",
                "device_set_digital_output(0, true, 'sim-refuse')",
                "device_set_digital_output(1, true, 'sim-refuse')",
                "local ok, err = pcall(device_emergency_stop, 'sim-refuse')",
                "return ok, err"), ALL, new Cancellation());
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(Boolean.FALSE, r.values().get(0));
        String err = String.valueOf(r.values().get(1));
        assertTrue(err, err.contains("emergency stop incomplete: sim-refuse: NOT fully stopped: motor0 REFUSED"));
        Map<String, Object> det = details(d);
        assertEquals(0.0, det.get("motor1.target"));
        assertEquals("00", det.get("outputs"));
        String shell = shell("device:estop sim-refuse");
        assertTrue(shell, shell.startsWith("NOT fully stopped sim-refuse") && shell.contains("motor0: REFUSED")
                && shell.contains("motor1: stopped") && shell.contains("output1: stopped"));
    }

    @Test
    public void aScriptWithoutPermissionsLearnsNoInventory() {
        ExecutionResult r = lua("snoop", String.join("\n",
                "local out = {}",
                "for _, f in ipairs({",
                "  function() return device_get_status() end,",
                "  function() return device_set_motor_speed(99, 1) end,",
                "  function() return telemetry_read({'x'}) end,",
                "  function() return device_set_digital_output(300, true, 'nope') end}) do",
                "  local ok, err = pcall(f)",
                "  out[#out + 1] = tostring(err)",
                "end",
                "return table.concat(out, '\\n'), #device_list()"), Set.of(), new Cancellation());
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        String errors = String.valueOf(r.values().get(0));
        for (String secret : List.of("sim-ramp", "sim-queue", "sim-refuse", "sim-down", "motors", "channels")) {
            assertFalse(errors + " leaks " + secret, errors.contains(secret));
        }
        assertEquals(0.0, ((Number) r.values().get(1)).doubleValue(), 0);
    }

    @Test
    public void healthShowsAnUnreachableDevice() throws Exception {
        device("sim-down");
        String list = shell("device:list");
        String line = list.lines().filter(l -> l.startsWith("sim-down")).findFirst().orElse("");
        assertTrue(list, line.contains("DOWN, never answered"));
        String status = shell("device:status sim-down");
        assertTrue(status, status.contains("NOT connected") && status.contains("last error: simulated connection failure"));
        ExecutionResult r = lua("w", "device_set_motor_speed(0, 1, 'sim-down')", ALL, new Cancellation());
        assertEquals(ErrorKind.DEVICE, r.error().kind());
        assertTrue(r.error().message(), r.error().message().contains("(not sent)"));
    }

    private Device device(String id) throws Exception {
        ScriptDevices.await(engine, id, true, BOUND);
        Device d = Services.current(context, Device.class, "(" + Device.DEVICE_ID + "=" + id + ")");
        assertNotNull(id, d);
        return d;
    }

    private static Map<String, Object> details(Device d) throws InvocationTargetException, InterruptedException {
        return d.status().timeout(BOUND.toMillis()).getValue().details();   // bounded: a hung driver fails the test
    }

    private static double target(Device d, int motor) {
        try {
            return (Double) details(d).get("motor" + motor + ".target");
        } catch (InvocationTargetException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
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

    private ExecutionResult lua(String script, String source, Set<String> granted, Cancellation cancel) {
        return engine.execute(engine.compile(script + ".lua", source),
                new ExecutionRequest(script, script + "-" + System.nanoTime(), null, null, granted, cancel, null, null));
    }
}
