package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

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
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceService;

/**
 * Per-run traces in the real container on the shipped simulators: a device call with its result, a denied call, a
 * log line and the limit a run hit with its line, shown by script:trace, and still there after the manager
 * bundle restarted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TraceIT {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager injected;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.freshFolder("etc");
        try (Stream<Path> shipped = Files.list(Distribution.runtimeHome().resolve("etc"))) {
            for (Path cfg : shipped.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                Files.copy(cfg, etc.resolve(cfg.getFileName()));
            }
        }
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private ScriptManager manager() {
        ScriptManager m = Services.current(context, ScriptManager.class);
        return m == null ? injected : m;
    }

    @Test
    public void aRunsTraceShowsItsDeviceCallsDenialsLogsAndLimitAndSurvivesARestart() throws Exception {
        Path folder = ScriptDeployIT.deployFolder(context);
        ScriptDeployIT.write(folder.resolve("traced.toml"), "version = \"1.0.0\"\npermissions = [\"device:read\"]\n"
                + "[limits]\nmax_instructions = 100000\n");
        ScriptDeployIT.write(folder.resolve("traced.lua"), String.join("\n",
                "local s = device_get_status('sim-1')",
                "local ok = pcall(device_set_motor_speed, 0, 10, 'sim-1')",
                "log_info('<script>alert(1)</script>')",
                "if ... == 'loop' then",
                "  while true do end",
                "end",
                "return s.connected", ""));
        ScriptDeployIT.awaitStatus(manager(), "traced", ScriptStatus.COMPILED);
        ExecutionResult ok = ScriptDeployIT.run(manager(), "traced");
        assertEquals(String.valueOf(ok.error()), ScriptStatus.COMPLETED, ok.status());
        ExecutionResult limited = manager().execute("traced", List.of("loop")).timeout(20_000).getValue();
        assertEquals(ScriptStatus.FAILED, limited.status());

        TraceService traces = Await.until("the trace service", BOUND, () -> Services.current(context, TraceService.class),
                t -> t != null);
        List<RunTrace> runs = traces.runs("traced");
        assertEquals(List.of(2L, 1L), runs.stream().map(RunTrace::run).toList());
        RunTrace first = runs.get(1);
        assertEquals(ok.executionId(), first.executionId());
        List<TraceEvent.Type> types = first.events().stream().map(TraceEvent::type).toList();
        assertEquals(List.of(TraceEvent.Type.START, TraceEvent.Type.CALL, TraceEvent.Type.DENIED, TraceEvent.Type.CALL,
                TraceEvent.Type.LOG, TraceEvent.Type.END), types);
        TraceEvent status = first.events().get(1);
        assertEquals("device_get_status", status.name());
        assertEquals("(\"sim-1\")", status.detail());
        assertTrue(status.outcome(), status.outcome().contains("connected = true"));
        assertTrue(first.events().get(2).outcome(), first.events().get(2).outcome().contains("device:control"));
        assertEquals("log_info", first.events().get(3).name());
        assertEquals("<script>alert(1)</script>", first.events().get(4).detail());

        RunTrace loop = runs.get(0);
        assertEquals("(\"loop\")", loop.arguments());
        assertEquals(ErrorKind.LIMIT, loop.error().kind());
        assertEquals(5, loop.error().line());
        assertTrue(loop.events().get(loop.events().size() - 1).outcome().contains("traced.lua:5"));

        String list = Shell.execute(context, "script:trace traced");
        assertTrue(list, list.contains("COMPLETED") && list.contains("FAILED"));
        String timeline = Shell.execute(context, "script:trace traced 1");
        assertTrue(timeline, timeline.contains("device_get_status(\"sim-1\") -> {"));
        assertTrue(timeline, timeline.contains("DENIED") && timeline.contains("device_set_motor_speed(0, 10, \"sim-1\")"));
        assertTrue(timeline, timeline.contains("end COMPLETED") && timeline.contains("-> true"));
        assertTrue(Shell.execute(context, "script:trace traced 9").contains("no kept run 9"));

        Bundle bundle = managerBundle();
        bundle.stop();
        bundle.start();
        TraceService restarted = Await.until("the restarted trace service", BOUND,
                () -> Services.current(context, TraceService.class), t -> t != null && t != traces);
        assertEquals(runs, restarted.runs("traced"));
        assertFalse(restarted.run("traced", ok.executionId()).isEmpty());
    }

    private Bundle managerBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.scriptbox.manager".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no manager bundle");
    }
}
