package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;

/** A run in flight when its script is undeployed or the manager stops is counted in the persisted statistics. */
public class RunsInFlightTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private final FakeEngine engine = new FakeEngine();

    private ScriptManagerImpl manager(Path stats) {
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = engine;
        m.codec = new TomlMetadataCodec();
        m.start(stats, ScriptManagerImplTest.config(4, 4));
        return m;
    }

    private static ScriptDefinition def(String name, String source) {
        return new ScriptDefinition(new ScriptMetadata(name, "1.0.0", null, null, null, null, null, List.of(), List.of(), null,
                null, null), source, name + ".lua");
    }

    private static void awaitFileContains(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.isRegularFile(file) && Files.readString(file).contains(text))) {
            assertTrue(file + " never contained " + text + (Files.isRegularFile(file) ? ": " + Files.readString(file) : ""),
                    System.nanoTime() < deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    public void aRunInFlightAtUndeployIsCounted() throws Exception {
        Path stats = tmp.getRoot().toPath().resolve("stats");
        ScriptManagerImpl m = manager(stats);
        try {
            m.deploy(def("slow", "block"), false);
            Promise<ExecutionResult> run = m.execute("slow", List.of());
            assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
            m.undeploy("slow");
            assertEquals(ScriptStatus.CANCELLED, run.getValue().status());
            awaitFileContains(stats.resolve("slow.stats.toml"), "total_executions = 1\n");
            assertTrue(Files.readString(stats.resolve("slow.stats.toml")).contains("failed_executions = 1\n"));
            // back again: it carries on counting from there
            m.deploy(def("slow", "return 1"), false);
            m.execute("slow", List.of()).getValue();
            assertEquals(2, m.get("slow").get().stats().totalExecutions());
        } finally {
            m.deactivate();
        }
    }

    @Test
    public void aRunInFlightAtStopIsCountedAndSurvivesTheRestart() throws Exception {
        Path stats = tmp.getRoot().toPath().resolve("stats");
        ScriptManagerImpl m = manager(stats);
        m.deploy(def("slow", "block"), false);
        m.deploy(def("quick", "return 1"), false);
        m.execute("quick", List.of()).getValue();
        Promise<ExecutionResult> run = m.execute("slow", List.of());
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        m.deactivate();
        assertEquals(ScriptStatus.CANCELLED, run.getValue().status());

        ScriptManagerImpl again = manager(stats);
        try {
            again.deploy(def("slow", "block"), false);
            again.deploy(def("quick", "return 1"), false);
            assertEquals(1, again.get("slow").get().stats().totalExecutions());
            assertEquals(1, again.get("quick").get().stats().totalExecutions());
        } finally {
            again.deactivate();
        }
    }
}
