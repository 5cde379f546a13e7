package org.scriptbox.testing.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptLog;
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
    /** The largest script or test file read (the engine's default source bound). */
    static final long MAX_FILE_BYTES = 1024 * 1024;
    /** Lines of output kept per case. */
    static final int MAX_OUTPUT_LINES = 20;
    /** How long an interrupted run waits for its case to end. */
    private static final long CANCEL_WAIT_MILLIS = 5000;
    private static final String HARNESS_NAME = "scriptbox-test-harness.lua";

    private final ScriptManager manager;
    private final ScriptEngine engine;
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
        String testName = name + SUFFIX;
        Path script = scriptFile(info.get());
        if (script == null) {
            return TestReport.problem(name, null, "script '" + name + "' has no file in the deploy folder (origin: "
                    + info.get().origin() + "); its tests are " + testName + " beside its .lua file");
        }
        Path tests = script.resolveSibling(testName);
        if (!Files.isRegularFile(tests)) {
            return TestReport.problem(name, null, "no tests for '" + name + "': " + testName + " not found beside "
                    + script.getFileName() + " (docs/scripting.md, \"Testing a script\")");
        }
        String scriptSource;
        String testSource;
        try {
            scriptSource = read(script);
            testSource = read(tests);
            engine.compile(script.getFileName().toString(), scriptSource);
            engine.compile(testName, testSource);   // a syntax error with file:line:column before any case runs
        } catch (ScriptException e) {
            return TestReport.problem(name, testName, e.getMessage());
        } catch (IOException e) {
            return TestReport.problem(name, testName, "cannot read " + e.getMessage());
        }
        Run run = new Run(name, testName, List.of(script.getFileName().toString(), scriptSource, testName, testSource));
        return run.all();
    }

    /** The script's .lua in the deploy folder, or null if it did not come from a file. */
    private static Path scriptFile(ScriptInfo info) {
        try {
            Path p = info.origin() == null ? null : Path.of(info.origin());
            return p != null && p.isAbsolute() && Files.isRegularFile(p)
                    && p.getFileName().toString().endsWith(".lua") ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file.getFileName() + ": larger than " + MAX_FILE_BYTES / 1024 + " KB");
        }
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException(file.getFileName() + " (" + e.getClass().getSimpleName() + ")");
        }
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
            return new TestCaseResult(name, passed, failure, mocks.now(), result.instructions(), output.lines());
        }
    }

    /** The first lines a case printed or logged. */
    private static final class Output implements ScriptLog {
        private final List<String> lines = new ArrayList<>();
        private int more;

        @Override
        public synchronized void log(String level, String message) {
            if (lines.size() < MAX_OUTPUT_LINES) {
                lines.add(("INFO".equals(level) ? "" : level + " ") + message);
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
