package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionTrigger;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * What operators see and what a hostile script can do to it, in the real container with the runtime's
 * logging configuration: the real log file ({@code data/log/scriptbox.log}) and the real Gogo shell.
 * Forged log lines, escape sequences in shell output, log floods, a flooding schedule next to an e-stop
 * script, statistics with lone surrogates across a restart, and bad configuration values.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OperatorViewIT {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager injected;

    @Configuration
    public Option[] config() throws IOException {
        Path etc = Distribution.etcWatchingDeployFolder();
        Files.copy(Distribution.runtimeHome().resolve("etc/org.ops4j.pax.logging.cfg"), etc.resolve("org.ops4j.pax.logging.cfg"));
        Files.writeString(etc.resolve("org.scriptbox.manager.cfg"), "max.concurrent = 4\nqueue.capacity = 20\n"
                + "max.concurrent.per.script = 2\nqueue.capacity.per.script = 3\nreserved.operator.slots = 1\n"
                + "log.max.lines.per.execution = 50\nlog.max.lines.per.window = 200\nstats.flush.ms = 100\n");
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    private Path folder() {
        return ScriptDeployIT.deployFolder(context);
    }

    private Path logFile() {
        return ContainerLog.file(context);
    }

    private List<String> logLines() {
        return ContainerLog.lines(context);
    }

    private List<String> awaitLogLines(String what, String marker, int atLeast) {
        return Await.until(what + " in " + logFile(), BOUND,
                () -> logLines().stream().filter(l -> l.contains(marker)).collect(Collectors.toList()), l -> l.size() >= atLeast);
    }

    private ScriptManager manager() {
        ScriptManager m = Services.current(context, ScriptManager.class);
        return m == null ? injected : m;
    }

    private void deploy(String name, String toml, String lua) throws IOException {
        ScriptDeployIT.write(folder().resolve(name + ".toml"), "version = \"1.0.0\"\n" + toml);
        ScriptDeployIT.write(folder().resolve(name + ".lua"), lua);
        ScriptDeployIT.awaitStatus(manager(), name, ScriptStatus.COMPILED);
    }

    private static void assertNoControls(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            assertFalse("raw control U+" + Integer.toHexString(c) + " at " + i + " in:\n" + text,
                    c != '\n' && (c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x202e || Character.isSurrogate(c)));
        }
    }

    /** The lines the tests look for are logged after the log file's appender is in place. */
    @Before
    public void logFileInPlace() {
        ContainerLog.awaitFileAppender(context, BOUND);
    }

    @Test
    public void aScriptCannotForgeLogLinesAndLogLevelsAreKept() throws Exception {
        deploy("forger", "permissions = []\n", "print('ok\\n2026-12-01T10:00:00,000 ERROR [main] FORGED-LINE - wiped\\r\\27[2J')\n"
                + "log_warn('warn-marker')\nlog_error('error-marker\\nFORGED-LINE too')\nreturn 1\n");
        ScriptDeployIT.run(manager(), "forger");
        String forged = awaitLogLines("the forger's print", "[forger] ok", 1).get(0);
        assertTrue(forged, forged.contains("ok\\n2026-12-01T10:00:00,000 ERROR [main] FORGED-LINE - wiped\\r\\u001b[2J"));
        assertTrue(forged, forged.contains(" INFO "));
        String warn = awaitLogLines("log_warn", "warn-marker", 1).get(0);
        assertTrue(warn, warn.contains(" WARN ") && warn.contains("org.scriptbox.scripts - [forger] warn-marker"));
        String error = awaitLogLines("log_error", "error-marker", 1).get(0);
        assertTrue(error, error.contains(" ERROR ") && error.contains("error-marker\\nFORGED-LINE too"));
        for (String line : logLines()) {
            assertFalse("a line of the script's own: " + line, line.startsWith("2026-12-01T10:00:00") || line.startsWith("FORGED"));
            if (line.contains("[forger]")) {
                assertNoControls(line);
            }
        }
    }

    @Test
    public void noShellOutputCarriesAScriptsEscapeSequences() throws Exception {
        String esc = "\\27[2J\\27[H\\27]0;pwned\\7\\194\\155" + "31m\\226\\128\\174";  // ESC, OSC, C1 CSI, U+202E
        ScriptDeployIT.write(folder().resolve("painter.toml"), "version = \"1.0.0\"\npermissions = []\n"
                + "description = \"desc \\u001b[2J \\u009b31m \\u202e\"\nauthor = \"a\\nfake: line\"\n");
        ScriptDeployIT.write(folder().resolve("painter.lua"), "print('" + esc + "')\nif ... == 'fail' then error('" + esc
                + "') end\nreturn '" + esc + "'\n");
        ScriptDeployIT.awaitStatus(manager(), "painter", ScriptStatus.COMPILED);
        List<String> outputs = new ArrayList<>();
        outputs.add(Shell.execute(context, "script:run painter"));
        outputs.add(Shell.execute(context, "script:run painter fail"));
        outputs.add(Shell.execute(context, "script:logs painter"));
        outputs.add(Shell.execute(context, "script:info painter"));
        outputs.add(Shell.execute(context, "script:list"));
        outputs.add(Shell.execute(context, "script:stats"));
        for (String out : outputs) {
            assertNoControls(out);
        }
        assertTrue(outputs.get(0), outputs.get(0).contains("returned: \\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007\\u009b31m\\u202e"));
        assertTrue(outputs.get(1), outputs.get(1).contains("error: ") && outputs.get(1).contains("\\u001b[2J"));
        assertTrue(outputs.get(3), outputs.get(3).contains("desc \\u001b[2J \\u009b31m \\u202e"));
        assertTrue(outputs.get(3), outputs.get(3).contains("a\\nfake: line"));
    }

    @Test
    public void aFloodingScriptIsCutWithOneSummaryLine() throws Exception {
        deploy("flood", "permissions = []\n", "for i = 1, 5000 do print('flood-line ' .. i) end\nreturn 1\n");
        for (int run = 0; run < 7; run++) {
            ScriptDeployIT.run(manager(), "flood");
        }
        List<String> summaries = awaitLogLines("the summary", "[flood] log limit reached", 1);
        // 50 per execution, 200 per window: the window holds after 4 runs
        long written = logLines().stream().filter(l -> l.contains("[flood] flood-line")).count();
        assertEquals(200, written);
        assertEquals("one summary per window: " + summaries, 1, summaries.size());
        assertTrue(summaries.get(0), summaries.get(0).contains("4950 lines") && summaries.get(0).contains(" WARN "));
        assertTrue(Shell.execute(context, "script:logs -n 500 flood").contains("log limit reached"));
    }

    @Test
    public void aFloodingScheduleLeavesRoomForAnEstopScriptAndTheOperator() throws Exception {
        deploy("hog", "permissions = []\n", "sleep(10)\n");
        deploy("estop", "permissions = []\n", "return 'stopped'\n");
        deploy("other", "permissions = []\n", "return 'other'\n");
        List<Promise<ExecutionResult>> hogs = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            Promise<ExecutionResult> p = manager().execute("hog", List.of(), ExecutionTrigger.SCHEDULE);
            if (p.isDone() && p.getFailure() != null) {
                ScriptException e = (ScriptException) p.getFailure();
                assertEquals(ErrorKind.BUSY, e.kind());
                assertTrue(e.getMessage(), e.getMessage().contains("script 'hog' already has 2 runs running and 3 waiting"));
                refused++;
            } else {
                hogs.add(p);
            }
        }
        try {
            assertEquals("the hog holds its share: 2 running, 3 waiting", 5, hogs.size());
            assertEquals(195, refused);
            // a scheduled e-stop script and an operator's run get through while the hog floods
            ExecutionResult estop = manager().execute("estop", List.of(), ExecutionTrigger.SCHEDULE).timeout(10_000).getValue();
            assertEquals(ScriptStatus.COMPLETED, estop.status());
            assertEquals(List.of("stopped"), estop.values());
            assertTrue(Shell.execute(context, "script:run other").startsWith("COMPLETED"));
            assertEquals("admitted: running and waiting", 5, manager().get("hog").get().running());
        } finally {
            manager().cancel("hog");
        }
        for (Promise<ExecutionResult> p : hogs) {
            assertEquals(ScriptStatus.CANCELLED, p.timeout(10_000).getValue().status());
        }
    }

    @Test
    public void statisticsWithLoneSurrogatesAndARunInFlightSurviveARestart() throws Exception {
        // \237\160\128 is U+D800 encoded as if it were a character: Luaj decodes it to a lone surrogate
        deploy("surrogate", "permissions = []\n", "if ... == 'wait' then sleep(10) end\nerror('bad \\237\\160\\128 end')\n");
        ExecutionResult failed = ScriptDeployIT.run(manager(), "surrogate");
        assertEquals(ScriptStatus.FAILED, failed.status());
        Promise<ExecutionResult> inFlight = manager().execute("surrogate", List.of("wait"));
        Await.until("the waiting run", BOUND, () -> manager().get("surrogate").get().running() == 1);
        Path stats = Paths.get(context.getProperty("scriptbox.data"));
        Bundle bundle = managerBundle();
        ScriptManager before = manager();
        bundle.stop();
        assertEquals(ScriptStatus.CANCELLED, inFlight.timeout(10_000).getValue().status());
        bundle.start();
        ScriptManager restarted = Await.until("the restarted manager", BOUND, this::manager, m -> m != null && m != before);
        ScriptInfo info = ScriptDeployIT.awaitStatus(restarted, "surrogate", ScriptStatus.COMPILED).get();
        assertEquals("the failed run and the one in flight at stop", 2, info.stats().totalExecutions());
        assertTrue(String.valueOf(info.stats().lastError()), info.stats().lastError() != null);
        assertTrue(Shell.execute(context, "script:stats surrogate").contains("2 failed"));
        assertFalse("no save failure in the log", logLines().stream().anyMatch(l -> l.contains("could not be saved")));
        assertTrue(stats.toString(), Files.isDirectory(stats));
    }

    @Test
    public void badConfigurationValuesAreRefusedWithOneLineAndTheOldValueKept() throws Exception {
        Path etc = Paths.get(context.getProperty("felix.fileinstall.dir"));
        ScriptDeployIT.write(etc.resolve("org.scriptbox.limits.cfg"), "max.execution.time.ms = abc\nmax.instructions = -1\n");
        List<String> refused = awaitLogLines("the refusal", "configuration org.scriptbox.limits: max.execution.time.ms = 'abc' refused", 1);
        assertTrue(refused.get(0), refused.get(0).contains(" ERROR ") && refused.get(0).contains("keeping 30000"));
        awaitLogLines("the second refusal", "configuration org.scriptbox.limits: max.instructions = '-1' refused", 1);
        // no stack trace of the refusal (other bundles' lines, e.g. a driver's, are not this test's business)
        List<String> lines = logLines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("org.scriptbox.limits")) {
                assertFalse(lines.get(i), lines.get(i).contains("Exception") || lines.get(i).contains("Could not coerce"));
                assertFalse("a stack trace after " + lines.get(i), i + 1 < lines.size() && lines.get(i + 1).startsWith("\tat "));
            }
        }
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
