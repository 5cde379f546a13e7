package org.scriptbox.testing.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.engine.ScriptLog;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.testing.TestCaseResult;
import org.scriptbox.api.testing.TestReport;
import org.scriptbox.engine.internal.LuaScriptEngine;

/**
 * script:test on the real engine: the manager is stood in for by a proxy that runs a detached execution as the
 * manager does (the request's libraries, the script's limits and permissions).
 */
public class ScriptTestRunnerTest {
    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final LuaScriptEngine engine = new LuaScriptEngine();
    /** A registered library that stands for the real devices: a test must never reach it. */
    private final AtomicInteger realCalls = new AtomicInteger();
    private ResourceLimits limits = ResourceLimits.DEFAULTS;
    private Set<String> permissions = Set.of("device:control", "device:read", "device:write", "telemetry:read");

    public ScriptTestRunnerTest() {
        ScriptFunction real = (scope, args) -> {
            realCalls.incrementAndGet();
            return true;
        };
        engine.addLibrary(new ScriptLibrary() {
            @Override
            public String name() {
                return "devices";
            }

            @Override
            public Map<String, ScriptFunction> functions() {
                return Map.of("device_set_motor_speed", real, "device_emergency_stop", real, "real_only", real);
            }
        });
    }

    private ScriptTestRunner runner(Path lua) {
        ScriptManager manager = (ScriptManager) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ScriptManager.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "get":
                            String name = (String) args[0];
                            return Files.exists(lua) && name.equals(lua.getFileName().toString().replace(".lua", ""))
                                    ? Optional.of(info(name, lua)) : Optional.empty();
                        case "executeDetached":
                            @SuppressWarnings("unchecked")
                            ExecutionRequest r = new ExecutionRequest((String) args[0], "t", (List<Object>) args[2], limits,
                                    permissions, (Cancellation) args[5], null, (ScriptLog) args[4], null,
                                    (List<ScriptLibrary>) args[3]);
                            return Promises.resolved(engine.execute((CompiledScript) args[1], r));
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
        ScriptTestRunner runner = new ScriptTestRunner(manager, engine);
        runner.folder = new ScriptFolder() {
            @Override
            public Path path() {
                return lua.getParent();
            }

            @Override
            public String readText(String fileName) {
                try {
                    return Files.readString(lua.resolveSibling(fileName));
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new ScriptException(ScriptError.of(ErrorKind.NOT_FOUND, fileName + " is not there"));
                } catch (java.io.IOException e) {
                    throw new ScriptException(ScriptError.of(ErrorKind.IO, fileName + " cannot be read"));
                }
            }

            @Override
            public ScriptInfo importScript(Path luaFile, boolean force) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ScriptInfo install(org.scriptbox.api.ScriptDefinition definition, boolean force) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Path exportScript(String name, Path targetFolder, boolean withStats) {
                throw new UnsupportedOperationException();
            }
        };
        return runner;
    }

    private static ScriptInfo info(String name, Path lua) {
        return new ScriptInfo(ScriptMetadata.defaults(name), ScriptStatus.COMPILED, ExecutionStats.EMPTY, null,
                lua.toString(), Instant.now(), List.of(), 0, List.of(), false);
    }

    private TestReport test(String name, String script, String tests) throws Exception {
        Path lua = folder.getRoot().toPath().resolve(name + ".lua");
        Files.writeString(lua, script);
        if (tests != null) {
            Files.writeString(lua.resolveSibling(name + "_test.lua"), tests);
        }
        return runner(lua).run(name);
    }

    @Test
    public void theShippedRampExampleTestsTheRampWithoutAMotor() throws Exception {
        Path deploy = Path.of("../../scripts-deploy");
        TestReport r = test("motor_ramp", Files.readString(deploy.resolve("motor_ramp.lua")),
                Files.readString(deploy.resolve("motor_ramp_test.lua")));
        assertNull(r.problem());
        assertEquals(r.toString(), 3, r.cases().size());
        assertTrue(r.toString(), r.ok());
        assertEquals(2.0, r.cases().get(0).virtualSeconds(), 1e-9);
        assertEquals("the real device library is never called", 0, realCalls.get());
    }

    @Test
    public void aFailedAssertionNamesTheTestFileAndLine() throws Exception {
        TestReport r = test("calc", "return (... or 0) * 2\n", ""
                + "test(\"doubles\", function()\n"
                + "  assert_eq(run_script(21), 42)\n"
                + "end)\n"
                + "test(\"wrong on purpose\", function()\n"
                + "  assert_eq(run_script(2), 5, \"two doubled\")\n"
                + "end)\n");
        assertEquals(2, r.cases().size());
        assertTrue(r.cases().get(0).passed());
        TestCaseResult bad = r.cases().get(1);
        assertFalse(bad.passed());
        assertEquals("calc_test.lua:5: two doubled: expected 5, got 4", bad.failure());
        assertEquals(1, r.failed());
        assertFalse(r.ok());
    }

    @Test
    public void anErrorInTheScriptNamesTheScriptsLine() throws Exception {
        TestReport r = test("bad", "local x = nil\nreturn x.field\n", "test(\"runs\", function() run_script() end)\n");
        assertEquals("bad.lua:2: attempt to index a nil value (local 'x')", r.cases().get(0).failure());
    }

