package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.security.PermissionService;

public class ScriptManagerImplTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeEngine engine;
    private ScriptManagerImpl manager;
    private final List<ScriptEvent> events = new ArrayList<>();

    static Map<String, Object> config(int maxConcurrent, int queue) {
        // an hour: statistics reach the disk only through the final write on deactivate
        return config(maxConcurrent, queue, 3_600_000);
    }

    /** No fair share and no operator reserve: the plain bound (ExecutionGateTest covers the share). */
    static Map<String, Object> config(int maxConcurrent, int queue, long statsFlushMs) {
        Map<String, Object> p = new HashMap<>();
        p.put("max.concurrent", maxConcurrent);
        p.put("queue.capacity", queue);
        p.put("max.concurrent.per.script", maxConcurrent);
        p.put("queue.capacity.per.script", queue);
        p.put("reserved.operator.slots", 0);
        p.put("log.lines", 5);
        p.put("stats.flush.ms", statsFlushMs);
        p.put("history.size", 3);
        return p;
    }

    private ScriptManagerImpl newManager(int maxConcurrent, int queue) {
        ScriptManagerImpl m = new ScriptManagerImpl();
        m.engine = engine;
        m.codec = new TomlMetadataCodec();
        m.bindListener(events::add);
        m.start(tmp.getRoot().toPath().resolve("stats"), config(maxConcurrent, queue));
        return m;
    }

    @Before
    public void setUp() {
        engine = new FakeEngine();
        manager = newManager(2, 1);
    }

    @After
    public void tearDown() {
        manager.deactivate();
    }

    private static ScriptDefinition def(String name, String version, String source, List<String> deps, List<String> perms) {
        return new ScriptDefinition(new ScriptMetadata(name, version, null, null, null, null, null, perms, deps, null,
                null, null), source, name + ".lua");
    }

    private static ScriptDefinition def(String name, String version, String source) {
        return def(name, version, source, List.of(), List.of());
    }

    private ExecutionResult run(String name, Object... args) throws Exception {
        return manager.execute(name, List.of(args)).getValue();
    }

    private static ScriptException failure(Promise<?> p) throws Exception {
        Throwable t = p.getFailure();
        assertTrue("expected a ScriptException, got " + t, t instanceof ScriptException);
        return (ScriptException) t;
    }

    private List<String> eventLog() {
        return events.stream().map(e -> e.type() + " " + e.script().name()).collect(Collectors.toList());
    }

    @Test
    public void deployedScriptIsListedAndRuns() throws Exception {
        ScriptInfo info = manager.deploy(def("hello", "1.0.0", "return hi"), false);
        assertEquals(ScriptStatus.COMPILED, info.status());
        assertEquals(List.of("hello"), manager.list().stream().map(ScriptInfo::name).collect(Collectors.toList()));
        ExecutionResult r = run("hello");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("hi"), r.values());
        assertEquals(ScriptStatus.COMPLETED, manager.get("hello").get().status());
        assertEquals(1, manager.get("hello").get().stats().successfulExecutions());
        assertEquals(List.of("DEPLOYED hello"), eventLog());
        assertEquals("returning hi", manager.logs("hello", 10).get(0).message());
    }

    @Test
    public void aFailedRunsTracebackIsKeptInItsLogOneLinePerFrame() throws Exception {
        manager.deploy(def("tb", "1.0.0", "traceback"), false);
        assertEquals(ScriptStatus.FAILED, run("tb").status());
        List<String> lines = manager.logs("tb", 10).stream().map(e -> e.message()).collect(Collectors.toList());
        assertEquals(List.of("FAILED: tb.lua:2: attempt to call a nil value (global 'f')", "  stack traceback:",
                "    tb.lua:2: in local 'g'", "    tb.lua:4: in main chunk"), lines);
    }

    /** A failed on_stop hook stays in the statistics (script:info, REST, the web page show it) until a newer one. */
    @Test
    public void theLatestFailedCleanupIsKeptInTheStatistics() throws Exception {
        manager.deploy(def("stop", "1.0.0", "cleanup fails"), false);
        assertNull(manager.get("stop").get().stats().lastCleanupError());
        assertEquals(ScriptStatus.FAILED, run("stop").status());
        ScriptError c = manager.get("stop").get().stats().lastCleanupError();
        assertEquals("stop.lua:3:7: on_stop: cleanup broke", c.toString());
        manager.deploy(def("stop", "1.0.1", "return fine"), false);
        assertEquals(ScriptStatus.COMPLETED, run("stop").status());
        assertEquals("a later run without a cleanup failure keeps it", c, manager.get("stop").get().stats().lastCleanupError());
    }

    /**
     * A run argument over the script's string-length limit (the shell's {@code script:run x <200,000 characters>},
     * REST, fleet) is refused at the door with one sentence naming the limit: not queued, not a FAILED run.
     */
    @Test
    public void anArgumentOverTheStringLimitIsRefusedBeforeTheRun() throws Exception {
        manager.deploy(new ScriptDefinition(new ScriptMetadata("echo", "1.0.0", null, null, null, null, null, List.of(),
                List.of(), null, new org.scriptbox.api.ResourceLimits(java.time.Duration.ofSeconds(5), 1 << 20, 1000, 100, 10,
                10, 1), null), "return hi", "echo.lua"), false);
        int before = engine.executions;
        ScriptException e = failure(manager.execute("echo", List.of("ok", "a".repeat(200_000))));
        assertEquals(ErrorKind.LIMIT, e.error().kind());
        assertEquals("argument 2 has 200000 characters, over the string length limit of 100 of script 'echo'", e.getMessage());
        ScriptException nested = failure(manager.execute("echo", List.of(Map.of("k", List.of("b".repeat(101))))));
        assertEquals("argument 1 holds a string of 101 characters, over the string length limit of 100 of script 'echo'",
                nested.getMessage());
        ScriptException key = failure(manager.execute("echo", List.of(Map.of("c".repeat(150), 1))));
        assertTrue(key.getMessage(), key.getMessage().startsWith("argument 1 holds a string of 150 characters"));
        assertEquals(before, engine.executions);
        assertEquals(0, manager.get("echo").get().stats().totalExecutions());
        // a Java caller's list that holds one list twice, 64 levels deep (2^64 paths), is looked at in bounded time
        List<Object> shared = List.of("x");
        for (int level = 0; level < 64; level++) {
            shared = List.of(shared, shared);
        }
        long t0 = System.nanoTime();
        manager.execute("echo", List.of(shared));
        assertTrue("bounded walk", System.nanoTime() - t0 < java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
        // at the limit it runs
        assertEquals(ScriptStatus.COMPLETED, run("echo", "a".repeat(100), List.of("b".repeat(100))).status());
    }

    @Test
    public void brokenUpdateKeepsTheLiveVersionAndShowsTheError() throws Exception {
        manager.deploy(def("hello", "1.0.0", "return one"), false);
        try {
            manager.deploy(def("hello", "1.0.1", "x\nsyntax error here"), false);
            fail("compiled a broken script");
        } catch (ScriptException e) {
            assertEquals("hello.lua:2:1: unexpected symbol", e.getMessage());
        }
        ScriptInfo info = manager.get("hello").get();
        assertEquals("1.0.0", info.metadata().version());
        assertEquals("hello.lua:2:1: unexpected symbol", info.lastError().toString());
        assertEquals(List.of("one"), run("hello").values());
        assertEquals(List.of("DEPLOYED hello", "UPDATE_FAILED hello"), eventLog());
        manager.deploy(def("hello", "1.0.2", "return two"), false);
        assertNull(manager.get("hello").get().lastError());
        assertEquals(List.of("two"), run("hello").values());
    }

    @Test
    public void revertingABrokenEditToTheLiveContentClearsTheError() throws Exception {
        manager.deploy(def("hello", "1.0.0", "return one"), false);
        try {
            manager.deploy(def("hello", "1.0.0", "syntax error"), false);
            fail();
        } catch (ScriptException expected) {
            // kept as lastError
        }
        assertEquals(ErrorKind.COMPILATION, manager.get("hello").get().lastError().kind());
        manager.deploy(def("hello", "1.0.0", "return one"), false);
        assertNull(manager.get("hello").get().lastError());
        assertEquals(List.of("one"), run("hello").values());
    }

    @Test
    public void firstDeployThatDoesNotCompileIsListedWithItsError() throws Exception {
        try {
            manager.deploy(def("bad", "1.0.0", "syntax error"), false);
            fail();
        } catch (ScriptException expected) {
            // shown below
        }
        ScriptInfo info = manager.get("bad").get();
        assertEquals(ScriptStatus.COMPILATION_ERROR, info.status());
        assertEquals(ErrorKind.COMPILATION, failure(manager.execute("bad", List.of())).kind());
    }

    @Test
    public void lowerVersionIsRefusedUnlessForced() throws Exception {
        manager.deploy(def("hello", "2.0.0", "return two"), false);
        try {
            manager.deploy(def("hello", "1.9.0", "return old"), false);
            fail();
        } catch (ScriptException e) {
            assertEquals(ErrorKind.REFUSED, e.kind());
        }
        assertEquals(List.of("two"), run("hello").values());
        manager.deploy(def("hello", "1.9.0", "return old"), true);
        assertEquals(List.of("old"), run("hello").values());
    }

    @Test
    public void dependencyArrivingLaterActivatesTheWaitingScript() throws Exception {
        ScriptInfo app = manager.deploy(def("app", "1.0.0", "require lib", List.of("lib ^1.0"), List.of()), false);
        assertEquals(ScriptStatus.UNRESOLVED, app.status());
        assertEquals(List.of("script lib ^1.0"), app.waitingFor());
        assertEquals(ErrorKind.DEPENDENCY, failure(manager.execute("app", List.of())).kind());
        manager.deploy(def("lib", "1.2.0", "return from-lib"), false);
        assertEquals(ScriptStatus.COMPILED, manager.get("app").get().status());
        assertEquals(List.of("from-lib"), run("app").values());
        manager.undeploy("lib");
        assertEquals(ScriptStatus.UNRESOLVED, manager.get("app").get().status());
        assertEquals(List.of("DEPLOYED lib", "DEPLOYED app", "UNDEPLOYED lib", "UNRESOLVED app"), eventLog());
    }

    @Test
    public void eventsNameDependenciesBeforeDependents() throws Exception {
        manager.deploy(def("top", "1.0.0", "return t", List.of("mid"), List.of()), false);
        manager.deploy(def("mid", "1.0.0", "return m", List.of("base"), List.of()), false);
        manager.deploy(def("base", "1.0.0", "return b"), false);
        assertEquals(List.of("DEPLOYED base", "DEPLOYED mid", "DEPLOYED top"), eventLog());
        events.clear();
        manager.deploy(def("base", "1.0.0", "return b", List.of(), List.of("device:read")), true);
        assertEquals(List.of("UNRESOLVED top", "UNRESOLVED mid", "UNRESOLVED base"), eventLog());
    }

    @Test
    public void requireReachesOnlyDeclaredDependencies() throws Exception {
        manager.deploy(def("secret", "1.0.0", "return secret"), false);
        manager.deploy(def("sneaky", "1.0.0", "require secret"), false);
        ExecutionResult r = run("sneaky");
        assertEquals(ScriptStatus.FAILED, r.status());
        // a deployed script that is not declared: the message names the fix (issue 16.7)
        assertTrue(r.error().message(), r.error().message().contains("declare it in dependencies in sneaky.toml"));
    }

    @Test
    public void unsatisfiableRangeAndCyclesAreReported() throws Exception {
        manager.deploy(def("lib", "2.0.0", "return x"), false);
        ScriptInfo app = manager.deploy(def("app", "1.0.0", "return y", List.of("lib ^1.0"), List.of()), false);
        assertEquals(ScriptStatus.UNRESOLVED, app.status());
        assertEquals(ErrorKind.DEPENDENCY, app.lastError().kind());
        assertTrue(app.lastError().message(), app.lastError().message().contains("not satisfied by the deployed version 2.0.0"));

        manager.deploy(def("a", "1.0.0", "return a", List.of("b"), List.of()), false);
        ScriptInfo b = manager.deploy(def("b", "1.0.0", "return b", List.of("a"), List.of()), false);
        assertEquals(ScriptStatus.UNRESOLVED, b.status());
        assertTrue(b.lastError().message(), b.lastError().message().contains("dependency cycle"));
        assertEquals(ScriptStatus.UNRESOLVED, manager.get("a").get().status());
    }

    @Test
    public void scriptRequestingPermissionsWaitsForThePermissionService() throws Exception {
        assertEquals(ScriptStatus.UNRESOLVED,
                manager.deploy(def("mover", "1.0.0", "permissions", List.of(), List.of("device:control", "device:read")), false).status());
        assertEquals(ScriptStatus.COMPILED, manager.deploy(def("free", "1.0.0", "return ok"), false).status());
        PermissionService onlyRead = new PermissionService() {
            @Override
            public Set<String> grant(String scriptName, Set<String> requested) {
                return requested.contains("device:read") ? Set.of("device:read") : Set.of();
            }

            @Override
            public boolean isAllowed(String scriptName, Set<String> granted, String permission, String deviceId) {
                return granted.contains(permission);
            }
        };
        manager.bindPermissions(onlyRead);
        assertEquals(List.of("device:read"), run("mover").values());
        manager.unbindPermissions(onlyRead);
        assertEquals(ScriptStatus.UNRESOLVED, manager.get("mover").get().status());
    }

    @Test
    public void fullGateRefusesWithBusy() throws Exception {
        manager.deploy(def("slow", "1.0.0", "block"), false);
        Promise<ExecutionResult> first = manager.execute("slow", List.of());
        Promise<ExecutionResult> second = manager.execute("slow", List.of());
        Promise<ExecutionResult> queued = manager.execute("slow", List.of());
        ScriptException busy = failure(manager.execute("slow", List.of()));
        assertEquals(ErrorKind.BUSY, busy.kind());
        assertTrue(busy.getMessage(), busy.getMessage().startsWith("rejected: system busy"));
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        assertEquals(3, manager.cancel("slow"));
        assertEquals(ScriptStatus.CANCELLED, first.getValue().status());
        assertEquals(ScriptStatus.CANCELLED, second.getValue().status());
        assertEquals(ScriptStatus.CANCELLED, queued.getValue().status());
    }

    @Test
    public void newBoundsApplyAtOnceWithoutLosingAdmittedExecutions() throws Exception {
        manager.deploy(def("slow", "1.0.0", "block"), false);
        Promise<ExecutionResult> admittedBefore = manager.execute("slow", List.of());
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        // one slot, no queue: the admitted run keeps its slot, a new one is refused at once
        manager.modified(config(1, 0));
        ScriptException busy = failure(manager.execute("slow", List.of()));
        assertEquals(ErrorKind.BUSY, busy.kind());
        assertTrue(busy.getMessage(), busy.getMessage().contains("1 executions running"));
        // two slots: the next one runs beside it
        manager.modified(config(2, 0));
        Promise<ExecutionResult> admittedAfter = manager.execute("slow", List.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.executions < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(2, engine.executions);
        assertTrue(failure(manager.execute("slow", List.of())).getMessage().contains("0 of 0 queue places"));
        assertEquals(2, manager.cancel("slow"));
        assertEquals(ScriptStatus.CANCELLED, admittedBefore.getValue().status());
        assertEquals(ScriptStatus.CANCELLED, admittedAfter.getValue().status());
    }

    @Test
    public void resourceMonitorCanRefuseAndSeesTheLoad() throws Exception {
        manager.deploy(def("slow", "1.0.0", "block"), false);
        Promise<ExecutionResult> running = manager.execute("slow", List.of());
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        assertEquals(1, manager.activeExecutions());
        assertEquals(0, manager.queuedExecutions());
        manager.monitor = new org.scriptbox.api.schedule.ResourceMonitor() {
            @Override
            public org.scriptbox.api.schedule.ResourceSnapshot snapshot() {
                return new org.scriptbox.api.schedule.ResourceSnapshot(0.97, 900L << 20, 1024L << 20, 1, 0, 40, true);
            }

            @Override
            public boolean admitsNewExecution() {
                return false;
            }
        };
        ScriptException refused = failure(manager.execute("slow", List.of()));
        assertEquals(ErrorKind.BUSY, refused.kind());
        assertEquals("rejected: system overloaded (resource monitor: cpu 97%, heap 900 of 1024 MB, 1 running, 0 queued); "
                + "try again later", refused.getMessage());
        manager.cancel("slow");
        assertEquals(ScriptStatus.CANCELLED, running.getValue().status());
    }

    @Test
    public void undeployCancelsRunningExecutions() throws Exception {
        manager.deploy(def("slow", "1.0.0", "block"), false);
        Promise<ExecutionResult> running = manager.execute("slow", List.of());
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        assertTrue(manager.undeploy("slow"));
        ExecutionResult r = running.getValue();
        assertEquals(ScriptStatus.CANCELLED, r.status());
        assertEquals("script undeployed", r.error().message());
        assertFalse(manager.get("slow").isPresent());
        assertEquals(ErrorKind.NOT_FOUND, failure(manager.execute("slow", List.of())).kind());
        assertFalse(manager.undeploy("slow"));
    }

    @Test
    public void statisticsSurviveARestartOfTheManager() throws Exception {
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        run("hello");
        run("hello");
        manager.deploy(def("bad", "1.0.0", "explode"), false);
        run("bad");
        manager.deactivate();

        manager = newManager(2, 1);
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        manager.deploy(def("bad", "1.0.0", "explode"), false);
        assertEquals(2, manager.get("hello").get().stats().totalExecutions());
        assertEquals(1, manager.get("bad").get().stats().failedExecutions());
        assertEquals("bad.lua:1: boom", manager.get("bad").get().stats().lastError().toString());
        run("hello");
        assertEquals(3, manager.get("hello").get().stats().successfulExecutions());
    }

    @Test
    public void runsDoNotWriteStatisticsOneByOneButAStopWritesThemAll() throws Exception {
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        for (int i = 0; i < 50; i++) {
            run("hello");
        }
        assertEquals("no file written per run while the flush period has not passed", 0, manager.statsWrites());
        manager.deactivate();
        assertTrue(manager.statsWrites() >= 1);
        String onDisk = Files.readString(tmp.getRoot().toPath().resolve("stats").resolve("hello.stats.toml"));
        assertTrue(onDisk, onDisk.contains("total_executions = 50\n"));

        manager = newManager(2, 1);
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        assertEquals(50, manager.get("hello").get().stats().totalExecutions());
    }

    @Test
    public void theBackgroundWriterSavesStatisticsWithinItsPeriod() throws Exception {
        manager.deactivate();
        manager = new ScriptManagerImpl();
        manager.engine = engine;
        manager.codec = new TomlMetadataCodec();
        Path folder = tmp.getRoot().toPath().resolve("stats");
        manager.start(folder, config(2, 1, 20));
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        for (int i = 0; i < 200; i++) {
            run("hello");
        }
        // bounded poll for the writer thread (no other signal exists: that is the point of coalescing)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Path file = folder.resolve("hello.stats.toml");
        while (!(Files.isRegularFile(file) && Files.readString(file).contains("total_executions = 200\n"))) {
            assertTrue("statistics not written by the background writer within 10 s", System.nanoTime() < deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertTrue("coalesced: fewer writes than runs, was " + manager.statsWrites(), manager.statsWrites() < 200);
    }

    @Test
    public void aSecondSourceDeployingTheSameNameWinsButIsReportedNamingBothOrigins() throws Exception {
        ScriptMetadata m = def("dup", "1.0.0", "return 1").metadata();
        manager.deploy(new ScriptDefinition(m, "return 'folder'", "/deploy/dup.lua"), false);
        manager.deploy(new ScriptDefinition(m, "return 'folder, edited'", "/deploy/dup.lua"), false);
        assertEquals("edits from the same file are no conflict", List.of(), manager.get("dup").get().warnings());
        manager.deploy(new ScriptDefinition(m, "return 'bundle'", "bundle:ex.scripts/1.0.0!/scripts/dup.lua"), false);

        ScriptInfo info = manager.get("dup").get();
        assertEquals("the latest deploy wins", "bundle:ex.scripts/1.0.0!/scripts/dup.lua", info.origin());
        assertEquals(List.of("'bundle'"), run("dup").values());
        assertEquals(1, info.warnings().size());
        String w = info.warnings().get(0);
        assertTrue(w, w.contains("two sources deploy 'dup'") && w.contains("from bundle:ex.scripts/1.0.0!/scripts/dup.lua")
                && w.contains("replaced version 1.0.0 from /deploy/dup.lua"));

        // the same bundle in a new version is the same source: the warning is not renewed
        manager.deploy(new ScriptDefinition(m, "return 'bundle 1.0.1'", "bundle:ex.scripts/1.0.1!/scripts/dup.lua"), false);
        assertEquals(List.of(w), manager.get("dup").get().warnings());

        manager.undeploy("dup");
        manager.deploy(new ScriptDefinition(m, "return 'folder'", "/deploy/dup.lua"), false);
        assertEquals("undeploy forgets the conflict", List.of(), manager.get("dup").get().warnings());
    }

    @Test
    public void exportThenImportIsLossless() throws Exception {
        ScriptMetadata m = new ScriptMetadata("hello", "1.2.3", "ann", "says hi", java.time.Instant.parse("2026-01-01T00:00:00Z"),
                null, List.of("t"), List.of(), List.of(), "1.0.0", null, null, List.of());
        manager.deploy(new ScriptDefinition(m, "return hi", "shell"), false);
        run("hello");
        Path folder = tmp.newFolder("export").toPath();
        Path lua = manager.exportScript("hello", folder, true);
        assertTrue(Files.exists(folder.resolve("hello.toml")));
        assertTrue(Files.exists(folder.resolve("hello.stats.toml")));
        var statsBefore = manager.get("hello").get().stats();
        manager.undeploy("hello");

        ScriptInfo imported = manager.importScript(lua, false);
        assertEquals(m, imported.metadata());
        assertEquals("return hi", manager.definition("hello").get().source());
        assertEquals(statsBefore, imported.stats());
    }

    @Test
    public void importWithoutTomlGetsDefaultMetadata() throws Exception {
        Path lua = tmp.newFile("plain.lua").toPath();
        Files.writeString(lua, "return plain");
        ScriptInfo info = manager.importScript(lua, false);
        assertEquals("plain", info.name());
        assertEquals(List.of("device:read"), info.metadata().permissions());
        // device:read needs the permission service to grant it
        assertEquals(ScriptStatus.UNRESOLVED, info.status());
    }

    @Test
    public void unknownNamesGiveNotFound() throws Exception {
        assertEquals(ErrorKind.NOT_FOUND, failure(manager.execute("nope", List.of())).kind());
        assertEquals(0, manager.cancel("nope"));
        assertTrue(manager.logs("nope", 5).isEmpty());
        try {
            manager.exportScript("nope", tmp.getRoot().toPath(), false);
            fail();
        } catch (ScriptException e) {
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
        }
    }

    @Test
    public void logRingKeepsTheNewestLines() throws Exception {
        manager.deploy(def("hello", "1.0.0", "return hi"), false);
        for (int i = 0; i < 8; i++) {
            run("hello");
        }
        assertEquals(5, manager.logs("hello", 100).size());
        assertEquals(2, manager.logs("hello", 2).size());
    }

    @Test
    public void argumentsReachTheScript() throws Exception {
        manager.deploy(def("echo", "1.0.0", "args"), false);
        assertEquals(List.of("a", 2.0), run("echo", "a", 2.0).values());
    }

    @Test
    public void importedStatisticsThatNoRunsCouldProduceAreRefusedAndNothingIsDeployed() throws Exception {
        Path folder = tmp.newFolder("imp").toPath();
        Files.writeString(folder.resolve("neg.lua"), "return hi");
        Files.writeString(folder.resolve("neg.stats.toml"), "total_executions = -1\n");
        try {
            manager.importScript(folder.resolve("neg.lua"), false);
            fail("imported statistics with a negative count");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.METADATA, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("neg.stats.toml")
                    && e.getMessage().contains("total_executions must be between 0"));
        }
        assertTrue(manager.get("neg").isEmpty());
    }

    @Test
    public void aRunFoldsIntoTheLargestValidStatistics() throws Exception {
        Path folder = tmp.newFolder("imp2").toPath();
        Files.writeString(folder.resolve("big.lua"), "return hi");
        Files.writeString(folder.resolve("big.toml"), "permissions = []\n");
        Files.writeString(folder.resolve("big.stats.toml"), "total_executions = 9000000000000000000\n"
                + "successful_executions = 9000000000000000000\naverage_duration_ns = 3000000000000000000\n");
        manager.importScript(folder.resolve("big.lua"), false);
        ExecutionResult r = run("big");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(9_000_000_000_000_000_001L, manager.get("big").get().stats().totalExecutions());
    }

    @Test
    public void outOfRangeDurationsAreRefusedAtDeployWhoeverMadeTheMetadata() {
        org.scriptbox.api.ResourceLimits d = org.scriptbox.api.ResourceLimits.DEFAULTS;
        org.scriptbox.api.ResourceLimits huge = new org.scriptbox.api.ResourceLimits(java.time.Duration.ofDays(999_999_999_999L),
                d.maxMemoryBytes(), d.maxInstructions(), d.maxStringLength(), d.maxTableSize(), d.maxCallDepth(), d.maxCoroutines());
        ScriptMetadata m = new ScriptMetadata("slow", "1.0.0", null, null, null, null, null, List.of(), List.of(), null,
                huge, null, List.of());
        try {
            manager.deploy(new ScriptDefinition(m, "return hi", "api"), false);
            fail("deployed a limit of 999999999999 days");
        } catch (ScriptException e) {
            assertEquals(ErrorKind.METADATA, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
        }
        // and what is listed can still be shown: no arithmetic fails on it
        assertEquals(ScriptStatus.COMPILATION_ERROR, manager.get("slow").get().status());
        assertTrue(manager.codec.format(m).contains("999999999999d"));
    }

    /** A deploy folder as the deployer offers it: writes the files, then deploys them with the .lua path as origin. */
    private Path deployFolder() throws Exception {
        Path folder = tmp.newFolder("deploy").toPath();
        manager.folder = new WritingFolder(folder, manager);
        return folder;
    }

    @Test
    public void historyKeepsTheLastVersionsNewestFirstAndMarksTheLiveOne() throws Exception {
        for (int i = 1; i <= 5; i++) {
            manager.deploy(def("hist", "1.0." + i, "return v" + i), false);
        }
        manager.deploy(def("hist", "1.0.5", "return v5"), false); // the live content again: nothing new to keep
        List<org.scriptbox.api.ScriptRevision> h = manager.history("hist");
        assertEquals(List.of(5, 4, 3), h.stream().map(org.scriptbox.api.ScriptRevision::number).toList()); // keeps 3
        assertEquals(List.of(true, false, false), h.stream().map(org.scriptbox.api.ScriptRevision::live).toList());
        assertEquals("1.0.4", h.get(1).version());
        assertEquals("hist.lua", h.get(1).origin());
        assertEquals("return v3", manager.revision("hist", 3).get().source());
        assertTrue(manager.revision("hist", 1).isEmpty());
        // kept across a restart of the manager, and numbering goes on
        manager.deactivate();
        manager = newManager(2, 1);
        manager.deploy(def("hist", "1.0.6", "return v6"), false);
        assertEquals(List.of(6, 5, 4), manager.history("hist").stream().map(org.scriptbox.api.ScriptRevision::number).toList());
    }

    @Test
    public void rollbackWritesTheVersionBackToTheFolderAndMakesItLiveEvenIfLower() throws Exception {
        Path folder = deployFolder();
        manager.deploy(def("rb", "1.0.0", "return one"), false);
        manager.deploy(def("rb", "2.0.0", "return two"), false);
        ScriptInfo info = manager.rollback("rb", null);
        assertEquals("1.0.0", info.metadata().version());
        assertEquals(List.of("one"), run("rb").values());
        assertEquals("return one", Files.readString(folder.resolve("rb.lua")));
        assertEquals(manager.codec.format(info.metadata()), Files.readString(folder.resolve("rb.toml")));
        assertEquals(folder.resolve("rb.lua").toString(), info.origin());
        // the folder's own deploy of what was written is the live content: a no-op
        ScriptMetadata reread = manager.codec.parse(Files.readString(folder.resolve("rb.toml")), "rb.toml", "rb", new ArrayList<>());
        manager.deploy(new ScriptDefinition(reread, Files.readString(folder.resolve("rb.lua")), info.origin()), false);
        assertEquals(3, manager.history("rb").size());
        assertTrue(manager.history("rb").get(0).live());
        // by semantic version and by number
        assertEquals("2.0.0", manager.rollback("rb", "2.0.0").metadata().version());
        assertEquals("1.0.0", manager.rollback("rb", "#3").metadata().version()); // #1 is no longer kept (3 are)
    }

    @Test
    public void rollbackRefusalsAreOneSentenceAndChangeNothing() throws Exception {
        manager.deploy(def("rb", "1.0.0", "return one"), false);
        manager.deploy(def("rb", "2.0.0", "return two"), false);
        assertRefused(() -> manager.rollback("rb", null), ErrorKind.REFUSED, "no deploy folder");
        deployFolder();
        assertRefused(() -> manager.rollback("rb", "7"), ErrorKind.NOT_FOUND, "has no kept version 7");
        assertRefused(() -> manager.rollback("rb", "9.9.9"), ErrorKind.NOT_FOUND, "has no kept version 9.9.9");
        assertRefused(() -> manager.rollback("nothing", null), ErrorKind.NOT_FOUND, "no kept versions");
        assertRefused(() -> manager.rollback("../etc", null), ErrorKind.NOT_FOUND, "no kept versions");
        manager.folder = new WritingFolder(null, manager); // a folder that cannot be written
        assertRefused(() -> manager.rollback("rb", null), ErrorKind.IO, "permission denied");
        assertEquals("2.0.0", manager.get("rb").get().metadata().version());
        manager.deploy(new ScriptDefinition(ScriptMetadata.defaults("fromjar"), "return x", "bundle:b/1.0.0!/scripts/fromjar.lua"), false);
        manager.deploy(new ScriptDefinition(new ScriptMetadata("fromjar", "1.1.0", null, null, null, null, null, null, null,
                null, null, null), "return y", "bundle:b/1.1.0!/scripts/fromjar.lua"), false);
        assertRefused(() -> manager.rollback("fromjar", null), ErrorKind.REFUSED, "roll back by deploying the older bundle");
    }

    private static void assertRefused(Runnable r, ErrorKind kind, String fragment) {
        try {
            r.run();
            fail("not refused: " + fragment);
        } catch (ScriptException e) {
            assertEquals(e.getMessage(), kind, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
        }
    }

    @Test
    public void aDisabledScriptDoesNotRunStopsItsRunsAndStaysDisabledAcrossARestart() throws Exception {
        manager.deploy(def("blocker", "1.0.0", "block"), false);
        Promise<ExecutionResult> running = manager.execute("blocker", List.of());
        assertTrue(engine.blocked.await(10, TimeUnit.SECONDS));
        events.clear();
        ScriptInfo off = manager.setEnabled("blocker", false);
        assertEquals(ScriptStatus.DISABLED, off.status());
        assertEquals(ScriptStatus.CANCELLED, running.getValue().status());
        assertEquals(List.of("UNRESOLVED blocker"), eventLog()); // the scheduler pauses its schedule on this
        ScriptException refused = failure(manager.execute("blocker", List.of()));
        assertEquals(ErrorKind.REFUSED, refused.kind());
        assertTrue(refused.getMessage(), refused.getMessage().contains("disabled"));

        manager.deactivate();
        manager = newManager(2, 1);
        manager.deploy(def("blocker", "1.0.1", "return back"), false);
        assertEquals(ScriptStatus.DISABLED, manager.get("blocker").get().status());
        events.clear();
        assertEquals(ScriptStatus.COMPILED, manager.setEnabled("blocker", true).status());
        assertEquals(List.of("DEPLOYED blocker"), eventLog());
        assertEquals(List.of("back"), run("blocker").values());
        assertRefused(() -> manager.setEnabled("nobody", false), ErrorKind.NOT_FOUND, "no deployed script");
    }

    @Test
    public void aSlowDeployOfOneScriptDoesNotHoldUpTheDeploysOfOthers() throws Exception {
        Thread slow = new Thread(() -> manager.deploy(def("big", "1.0.0", "return big -- slow compile"), false));
        slow.start();
        assertTrue(engine.compileStarted.await(10, TimeUnit.SECONDS));
        // while "big" is still compiling, another script deploys, resolves and runs
        assertEquals(ScriptStatus.COMPILED, manager.deploy(def("small", "1.0.0", "return small"), false).status());
        assertEquals(List.of("small"), run("small").values());
        assertTrue(manager.get("big").isEmpty());
        engine.compileMayFinish.countDown();
        slow.join(10_000);
        assertEquals(ScriptStatus.COMPILED, manager.get("big").get().status());
    }

    private static ScriptDefinition withDevices(String name, List<String> deps, List<String> devices) {
        return new ScriptDefinition(new ScriptMetadata(name, "1.0.0", null, null, null, null, null, List.of(), deps, null,
                null, null, devices), "return " + name, name + ".lua");
    }

    /** The device directory's present set decides: a script and its dependant come and go with their device. */
    @Test
    public void scriptsNamingADeviceFollowTheDirectorysPresentSet() throws Exception {
        manager.deploy(withDevices("mover", List.of(), List.of("sim-1")), false);
        manager.deploy(withDevices("user", List.of("mover"), List.of()), false);
        assertEquals(ScriptStatus.UNRESOLVED, manager.get("mover").get().status());
        assertTrue(manager.get("mover").get().waitingFor().contains("device sim-1"));
        events.clear();
        manager.devicesChanged(Set.of("sim-1", "sim-2"));
        assertEquals("what is needed first", List.of("DEPLOYED mover", "DEPLOYED user"), eventLog());
        assertEquals(List.of("mover"), run("mover").values());
        events.clear();
        manager.devicesChanged(Set.of("sim-1"));   // another device left: nothing to tell
        assertEquals(List.of(), eventLog());
        manager.devicesChanged(Set.of());
        assertEquals("dependants go first", List.of("UNRESOLVED user", "UNRESOLVED mover"), eventLog());
        assertEquals(ErrorKind.DEPENDENCY, failure(manager.execute("mover", List.of())).kind());
    }
}
