package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;

/**
 * Bad values set through the real ConfigAdmin on every component's PID (issue 13 point 8): each is refused with
 * one line naming the PID, key and value, the old value is kept (drivers are not started), and no stack trace
 * reaches the log.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigRefusalIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ScriptManager manager;

    @Inject
    private DeviceDirectory directory;

    @Configuration
    public Option[] config() throws IOException {
        Path etc = Distribution.etcWatchingDeployFolder();
        Files.copy(Distribution.runtimeHome().resolve("etc/org.ops4j.pax.logging.cfg"), etc.resolve("org.ops4j.pax.logging.cfg"));
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private Path logFile() {
        return ContainerLog.file(context);
    }

    private List<String> logLines() {
        return ContainerLog.lines(context);
    }

    private void set(String pid, Map<String, Object> values) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, "?");
        c.update(new Hashtable<>(values));
    }

    private void awaitLine(String marker) {
        Await.until(marker, BOUND, () -> logLines().stream().anyMatch(l -> l.contains(marker)));
    }

    /** Waits for the refusal line of {@code key = 'value'} on {@code pid}; returns it. */
    private String awaitRefusal(String pid, String key, String value, String ending) {
        String marker = "configuration " + pid + ": " + key + " = '" + value + "' refused";
        List<String> found = Await.until(marker, BOUND, () -> logLines().stream().filter(l -> l.contains(marker))
                .collect(Collectors.toList()), l -> !l.isEmpty());
        String line = found.get(found.size() - 1);
        assertTrue(line, line.contains(" ERROR ") && line.endsWith(ending));
        return line;
    }

    @Test
    public void everyPidRefusesBadValuesWithOneLineAndKeepsItsOldValue() throws Exception {
        ContainerLog.awaitFileAppender(context, BOUND);
        int linesBefore = logLines().size();
        // a good value first, so "keeping" names the operator's value, not a default
        set("org.scriptbox.manager", Map.of("max.concurrent", "3"));
        awaitLine("script manager: at most 3 concurrent executions");
        set("org.scriptbox.manager", Map.of("max.concurrent", "0", "queue.capacity", "abc"));
        awaitRefusal("org.scriptbox.manager", "max.concurrent", "0", "keeping 3");
        awaitRefusal("org.scriptbox.manager", "queue.capacity", "abc", "keeping 100");
        set("org.scriptbox.manager", Map.of("max.concurrent", "-1"));
        awaitRefusal("org.scriptbox.manager", "max.concurrent", "-1", "keeping 3");

        set("org.scriptbox.engine", Map.of("compile.after.instructions", "-5", "compile", "fast", "on.stop.time.ms", "abc"));
        awaitRefusal("org.scriptbox.engine", "compile.after.instructions", "-5", "keeping 1000000");
        awaitRefusal("org.scriptbox.engine", "compile", "fast", "keeping adaptive");
        awaitRefusal("org.scriptbox.engine", "on.stop.time.ms", "abc", "keeping 1000");

        set("org.scriptbox.scheduler", Map.of("max.parallel.runs", "3"));
        awaitLine("3 parallel runs");
        set("org.scriptbox.scheduler", Map.of("max.parallel.runs", "0", "min.interval.ms", "abc", "timer.threads", "-1"));
        awaitRefusal("org.scriptbox.scheduler", "max.parallel.runs", "0", "keeping 3");
        awaitRefusal("org.scriptbox.scheduler", "min.interval.ms", "abc", "keeping 100");
        awaitRefusal("org.scriptbox.scheduler", "timer.threads", "-1", "keeping 1");

        set("org.scriptbox.resources", Map.of("max.cpu.load", "NaN", "cpu.samples", "0"));
        awaitRefusal("org.scriptbox.resources", "max.cpu.load", "NaN", "keeping 0.95");
        awaitRefusal("org.scriptbox.resources", "cpu.samples", "0", "keeping 3");

        set("org.scriptbox.devices.policy", Map.of("rate", "-1", "burst", "abc"));
        awaitRefusal("org.scriptbox.devices.policy", "rate", "-1", "keeping 10");
        awaitRefusal("org.scriptbox.devices.policy", "burst", "abc", "keeping 50");

        set("org.scriptbox.devices", Map.of("command.timeout.ms", "abc"));
        awaitRefusal("org.scriptbox.devices", "command.timeout.ms", "abc", "keeping 2000");

        set("org.scriptbox.limits", Map.of("max.instructions", "abc"));
        Await.until("limits refusal", BOUND, () -> logLines().stream()
                .anyMatch(l -> l.contains("configuration org.scriptbox.limits: max.instructions = 'abc' refused")));

        // a driver with a bad value is not started at all: no device with a guessed setting
        org.osgi.service.cm.Configuration sim = configAdmin.createFactoryConfiguration("org.scriptbox.driver.sim", "?");
        Dictionary<String, Object> bad = new Hashtable<>(Map.of("device.id", "sim-bad", "motors", "abc"));
        sim.update(bad);
        String line = awaitRefusal(sim.getPid(), "motors", "abc", "; not started");
        assertTrue(line, !directory.ids().contains("sim-bad"));
        assertEquals(0, context.getServiceReferences(Device.class, "(device.id=sim-bad)").size());
        // mended, it starts
        sim.update(new Hashtable<>(Map.of("device.id", "sim-bad", "motors", "1")));
        Await.until("sim-bad started once mended", BOUND, () -> directory.ids().contains("sim-bad"));
        sim.delete();

        List<String> all = logLines(); // one read: the log grows meanwhile (three reads gave toIndex > size)
        List<String> after = all.subList(Math.min(linesBefore, all.size()), all.size());
        for (String l : after) {
            assertTrue("no stack trace or exception text in the log: " + l,
                    !l.contains("Exception") && !l.startsWith("\tat ") && !l.contains("NumberFormat"));
        }
        assertTrue("the manager still works", manager.list() != null);
    }
}