    @Test
    public void sleepMovesAVirtualClockThatTheTimeFunctionsRead() throws Exception {
        long wall = System.nanoTime();
        TestReport r = test("slow", ""
                + "local t0, c0 = os.time(), os.clock()\n"
                + "for i = 1, 6 do sleep(10) end\n"
                + "return os.time() - t0, os.clock() - c0, os.date('!%Y-%m-%d %H:%M', os.time())\n", ""
                + "test(\"a minute passes at once\", function()\n"
                + "  local dt, dc, date = run_script()\n"
                + "  assert_eq(dt, 60)\n"
                + "  assert_near(dc, 60, 1e-9)\n"
                + "  assert_eq(date, '2026-01-01 00:01')\n"
                + "  assert_near(test_clock(), 60, 1e-9)\n"
                + "end)\n");
        assertTrue(r.toString(), r.ok());
        assertEquals(60.0, r.cases().get(0).virtualSeconds(), 1e-9);
        assertTrue("a virtual minute is not waited for", System.nanoTime() - wall < Duration.ofSeconds(30).toNanos());
    }

    @Test
    public void onlyTheMocksAreThereNeverTheRegisteredLibraries() throws Exception {
        TestReport r = test("probe", "device_set_motor_speed(0, 50)\ndevice_emergency_stop()\nreturn real_only\n", ""
                + "test(\"mock\", function()\n"
                + "  mock_device('m', {motors = 2})\n"
                + "  assert_eq(run_script(), nil, 'a function only the real library has is absent')\n"
                + "  assert_eq(#device_calls(), 2)\n"
                + "  assert_eq(device_calls()[1].name, 'device_set_motor_speed')\n"
                + "  assert_eq(device_calls()[1].device, 'm')\n"
                + "end)\n"
                + "test(\"no mock device: the call fails as with no device connected\", function()\n"
                + "  assert_error(run_script, 'no device is connected')\n"
                + "end)\n");
        assertTrue(r.toString(), r.ok());
        assertEquals(0, realCalls.get());
    }

    @Test
    public void theScriptsLimitsHoldInEveryCaseAndACaseThatBreaksThemFailsAlone() throws Exception {
        limits = new ResourceLimits(Duration.ofSeconds(10), 50L * 1024 * 1024, 200_000, 10_000, 1000, 50, 16);
        TestReport r = test("spin", "while true do end\n", ""
                + "test(\"spins\", function() run_script() end)\n"
                + "test(\"still runs\", function() assert_true(true) end)\n");
        assertEquals(2, r.cases().size());
        assertFalse(r.cases().get(0).passed());
        assertTrue(r.cases().get(0).failure(), r.cases().get(0).failure().contains("instruction limit")
                && r.cases().get(0).failure().contains("spin.lua:1"));
        assertTrue(r.cases().get(1).passed());
    }

    @Test
    public void theScriptsPermissionsHoldOnTheMocks() throws Exception {
        permissions = Set.of("telemetry:read");
        TestReport r = test("perm", "return device_set_motor_speed(0, 10)\n",
                "test(\"denied\", function() mock_device('m') assert_error(run_script, 'permission denied: device:control required') end)\n");
        assertTrue(r.toString(), r.ok());
    }

    @Test
    public void scriptedFaultsAndAnswersReachTheScript() throws Exception {
        TestReport r = test("faulty", ""
                + "local ok, err = pcall(device_set_motor_speed, 0, 10)\n"
                + "local t = telemetry_read({'temp'})\n"
                + "local t2 = telemetry_read({'temp'})\n"
                + "return ok, err, t.temp, t2.temp\n", ""
                + "test(\"fault then values\", function()\n"
                + "  mock_device('m', {telemetry = {temp = {20, 21.5}}})\n"
                + "  mock_fail('device_set_motor_speed', 'bus timeout')\n"
                + "  local ok, err, a, b = run_script()\n"
                + "  assert_false(ok)\n"
                + "  assert_true(err:find('device_set_motor_speed: device error: bus timeout', 1, true), err)\n"
                + "  assert_eq(a, 20)\n"
                + "  assert_eq(b, 21.5)\n"
                + "end)\n");
        assertTrue(r.toString(), r.ok());
    }

    @Test
    public void problemsBeforeAnyCaseAreOneSentenceWithTheirPosition() throws Exception {
        assertTrue(test("none", "return 1\n", null).problem().contains("none_test.lua not found beside none.lua"));
        String syntax = test("syn", "return 1\n", "test(\"x\", function()\n  local = 1\nend)\n").problem();
        assertTrue(syntax, syntax.startsWith("syn_test.lua:2:"));
        String outside = test("top", "return 1\n", "error('boom')\n").problem();
        assertTrue(outside, outside.contains("top_test.lua:1: boom"));
        assertTrue(test("empty", "return 1\n", "-- nothing\n").problem().contains("defines no test"));
        assertTrue(runner(folder.getRoot().toPath().resolve("x.lua")).run("nosuch").problem().contains("no script named 'nosuch'"));
    }

    /** Test code is untrusted: what it prints, its case names and its failures are bounded in the report. */
    @Test
    public void aReportStaysSmallWhateverTheTestPrints() throws Exception {
        TestReport r = test("loud", "return 1\n", ""
                + "test(('n'):rep(5000), function()\n"
                + "  for i = 1, 200 do log_info(('x'):rep(9000)) end\n"
                + "  fail(('f'):rep(9000))\n"
                + "end)\n");
        TestCaseResult c = r.cases().get(0);
        assertTrue(c.name().length() < 300);
        assertTrue(c.failure().length() < 2100);
        assertEquals(21, c.output().size());
        assertTrue(c.output().stream().allMatch(l -> l.length() < 400));
        assertEquals("(180 more line(s))", c.output().get(20));
    }
}
