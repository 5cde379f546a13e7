package org.scriptbox.testing.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptLog;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.testing.ScriptTests;
import org.scriptbox.api.testing.TestCaseResult;
import org.scriptbox.api.testing.TestReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code script:test NAME}: reads {@code NAME.lua} and {@code NAME_test.lua} from the deploy folder, lists the
 * test file's cases in one execution and runs each case in an execution of its own, all through
 * {@link ScriptManager#executeDetached}: the script's limits, permissions and modules, the manager's execution
 * bound, and only the {@link MockDevices} as host functions. Nothing is deployed and nothing is recorded.
 */
@Component(service = ScriptTests.class)
public class ScriptTestRunner implements ScriptTests {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptTestRunner.class);
    /** Lines of output kept per case, characters per line, of a case's name and of its failure (a report stays small). */
    static final int MAX_OUTPUT_LINES = 20;
    static final int MAX_LINE_CHARS = 300;
    static final int MAX_NAME_CHARS = 200;
    static final int MAX_FAILURE_CHARS = 2000;
    /** How long an interrupted run waits for its case to end. */
    private static final long CANCEL_WAIT_MILLIS = 5000;
    private static final String HARNESS_NAME = "scriptbox-test-harness.lua";

    private final ScriptManager manager;
    private final ScriptEngine engine;
    /** The tests and the script are read from the deploy folder, under its rules (links, pipes, size, UTF-8). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ScriptFolder folder;
    private final CompiledScript harness;

    @Activate
    public ScriptTestRunner(@Reference ScriptManager manager, @Reference ScriptEngine engine) {
        this.manager = manager;
        this.engine = engine;
        this.harness = engine.compile(HARNESS_NAME, harnessSource());
    }

    private static String harnessSource() {
        try (InputStream in = ScriptTestRunner.class.getResourceAsStream("harness.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the test harness is missing from the testing bundle", e);
        }
    }

    @Override
    public TestReport run(String name) {
        Optional<ScriptInfo> info = name == null ? Optional.empty() : manager.get(name);
        if (info.isEmpty()) {
            return TestReport.problem(String.valueOf(name), null, "no script named '" + name + "'");
        }
        ScriptFolder deploy = folder;
        if (deploy == null) {
            return TestReport.problem(name, null, "script:test reads the deploy folder, and the deployer is not running");
        }
        String scriptFile = name + ".lua";
        String testFile = name + SUFFIX;
        String scriptSource;
        String testSource;
        try {
            testSource = deploy.readText(testFile);
        } catch (ScriptException e) {
            return TestReport.problem(name, null, e.error().kind() == ErrorKind.NOT_FOUND
                    ? "no tests for '" + name + "': " + testFile + " not found beside " + scriptFile
                    + " in the deploy folder (docs/scripting.md, \"Testing a script\")" : e.getMessage());
        }
        try {
            scriptSource = deploy.readText(scriptFile);
        } catch (ScriptException e) {
            return TestReport.problem(name, testFile, e.error().kind() == ErrorKind.NOT_FOUND
                    ? "script '" + name + "' has no " + scriptFile + " in the deploy folder (it came from "
                    + info.get().origin() + "); its tests run on the file beside them" : e.getMessage());
        }
        try {
            // syntax errors with file:line:column before any case runs
            engine.compile(scriptFile, scriptSource);
            engine.compile(testFile, testSource);
        } catch (ScriptException e) {
            return TestReport.problem(name, testFile, e.getMessage());
        }
        return new Run(name, testFile, List.of(scriptFile, scriptSource, testFile, testSource)).all();
    }

    /** One script:test: the listing execution, then one execution per case. */
    private final class Run {
        private final String script;
        private final String testFile;
        private final List<Object> sources;
        private final List<TestCaseResult> results = new ArrayList<>();

        Run(String script, String testFile, List<Object> sources) {
            this.script = script;
            this.testFile = testFile;
            this.sources = sources;
        }

        TestReport all() {
            try {
                Case listing = execute("list", 0, "");
                ExecutionResult listed = listing.result;
                if (listed.status() != ScriptStatus.COMPLETED) {
                    return report(testFile + " failed outside every test: " + listing.failure());
                }
                List<String> names = new ArrayList<>();
                for (Object v : listed.values()) {
                    names.add(String.valueOf(v));
                }
                if (names.isEmpty()) {
                    return report(testFile + " defines no test (test(\"name\", function() ... end))");
                }
                for (int i = 0; i < names.size(); i++) {
                    Case c = execute("run", i + 1, names.get(i));
                    results.add(c.outcome(names.get(i)));
                }
                return report(null);
            } catch (Refused e) {
                return report(e.getMessage());
            } catch (InterruptedException ctrlC) {
                // consumed (the shell's Ctrl-C): the report says so; the case running was cancelled
                return report("cancelled after " + results.size() + " case(s)");
            }
        }

        private TestReport report(String problem) {
            return new TestReport(script, testFile, results, problem);
        }

        private Case execute(String mode, int index, String name) throws InterruptedException, Refused {
            MockDevices mocks = new MockDevices();
            Output output = new Output();
            Cancellation cancellation = new Cancellation();
            List<Object> args = new ArrayList<>(List.of(mode, (double) index, name));
            args.addAll(sources);
            Promise<ExecutionResult> p = manager.executeDetached(script, harness, args,
                    List.of(mocks.devices(), mocks.controls()), output, cancellation);
            try {
                return new Case(p.getValue(), mocks, output);
            } catch (InvocationTargetException e) {
                throw new Refused(e.getCause() instanceof ScriptException se ? se.getMessage()
                        : "the script manager failed (see the container log)");
            } catch (InterruptedException ctrlC) {
                cancellation.cancel("script:test interrupted");
                awaitUninterrupted(p);
                throw ctrlC;
            }
        }
    }

    private static void awaitUninterrupted(Promise<?> p) {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        p.onResolve(done::countDown);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CANCEL_WAIT_MILLIS);
        while (true) {
            try {
                done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            } catch (InterruptedException again) {
                // a second Ctrl-C: the bounded wait goes on
            }
        }
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
    }

    /** The manager refused the run (busy, stopping, the script gone): the report's problem. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** One execution of the harness and what it left. */
    private static final class Case {
        final ExecutionResult result;
        final MockDevices mocks;
        final Output output;

        Case(ExecutionResult result, MockDevices mocks, Output output) {
            this.result = result;
            this.mocks = mocks;
            this.output = output;
        }

        String failure() {
            return result.error() == null ? result.status().toString() : result.error().toString();
        }

        TestCaseResult outcome(String name) {
            boolean passed = false;
            String failure;
            if (result.status() != ScriptStatus.COMPLETED) {
                failure = result.status() == ScriptStatus.FAILED ? failure()
                        : result.status().toString().toLowerCase() + ": " + failure();
            } else if (!result.values().isEmpty() && Boolean.TRUE.equals(result.values().get(0))) {
                passed = true;
                failure = null;
            } else {
                failure = result.values().size() > 1 ? String.valueOf(result.values().get(1)) : "failed";
            }
            return new TestCaseResult(cut(name, MAX_NAME_CHARS), passed, failure == null ? null : cut(failure, MAX_FAILURE_CHARS),
                    mocks.now(), result.instructions(), output.lines());
        }
    }

    /** The first lines a case printed or logged. */
    private static final class Output implements ScriptLog {
        private final List<String> lines = new ArrayList<>();
        private int more;

        @Override
        public synchronized void log(String level, String message) {
            if (lines.size() < MAX_OUTPUT_LINES) {
                lines.add(cut(("INFO".equals(level) ? "" : level + " ") + message, MAX_LINE_CHARS));
            } else {
                more++;
            }
        }

        synchronized List<String> lines() {
            List<String> out = new ArrayList<>(lines);
            if (more > 0) {
                out.add("(" + more + " more line(s))");
            }
            return out;
        }
    }
}
