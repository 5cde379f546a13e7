package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ConsoleInterrupt;
import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;
import org.scriptbox.shell.command.Word;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptLogEntry;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.text.SafeText;

/**
 * The {@code script:*} commands, a thin layer over {@link ScriptManager}. Every command returns text; an
 * operator's mistake (unknown name, bad path, bad option) comes back as one sentence, not a stack trace.
 */
@Component(service = {})
public class ScriptCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    /** How long a cancelled {@code script:run} waits for the run to end before it says it was asked to. */
    private static final long CANCEL_WAIT_MILLIS = 5000;
    /** How soon a Ctrl-C whose interrupt was lost still ends a wait for a run. */
    private static final long CTRL_C_POLL_MILLIS = 100;
    /** How often {@code script:logs -f} looks for new lines. */
    private static final long FOLLOW_POLL_MILLIS = 200;
    static final int MAX_LOG_LINES = 10_000;

    private final ScriptManager manager;
    private final ShellCommands registered;
    /** Import and export go through the deploy folder's owner; without a deployer they say so. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ScriptFolder folder;

    @Activate
    public ScriptCommands(@Reference ScriptManager manager, BundleContext context) {
        this.manager = manager;
        this.registered = ShellCommands.register(context, commands());
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("script:list", "lists the deployed scripts with their status and run counts")
                        .withExample("script:list"), (s, a) -> list()),
                new ShellCommand(Usage.of("script:info", "shows a script's metadata, status, origin, last error and statistics")
                        .withArgument("NAME", "script name").withExample("script:info ramp"), (s, a) -> info(a.text("NAME"))),
                new ShellCommand(Usage.of("script:run", "runs a script and waits for its result (Ctrl-C cancels the run)")
                        .withArgument("NAME", "script name")
                        .withRest("ARG", "arguments, passed to the script as ...: read as Lua literals (25, 0.5, true,"
                                + " nil); a quoted word (\"007\") is a string", false)
                        .withExample("script:run ramp 25 \"007\""), (s, a) -> run(a.text("NAME"), a.rest())),
                new ShellCommand(Usage.of("script:cancel", "cancels every running execution of a script")
                        .withArgument("NAME", "script name").withExample("script:cancel ramp"), (s, a) -> cancel(a.text("NAME"))),
                new ShellCommand(Usage.of("script:reload", "recompiles a script from where it came from (its file, if it has one)")
                        .withArgument("NAME", "script name").withExample("script:reload ramp"), (s, a) -> reload(a.text("NAME"))),
                new ShellCommand(Usage.of("script:export", "writes a script's .lua and .toml (and .stats.toml with --stats) into a folder")
                        .withFlag("-s", "--stats", "also write the statistics")
                        .withArgument("NAME", "script name").withArgument("DIR", "target folder (created if missing)")
                        .withExample("script:export --stats ramp /tmp/backup"),
                        (s, a) -> export(a.flag("--stats"), a.text("NAME"), a.text("DIR"))),
                new ShellCommand(Usage.of("script:import", "copies a .lua file, with the .toml beside it, into the deploy folder and deploys it")
                        .withFlag("-f", "--force", "accept a lower version than the deployed one")
                        .withArgument("FILE", "path of the .lua file").withExample("script:import /tmp/backup/ramp.lua"),
                        (s, a) -> importScript(a.flag("--force"), a.text("FILE"))),
                new ShellCommand(Usage.of("script:logs", "shows the latest lines a script printed or logged; -f follows them until Ctrl-C")
                        .withOption("-n", "--lines", "N", "50", "how many lines, 1 to " + MAX_LOG_LINES)
                        .withFlag("-f", "--follow", "keep printing new lines until Ctrl-C")
                        .withArgument("NAME", "script name").withExample("script:logs -n 20 -f ramp"),
                        (s, a) -> logs(s, a.intOption("--lines", 1, MAX_LOG_LINES), a.flag("--follow"), a.text("NAME"))),
                new ShellCommand(Usage.of("script:stats", "shows execution statistics of every script, or of one")
                        .withOptionalArgument("NAME", "script name").withExample("script:stats ramp"),
                        (s, a) -> a.text("NAME") == null ? stats() : stats(a.text("NAME"))),
                new ShellCommand(Usage.of("script:cat", "shows the live source of a script with line numbers")
                        .withArgument("NAME", "script name").withExample("script:cat ramp"), (s, a) -> cat(a.text("NAME"))));
    }

    private ScriptFolder folder() {
        ScriptFolder f = folder;
        if (f == null) {
            throw new ScriptException(ScriptError.of(org.scriptbox.api.ErrorKind.IO, "the deployer is not running"));
        }
        return f;
    }

    String list() {
        List<ScriptInfo> scripts = manager.list();
        if (scripts.isEmpty()) {
            return "no scripts deployed";
        }
        ScriptTable t = new ScriptTable("NAME", "VERSION", "STATUS", "RUNS", "FAILED", "AVG", "LAST RUN", "PROBLEM");
        for (ScriptInfo s : scripts) {
            ExecutionStats st = s.stats();
            String problem = !s.waitingFor().isEmpty() ? "waiting for " + String.join(", ", s.waitingFor())
                    : s.lastError() == null ? null : s.lastError().toString();
            t.row(s.name(), s.metadata().version(), s.status(), st.totalExecutions(), st.failedExecutions(),
                    st.totalExecutions() == 0 ? null : millis(st.averageDuration()),
                    st.lastExecutionTime() == null ? null : TIME.format(st.lastExecutionTime()), problem);
        }
        return t.toString();
    }

    String info(String name) {
        Optional<ScriptInfo> found = manager.get(name);
        if (found.isEmpty()) {
            return unknown(name);
        }
        ScriptInfo s = found.get();
        ScriptMetadata m = s.metadata();
        StringBuilder sb = new StringBuilder();
        field(sb, "name", m.name());
        field(sb, "version", m.version());
        field(sb, "status", s.status() + (s.running() > 0 ? " (" + s.running() + " running)" : ""));
        field(sb, "author", m.author());
        field(sb, "description", m.description());
        field(sb, "origin", s.origin());
        field(sb, "deployed", s.deployedAt() == null ? null : TIME.format(s.deployedAt()));
        if (s.status() != ScriptStatus.COMPILATION_ERROR && s.deployedAt() != null) {
            field(sb, "runs as", s.jvmBytecode() ? "JVM bytecode (compiled once it was busy)" : "interpreted");
        }
        for (String warning : s.warnings()) {
            field(sb, "warning", warning);
        }
        field(sb, "tags", String.join(", ", m.tags()));
        field(sb, "permissions", String.join(", ", m.permissions()));
        field(sb, "dependencies", String.join(", ", m.dependencies()));
        field(sb, "devices", String.join(", ", m.devices()));
        field(sb, "min engine", m.minEngineVersion());
        if (m.limits() != null) {
            field(sb, "limits", m.limits().maxExecutionTime().toMillis() + " ms, " + m.limits().maxInstructions()
                    + " instructions, " + m.limits().maxMemoryBytes() + " bytes");
        }
        if (m.schedule() != null) {
            field(sb, "schedule", m.schedule().kind().toString().toLowerCase()
                    + (m.schedule().interval() != null ? " every " + millis(m.schedule().interval()) : "")
                    + (m.schedule().cron() != null ? " " + m.schedule().cron() : ""));
        }
        if (!s.waitingFor().isEmpty()) {
            field(sb, "waiting for", String.join(", ", s.waitingFor()));
        }
        if (s.lastError() != null) {
            field(sb, "last error", s.lastError().kind() + " " + s.lastError());
            if (s.lastError().traceback() != null) {
                sb.append(SafeText.lines(s.lastError().traceback()).indent(4));
            }
        }
        sb.append(statsText(s.stats()));
        return sb.toString();
    }

    String run(String name, List<Word> args) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        List<Object> values = new ArrayList<>();
        for (Word a : args) {
            values.add(a.luaValue());
        }
        Promise<ExecutionResult> promise = manager.execute(name, values);
        boolean cancelled = false;
        try {
            if (!await(promise)) {
                return "not run: the manager did not answer";
            }
        } catch (InterruptedException ctrlC) {
            // Ctrl-C: Gogo interrupts the command's thread. The run goes only with the command.
            cancelled = true;
            manager.cancel(name);
            // The interrupt is consumed here, not restored: Gogo's pipe would turn a set flag into an
            // InterruptedException of its own and print that instead of this command's answer.
            if (!awaitUninterrupted(promise, CANCEL_WAIT_MILLIS)) {
                return "cancelled: asked '" + SafeText.line(name) + "' to stop; it has not ended within "
                        + CANCEL_WAIT_MILLIS + " ms (script:info " + SafeText.line(name) + " shows when it does)";
            }
        }
        return (cancelled ? "cancelled\n" : "") + resultText(promise);
    }

    static String resultText(Promise<ExecutionResult> promise) {
        try {
            Throwable failure = promise.getFailure();
            if (failure != null) {
                return "not run: " + SafeText.line(failure instanceof ScriptException ? failure.getMessage()
                        : "the manager failed (see the container log)");
            }
            ExecutionResult r = promise.getValue();
            StringBuilder sb = new StringBuilder();
            sb.append(r.status()).append(" in ").append(millis(r.duration())).append(", ").append(r.instructions())
                    .append(" instructions");
            if (!r.values().isEmpty()) {
                sb.append("\nreturned: ").append(r.values().stream().map(LuaText::of).collect(Collectors.joining(", ")));
            }
            if (r.error() != null) {
                sb.append("\nerror: ").append(SafeText.line(r.error().toString()));
                if (r.error().traceback() != null) {
                    sb.append('\n').append(SafeText.lines(r.error().traceback()));
                }
            }
            if (r.cleanupError() != null) {
                // the on_stop hook failed after the abnormal end: its own error, as script:logs shows it
                sb.append("\non_stop failed: ").append(r.cleanupError().kind()).append(' ')
                        .append(SafeText.line(r.cleanupError().toString()));
            }
            return sb.toString();
        } catch (InterruptedException | java.lang.reflect.InvocationTargetException e) {
            return "not run: the manager failed (see the container log)";   // resolved already: neither happens
        }
    }

    /** Until the run ends; a Ctrl-C ends the wait by the interrupt, or by its mark should the interrupt be lost. */
    private static boolean await(Promise<?> p) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        p.onResolve(done::countDown);
        while (!done.await(CTRL_C_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (ConsoleInterrupt.pressedForThisCommand()) {
                ConsoleInterrupt.answered();
                throw new InterruptedException("Ctrl-C");
            }
        }
        return true;
    }

    private static boolean awaitUninterrupted(Promise<?> p, long millis) {
        CountDownLatch done = new CountDownLatch(1);
        p.onResolve(done::countDown);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            try {
                return done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException again) {
                // a second Ctrl-C: keep waiting the bounded time for the cancel to take
            }
        }
    }

    String cancel(String name) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        int n = manager.cancel(name);
        return SafeText.line(n == 0 ? "script '" + name + "' has no running execution" : "cancelled " + n + " execution(s) of '" + name + "'");
    }

    String reload(String name) {
        Optional<ScriptDefinition> def = manager.definition(name);
        if (def.isEmpty()) {
            return manager.get(name).isPresent() ? "script '" + SafeText.line(name) + "' has no version that compiled; fix its file" : unknown(name);
        }
        try {
            Path origin = def.get().origin() == null ? null : pathOrNull(def.get().origin());
            ScriptInfo info = origin != null && Files.isRegularFile(origin)
                    ? folder().importScript(origin, false)
                    : manager.deploy(def.get(), true);
            return SafeText.line("reloaded '" + name + "' version " + info.metadata().version() + ": " + info.status());
        } catch (ScriptException e) {
            return "reload failed, the previous version stays: " + SafeText.line(e.getMessage());
        }
    }

    String export(boolean withStats, String name, String folder) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        try {
            Path lua = folder().exportScript(name, Paths.get(folder).toAbsolutePath(), withStats);
            return SafeText.line("exported '" + name + "' to " + lua.getParent());
        } catch (ScriptException e) {
            return "export failed: " + SafeText.line(e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            return "export failed: '" + SafeText.line(folder) + "' is not a path";
        }
    }

    String importScript(boolean force, String file) {
        try {
            ScriptInfo info = folder().importScript(Paths.get(file).toAbsolutePath(), force);
            return SafeText.line("imported '" + info.name() + "' version " + info.metadata().version() + " into " + info.origin()
                    + ": " + info.status() + (info.waitingFor().isEmpty() ? "" : ", waiting for " + String.join(", ", info.waitingFor())));
        } catch (ScriptException e) {
            return "import failed: " + SafeText.line(e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            return "import failed: '" + SafeText.line(file) + "' is not a path";
        }
    }

    Object logs(CommandSession session, int lines, boolean follow, String name) throws InterruptedException {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        List<ScriptLogEntry> entries = manager.logs(name, lines);
        if (!follow) {
            return entries.isEmpty() ? "no log lines for '" + SafeText.line(name) + "'" : logText(entries);
        }
        // -f: print what there is, then every new line until Ctrl-C (Gogo interrupts this thread)
        PrintStream out = System.out;   // the session's output in a command's thread
        out.print(logText(entries));
        out.flush();
        ScriptLogEntry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(FOLLOW_POLL_MILLIS);
                List<ScriptLogEntry> now = manager.logs(name, MAX_LOG_LINES);
                int from = 0;
                for (int i = now.size() - 1; i >= 0; i--) {
                    if (now.get(i) == last) {   // entries are immutable and kept as they are: identity marks the place
                        from = i + 1;
                        break;
                    }
                }
                if (from < now.size()) {
                    out.print(logText(now.subList(from, now.size())));
                    out.flush();
                    last = now.get(now.size() - 1);
                }
            }
        } catch (InterruptedException ctrlC) {
            // Ctrl-C ends the following; consumed (a restored flag would make Gogo print an InterruptedException)
        }
        return null;
    }

    private static String logText(List<ScriptLogEntry> entries) {
        StringBuilder sb = new StringBuilder();
        for (ScriptLogEntry e : entries) {
            sb.append(TIME.format(e.time())).append(' ').append(String.format("%-5s", SafeText.line(e.level()))).append(' ')
                    .append(SafeText.line(e.message())).append('\n');
        }
        return sb.toString();
    }

    String stats() {
        List<ScriptInfo> scripts = manager.list();
        if (scripts.isEmpty()) {
            return "no scripts deployed";
        }
        ScriptTable t = new ScriptTable("NAME", "RUNS", "OK", "FAILED", "AVG", "LAST", "PEAK MEMORY", "DENIED");
        for (ScriptInfo s : scripts) {
            ExecutionStats st = s.stats();
            t.row(s.name(), st.totalExecutions(), st.successfulExecutions(), st.failedExecutions(),
                    millis(st.averageDuration()), st.lastDuration() == null ? null : millis(st.lastDuration()),
                    bytes(st.peakMemoryBytes()), st.permissionDenials());
        }
        return t.toString();
    }

    String stats(String name) {
        Optional<ScriptInfo> s = manager.get(name);
        return s.isEmpty() ? unknown(name) : "name:          " + SafeText.line(name) + "\n" + statsText(s.get().stats());
    }

    /** The live source, numbered as error positions count lines. */
    String cat(String name) {
        Optional<ScriptDefinition> def = manager.definition(name);
        if (def.isEmpty()) {
            return manager.get(name).isPresent() ? "script '" + SafeText.line(name) + "' has no version that compiled; fix its file" : unknown(name);
        }
        String[] lines = def.get().source().split("\r\n|\r|\n", -1);
        int width = Integer.toString(lines.length).length();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;   // the newline that ends the file opens no line
            }
            sb.append(String.format("%" + width + "d  ", i + 1)).append(SafeText.line(lines[i].replace("\t", "    "))).append('\n');
        }
        return sb.toString();
    }

    private static String statsText(ExecutionStats st) {
        StringBuilder sb = new StringBuilder();
        field(sb, "runs", st.totalExecutions() + " (" + st.successfulExecutions() + " ok, " + st.failedExecutions() + " failed)");
        field(sb, "average", millis(st.averageDuration()));
        field(sb, "last duration", st.lastDuration() == null ? null : millis(st.lastDuration()));
        field(sb, "last run", st.lastExecutionTime() == null ? null : TIME.format(st.lastExecutionTime()));
        field(sb, "peak memory", bytes(st.peakMemoryBytes()));
        field(sb, "denied calls", Long.toString(st.permissionDenials()));
        ScriptError e = st.lastError();
        field(sb, "last failure", e == null ? null : e.kind() + " " + e);
        ScriptError c = st.lastCleanupError();
        field(sb, "last cleanup", c == null ? null : c.kind() + " " + c);
        return sb.toString();
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-15s%s%n", key + ":", value == null || value.isEmpty() ? "-" : SafeText.line(value)));
    }

    private static String unknown(String name) {
        return "no script named '" + SafeText.line(name) + "' (script:list shows the deployed ones)";
    }

    private static Path pathOrNull(String origin) {
        try {
            return origin.startsWith("bundle:") ? null : Paths.get(origin);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String millis(Duration d) {
        if (d == null) {
            return "-";
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(d.toNanos());
        return micros < 10_000 ? String.format("%.1f ms", micros / 1000.0) : (micros / 1000) + " ms";
    }

    static String bytes(long b) {
        return b < 10 * 1024 ? b + " B" : b < 10L * 1024 * 1024 ? (b / 1024) + " KB" : (b / (1024 * 1024)) + " MB";
    }

}
