package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.engine.ScriptLibrary;

/**
 * Hot deployment end to end: the real container, the real FileInstall watching a real folder, the real
 * Lua engine. Each test uses its own script names, so they share one container.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScriptDeployIT {
    static final Duration BOUND = Duration.ofSeconds(15);

    @Inject
    private BundleContext context;

    /** Injected once; tests use {@link #manager()}, since one test restarts the manager bundle. */
    @Inject
    private ScriptManager injected;

    @Configuration
    public Option[] config() {
        return new Option[] {ScriptDeployIT.containerWatchingScripts()};
    }

    /** The runtime's container with the deploy-folder FileInstall instance configured as in runtime/etc. */
    static Option containerWatchingScripts() {
        return Distribution.container(Distribution.etcWatchingDeployFolder(), Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"));
    }

    static Path deployFolder(BundleContext context) {
        return Paths.get(context.getProperty("scriptbox.deploy"));
    }

    /** Writes a file the way an editor that saves atomically does: a temporary name, then a rename. */
    static void write(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Optional<ScriptInfo> awaitStatus(ScriptManager manager, String name, ScriptStatus status) {
        return Await.until(name + " " + status, BOUND, () -> manager.get(name),
                i -> i.isPresent() && i.get().status() == status);
    }

    static ExecutionResult run(ScriptManager manager, String name, Object... args) throws Exception {
        return result(name, manager.execute(name, List.of(args)));
    }

    /** Longer than any run the container lets finish (its time cap is 30 s): past it the test fails, never hangs. */
    static final Duration RUN_BOUND = Duration.ofSeconds(60);

    /** The run's result, within {@link #RUN_BOUND} (a Promise's getFailure/getValue wait without a bound). */
    static ExecutionResult result(String name, Promise<ExecutionResult> promise) throws Exception {
        Promise<ExecutionResult> p = promise.timeout(RUN_BOUND.toMillis());
        Throwable failure = p.getFailure();
        if (failure instanceof org.osgi.util.promise.TimeoutException) {
            throw new AssertionError("the run of " + name + " did not end within " + RUN_BOUND);
        }
        if (failure != null) {
            throw new AssertionError("execution of " + name + " refused: " + failure, failure);
        }
        return p.getValue();
    }

    private Path folder() {
        return deployFolder(context);
    }

    @Test
    public void droppedPairIsListedAndRuns() throws Exception {
        write(folder().resolve("drop.toml"), "name = \"drop\"\nversion = \"1.2.0\"\npermissions = []\n");
        write(folder().resolve("drop.lua"), "local who = ... or 'world'\nreturn 'hello, ' .. who\n");
        ScriptInfo info = awaitStatus(manager(), "drop", ScriptStatus.COMPILED).get();
        assertEquals("1.2.0", info.metadata().version());
        assertEquals(folder().resolve("drop.lua").toString(), info.origin());
        ExecutionResult r = run(manager(), "drop", "Ada");
        assertEquals(ScriptStatus.COMPLETED, r.status());
        assertEquals(List.of("hello, Ada"), r.values());
    }

    @Test
    public void editedScriptRunsItsNewVersion() throws Exception {
        write(folder().resolve("edit.toml"), "version = \"1.0.0\"\npermissions = []\n");
        write(folder().resolve("edit.lua"), "return 'first'\n");
        awaitStatus(manager(), "edit", ScriptStatus.COMPILED);
        assertEquals(List.of("first"), run(manager(), "edit").values());
        write(folder().resolve("edit.lua"), "return 'second'\n");
        Await.until("the second version", BOUND, () -> manager().definition("edit").get().source(), s -> s.contains("second"));
        assertEquals(List.of("second"), run(manager(), "edit").values());
    }

    /**
     * The engine's default adaptive mode in the real container: a script starts interpreted and, once its
     * runs have executed a million Lua instructions, runs as JVM bytecode built in the background, with
     * the same results; script:info says which.
     */
    @Test
    public void aBusyScriptRunsAsJvmBytecodeAfterItsFirstRuns() throws Exception {
        write(folder().resolve("busy.toml"), "version = \"1.0.0\"\npermissions = []\n");
        write(folder().resolve("busy.lua"), "local s = 0\nfor i = 1, 150000 do s = s + i % 7 end\nreturn s\n");
        awaitStatus(manager(), "busy", ScriptStatus.COMPILED);
        String before = shell("script:info busy");
        assertTrue(before, before.matches("(?s).*runs as:\\s+interpreted.*"));
        ExecutionResult first = run(manager(), "busy");
        assertEquals(ScriptStatus.COMPLETED, first.status());
        assertTrue("under a million instructions per run: " + first.instructions(), first.instructions() < 1_000_000);
        for (long total = first.instructions(); total < 1_000_000; ) {   // until the runs pass a million in total
            ExecutionResult again = run(manager(), "busy");
            assertEquals(first.values(), again.values());
            total += again.instructions();
        }
        Await.until("busy running as JVM bytecode", BOUND, () -> manager().get("busy").orElseThrow().jvmBytecode());
        ExecutionResult compiled = run(manager(), "busy");
        assertEquals(first.values(), compiled.values());
        String after = shell("script:info busy");
        assertTrue(after, after.matches("(?s).*runs as:\\s+JVM bytecode.*"));
        Files.delete(folder().resolve("busy.lua"));
        Await.until("busy undeployed", BOUND, () -> manager().get("busy").isEmpty());
    }

    @Test
    public void brokenUpdateKeepsTheOldVersionRunningAndShowsWhere() throws Exception {
        write(folder().resolve("fragile.toml"), "version = \"1.0.0\"\npermissions = []\n");
        write(folder().resolve("fragile.lua"), "return 'good'\n");
        awaitStatus(manager(), "fragile", ScriptStatus.COMPILED);

        write(folder().resolve("fragile.lua"), "local x = 1\nreturn (x +\n");
        ScriptError error = Await.until("the compile error", BOUND, () -> manager().get("fragile").get().lastError(),
                e -> e != null);
        assertEquals(ErrorKind.COMPILATION, error.kind());
        assertEquals("fragile.lua", error.file());
        assertTrue(error.toString(), error.line() >= 2);
        assertEquals(List.of("good"), run(manager(), "fragile").values());
        String shown = shell("script:info fragile");
        assertTrue(shown, shown.contains("fragile.lua:" + error.line()));

        write(folder().resolve("fragile.lua"), "return 'good again'\n");
        Await.until("the fix", BOUND, () -> manager().get("fragile").get().lastError(), e -> e == null);
        write(folder().resolve("fragile.toml"), "version = \"1.0.1\"\npermissions = [\"device:fly\"]\n");
        ScriptError tomlError = Await.until("the metadata error", BOUND, () -> manager().get("fragile").get().lastError(),
                e -> e != null);
        assertEquals(ErrorKind.METADATA, tomlError.kind());
        assertEquals("fragile.toml:2:16", tomlError.location());   // the offending array element
        assertEquals(List.of("good again"), run(manager(), "fragile").values());
    }

    @Test
    public void everyKindOfBadMetadataIsPointedAtAndTheLiveVersionStays() throws Exception {
        write(folder().resolve("meta.toml"), "version = \"1.0.0\"\npermissions = []\n");
        write(folder().resolve("meta.lua"), "return 'v1'\n");
        awaitStatus(manager(), "meta", ScriptStatus.COMPILED);
        String[][] cases = {
            {"version = \n", "meta.toml:1:11: invalid TOML"},
            {"version = \"1.0\"\n", "meta.toml:1:1: \"version\": \"1.0\" is not a semantic version"},
            {"version = \"1.0.1\"\ntags = [\"a\", 2]\n", "meta.toml:2:14: \"tags\" must contain only strings"},
            {"permissions = [\"device:read\", \"device:fly\"]\n", "meta.toml:1:31: \"permissions\": unknown permission"},
            {"[limits]\nmax_call_depth = -1\n", "meta.toml:2:1: \"limits.max_call_depth\" must be between 1"},
            {"[schedule]\nkind = \"weekly\"\n", "meta.toml:2:1: \"schedule.kind\": \"weekly\" is not one of"},
            {"[schedule]\nkind = \"interval\"\n", "meta.toml:2:1: an \"interval\" schedule needs \"interval\""},
            // the scheduler's cron parser, asked by the codec: line 3, column 13 is the "75" inside the quotes
            {"[schedule]\nkind = \"cron\"\ncron = \"*/5 75 * * *\"\n", "meta.toml:3:13: \"schedule.cron\": invalid cron "
                    + "expression '*/5 75 * * *' at column 5: hour value 75 is out of range 0-23"},
            {"name = \"other\"\n", "meta.toml:1:1: name \"other\" differs from the file name"},
            {"created_at = 2026-13-01T00:00:00Z\n", "meta.toml:1:19: invalid TOML"},
            {"version = \"0.9.0\"\npermissions = []\n", "version 0.9.0 is lower than the deployed 1.0.0"},
        };
        for (String[] c : cases) {
            write(folder().resolve("meta.toml"), c[0]);
            ScriptError e = Await.until("error " + c[1], BOUND, () -> manager().get("meta").get().lastError(),
                    err -> err != null && err.toString().startsWith(c[1]));
            assertTrue(e.toString(), e.kind() == ErrorKind.METADATA || e.kind() == ErrorKind.REFUSED);
            assertEquals("after " + c[1], List.of("v1"), run(manager(), "meta").values());
        }
    }

    @Test
    public void deletedScriptIsGoneAndItsRunningExecutionCancelled() throws Exception {
        ServiceRegistration<ScriptLibrary> waiting = registerWaitLibrary();
        try {
            write(folder().resolve("longrun.toml"), "version = \"1.0.0\"\npermissions = []\n[limits]\nmax_execution_time = \"2m\"\n");
            write(folder().resolve("longrun.lua"), "wait_ms(100000)\nreturn 'finished'\n");
            awaitStatus(manager(), "longrun", ScriptStatus.COMPILED);
            Promise<ExecutionResult> running = manager().execute("longrun", List.of());
            awaitStatus(manager(), "longrun", ScriptStatus.RUNNING);
            Files.delete(folder().resolve("longrun.lua"));
            Await.until("longrun undeployed", BOUND, () -> manager().get("longrun").isEmpty());
            Await.until("the execution to end", BOUND, running::isDone);
            assertEquals(ScriptStatus.CANCELLED, running.getValue().status());
        } finally {
            waiting.unregister();
        }
    }

    /** A function the tests' scripts can wait in; the wait ends as soon as the execution is cancelled. */
    private ServiceRegistration<ScriptLibrary> registerWaitLibrary() {
        return TestLibraries.register(context, "itest-wait", Map.of("wait_ms", TestLibraries.waitMs()));
    }

    @Test
    public void thousandRapidEditsEndWithTheLastContentLive() throws Exception {
        Path lua = folder().resolve("rapid.lua");
        write(folder().resolve("rapid.toml"), "version = \"1.0.0\"\npermissions = []\n");
        for (int i = 1; i <= 1000; i++) {
            Files.writeString(lua, "return " + i + "\n");
        }
        Await.until("the last edit live", BOUND, () -> manager().definition("rapid").map(d -> d.source()).orElse(""),
                "return 1000\n"::equals);
        assertEquals(List.of(1000.0), run(manager(), "rapid").values());
    }

    /** 600 files at once overflow a watch service's event queue; every one must still be deployed. */
    @Test
    public void burstOfThreeHundredScriptsIsDeployedCompletely() throws Exception {
        for (int i = 0; i < 300; i++) {
            Files.writeString(folder().resolve("burst" + i + ".toml"), "version = \"1.0.0\"\npermissions = []\n");
            Files.writeString(folder().resolve("burst" + i + ".lua"), "return " + i + "\n");
        }
        Await.until("all 300 burst scripts", Duration.ofSeconds(60),
                () -> manager().list().stream().filter(s -> s.name().startsWith("burst") && s.status() == ScriptStatus.COMPILED).count(),
                n -> n == 300);
        assertEquals(List.of(299.0), run(manager(), "burst299").values());
        for (int i = 0; i < 300; i++) {
            Files.delete(folder().resolve("burst" + i + ".lua"));
        }
        Await.until("burst scripts undeployed", Duration.ofSeconds(60),
                () -> manager().list().stream().noneMatch(s -> s.name().startsWith("burst")));
    }

    @Test
    public void dependencyArrivingLaterActivatesTheWaitingScript() throws Exception {
        write(folder().resolve("app.toml"), "version = \"1.0.0\"\npermissions = []\ndependencies = [\"mathlib ^2.0\"]\n");
        write(folder().resolve("app.lua"), "local m = require('mathlib')\nreturn m.double(21)\n");
        ScriptInfo waiting = awaitStatus(manager(), "app", ScriptStatus.UNRESOLVED).get();
        assertEquals(List.of("script mathlib ^2.0"), waiting.waitingFor());
        assertEquals(ErrorKind.DEPENDENCY, ((org.scriptbox.api.ScriptException) manager().execute("app", List.of())
                .getFailure()).kind());

        write(folder().resolve("mathlib.toml"), "version = \"2.1.0\"\npermissions = []\n");
        write(folder().resolve("mathlib.lua"), "return { double = function(x) return x * 2 end }\n");
        awaitStatus(manager(), "app", ScriptStatus.COMPILED);
        assertEquals(List.of(42.0), run(manager(), "app").values());
    }

    @Test
    public void scriptNamingADeviceWaitsUntilTheDeviceServiceIsThere() throws Exception {
        write(folder().resolve("needsdev.toml"), "version = \"1.0.0\"\npermissions = []\ndevices = [\"itest-dev-1\"]\n");
        write(folder().resolve("needsdev.lua"), "return 'has device'\n");
        assertEquals(List.of("device itest-dev-1"),
                awaitStatus(manager(), "needsdev", ScriptStatus.UNRESOLVED).get().waitingFor());
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Device.DEVICE_ID, "itest-dev-1");
        props.put(Device.DEVICE_TYPE, "itest");
        ServiceRegistration<Device> device = context.registerService(Device.class, new IdleDevice("itest-dev-1"), props);
        try {
            awaitStatus(manager(), "needsdev", ScriptStatus.COMPILED);
            assertEquals(List.of("has device"), run(manager(), "needsdev").values());
        } finally {
            device.unregister();
        }
        awaitStatus(manager(), "needsdev", ScriptStatus.UNRESOLVED);
    }

    /** A device that is only there: scripts that merely need its presence never call it. */
    private static final class IdleDevice implements Device {
        private final String id;

        IdleDevice(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public DeviceInfo info() {
            return new DeviceInfo(id, "itest", "0", 0, 0, List.of());
        }

        @Override
        public Promise<DeviceStatus> status() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<Void> setMotorSpeed(int motorId, double speed, CallContext ctx) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<Void> setDigitalOutput(int pin, boolean state, CallContext ctx) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<StopReport> emergencyStop() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<StopReport> applySafeState(Set<Actuator> touched) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Promise<Map<String, ChannelValue>> readTelemetry(List<String> channels, CallContext ctx) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    public void statisticsSurviveARestartOfTheManagerBundle() throws Exception {
        write(folder().resolve("counted.toml"), "version = \"1.0.0\"\npermissions = []\n");
        write(folder().resolve("counted.lua"), "return 1\n");
        awaitStatus(manager(), "counted", ScriptStatus.COMPILED);
        long before = manager().get("counted").get().stats().totalExecutions();
        for (int i = 0; i < 3; i++) {
            run(manager(), "counted");
        }
        Bundle bundle = managerBundle();
        bundle.stop();
        bundle.start();
        // a new manager instance: the deployer, restarted with it, deploys the folder's scripts again
        ScriptManager restarted = Await.until("the restarted manager", BOUND, this::currentManager, m -> m != null && m != injected);
        ScriptInfo after = awaitStatus(restarted, "counted", ScriptStatus.COMPILED).get();
        assertEquals(before + 3, after.stats().totalExecutions());
        assertNotNull(after.stats().lastExecutionTime());
    }

    @Test
    public void shellCommandsAnswerForKnownAndUnknownNames() throws Exception {
        write(folder().resolve("shelly.toml"), "version = \"3.0.0\"\npermissions = []\n");
        write(folder().resolve("shelly.lua"), "print('from shelly')\nreturn 7\n");
        awaitStatus(manager(), "shelly", ScriptStatus.COMPILED);
        String list = shell("script:list");
        assertTrue(list, list.matches("(?s)NAME +VERSION +STATUS.*\nshelly +3\\.0\\.0 +COMPILED.*"));
        String run = shell("script:run shelly");
        assertTrue(run, run.startsWith("COMPLETED in") && run.contains("returned: 7"));
        assertTrue(shell("script:logs shelly").contains("from shelly"));
        assertTrue(shell("script:stats shelly").contains("1 ok"));
        assertEquals("no script named 'nope' (script:list shows the deployed ones)", shell("script:info nope"));
        assertEquals("no script named 'nope' (script:list shows the deployed ones)", shell("script:run nope"));
        Path export = Files.createTempDirectory("export");
        assertTrue(shell("script:export --stats shelly " + export).startsWith("exported 'shelly'"));
        assertTrue(Files.exists(export.resolve("shelly.stats.toml")));
        assertTrue(shell("script:reload shelly").startsWith("reloaded 'shelly' version 3.0.0"));
        // the exported copy under another name: import discovers its .toml beside it
        Files.writeString(export.resolve("shelly2.lua"), Files.readString(export.resolve("shelly.lua")));
        Files.writeString(export.resolve("shelly2.toml"), Files.readString(export.resolve("shelly.toml"))
                .replace("name = \"shelly\"", "name = \"shelly2\""));
        assertEquals("imported 'shelly2' version 3.0.0 into " + folder().resolve("shelly2.lua") + ": COMPILED",
                shell("script:import " + export.resolve("shelly2.lua")));
        // the import is in the deploy folder: it is there after a restart, and the folder stays the source of truth
        assertEquals(Files.readString(export.resolve("shelly2.lua")), Files.readString(folder().resolve("shelly2.lua")));
        assertTrue(Files.exists(folder().resolve("shelly2.toml")));
        assertTrue(shell("script:import " + export.resolve("missing.lua")).startsWith("import failed: no such file"));
        // issue 13.5: a .toml naming another script is an error, and the other script is untouched
        Files.writeString(export.resolve("ramp2.lua"), "return 'ramp2'\n");
        Files.writeString(export.resolve("ramp2.toml"), "name = \"shelly\"\nversion = \"9.0.0\"\n");
        String refused = shell("script:import " + export.resolve("ramp2.lua"));
        assertTrue(refused, refused.startsWith("import failed: ") && refused.endsWith(
                "ramp2.toml:1:1: name \"shelly\" differs from the file name \"ramp2\"; rename one of them"));
        assertEquals("3.0.0", manager().get("shelly").get().metadata().version());
        assertTrue(manager().get("ramp2").isEmpty());
        assertTrue(Files.notExists(folder().resolve("ramp2.lua")));
        assertTrue(shell("script:cancel shelly2").contains("has no running execution"));
    }

    private ScriptManager manager() {
        ScriptManager m = currentManager();
        return m == null ? injected : m;
    }

    private ScriptManager currentManager() {
        return Services.current(context, ScriptManager.class);
    }

    private Bundle managerBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.scriptbox.manager".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no manager bundle");
    }

    private String shell(String command) throws Exception {
        return Shell.execute(context, command);
    }
}
