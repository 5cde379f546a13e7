package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.schedule.ExecutionLoad;

/** The execution bound configured through ConfigAdmin (etc/org.scriptbox.manager.cfg): one running, one queued, then BUSY. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScriptLimitsIT {
    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    @Configuration
    public Option[] config() throws IOException {
        Path etc = Distribution.etcWatchingDeployFolder();
        Files.writeString(etc.resolve("org.scriptbox.manager.cfg"), "max.concurrent = 1\nqueue.capacity = 1\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Test
    public void beyondTheBoundAndTheQueueExecutionsAreRefusedAsBusy() throws Exception {
        ServiceRegistration<ScriptLibrary> library = TestLibraries.register(context, "itest-wait",
                Map.of("wait_ms", TestLibraries.waitMs()));
        try {
            Path folder = ScriptDeployIT.deployFolder(context);
            ScriptDeployIT.write(folder.resolve("waiter.toml"), "version = \"1.0.0\"\npermissions = []\n[limits]\nmax_execution_time = \"1m\"\n");
            ScriptDeployIT.write(folder.resolve("waiter.lua"), "wait_ms(50000)\nreturn 'done'\n");
            ScriptDeployIT.awaitStatus(manager, "waiter", ScriptStatus.COMPILED);

            // the configuration reaches the manager some time after start: try until the third run is refused
            List<Promise<ExecutionResult>> admitted = new ArrayList<>();
            ScriptException busy = Await.until("the configured bound (1 running + 1 queued)", Duration.ofSeconds(20), () -> {
                manager.cancel("waiter");
                admitted.clear();
                admitted.add(manager.execute("waiter", List.of()));
                admitted.add(manager.execute("waiter", List.of()));
                return failure(manager.execute("waiter", List.of()));
            }, e -> e != null && e.kind() == ErrorKind.BUSY);
            assertTrue(busy.getMessage(), busy.getMessage().startsWith("rejected: system busy"));
            assertTrue(busy.getMessage(), busy.getMessage().contains("1 of 1 queue places taken"));
            // the manager's ExecutionLoad feeds the resource monitor: the operator sees the queue, not "0 queued"
            ServiceReference<ExecutionLoad> load = context.getServiceReference(ExecutionLoad.class);
            assertNotNull("the manager registers ExecutionLoad", load);
            assertEquals("org.scriptbox.manager", load.getBundle().getSymbolicName());
            assertEquals(1, Services.current(context, ExecutionLoad.class).activeExecutions());
            assertEquals(1, Services.current(context, ExecutionLoad.class).queuedExecutions());
            String resources = Await.until("sched:resources showing the load", Duration.ofSeconds(10),
                    () -> shell("sched:resources"), text -> text.matches("(?s).*executions +1 running, 1 queued.*"));
            assertTrue(resources, resources.contains("1 queued"));
            assertEquals(2, manager.cancel("waiter"));
            for (Promise<ExecutionResult> p : admitted) {
                assertEquals(ScriptStatus.CANCELLED, ScriptDeployIT.result("waiter", p).status());
            }
        } finally {
            library.unregister();
        }
    }

    private String shell(String command) {
        try {
            return Shell.execute(context, command);
        } catch (Exception e) {
            throw new AssertionError(command + " failed", e);
        }
    }

    /** The refusal of a promise that fails at once, or {@code null} if it was admitted. */
    private static ScriptException failure(Promise<ExecutionResult> p) {
        try {
            if (!p.isDone()) {
                return null;
            }
            Throwable t = p.getFailure();
            return t instanceof ScriptException ? (ScriptException) t : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
