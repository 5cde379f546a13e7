package org.scriptbox.shell.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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
 * The {@code script:*} Gogo commands, a thin layer over {@link ScriptManager}. Every command returns
 * text; an operator's mistake (unknown name, bad path) comes back as one sentence, not a stack trace.
 */
@Component(service = ScriptCommands.class)
@GogoCommand(scope = "script", function = {"list", "info", "run", "cancel", "reload", "export", "import", "logs", "stats"})
public class ScriptCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ScriptManager manager;
    /** Import and export go through the deploy folder's owner; without a deployer they say so. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ScriptFolder folder;

    @Activate
    public ScriptCommands(@Reference ScriptManager manager) {
        this.manager = manager;
    }

    private ScriptFolder folder() {
        ScriptFolder f = folder;
        if (f == null) {
            throw new ScriptException(ScriptError.of(org.scriptbox.api.ErrorKind.IO, "the deployer is not running"));
        }
        return f;
    }

    @Descriptor("lists the deployed scripts with their status and run counts")
    public String list() {
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

    @Descriptor("shows a script's metadata, status, origin, last error and statistics")
    public String info(@Descriptor("script name") String name) {
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

    @Descriptor("runs a script and waits for its result")
    public String run(@Descriptor("script name") String name,
                      @Descriptor("arguments, passed to the script as ... (numbers and true/false are converted)") String... args) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        List<Object> values = new ArrayList<>();
        for (String a : args) {
            values.add(convert(a));
        }
        Promise<ExecutionResult> promise = manager.execute(name, values);
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
                sb.append("\nreturned: ").append(r.values().stream().map(v -> SafeText.line(String.valueOf(v)))
                        .collect(Collectors.joining(", ")));
            }
            if (r.error() != null) {
                sb.append("\nerror: ").append(SafeText.line(r.error().toString()));
                if (r.error().traceback() != null) {
                    sb.append('\n').append(SafeText.lines(r.error().traceback()));
                }
            }
            return sb.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "stopped waiting; the execution goes on (script:cancel " + name + " stops it)";
        } catch (java.lang.reflect.InvocationTargetException e) {
            return "not run: " + SafeText.line(e.getCause().getMessage());
        }
    }

    @Descriptor("cancels every running execution of a script")
    public String cancel(@Descriptor("script name") String name) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        int n = manager.cancel(name);
        return SafeText.line(n == 0 ? "script '" + name + "' has no running execution" : "cancelled " + n + " execution(s) of '" + name + "'");
    }

    @Descriptor("recompiles a script from where it came from (its file, if it has one)")
    public String reload(@Descriptor("script name") String name) {
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

    @Descriptor("writes a script's .lua and .toml (and .stats.toml with --stats) into a folder")
    public String export(@Parameter(names = {"-s", "--stats"}, presentValue = "true", absentValue = "false")
                         @Descriptor("also write the statistics") boolean withStats,
                         @Descriptor("script name") String name,
                         @Descriptor("target folder (created if missing)") String folder) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        try {
            Path lua = folder().exportScript(name, Paths.get(folder).toAbsolutePath(), withStats);
            return SafeText.line("exported '" + name + "' to " + lua.getParent());
        } catch (ScriptException e) {
            return "export failed: " + SafeText.line(e.getMessage());
        }
    }

    @Descriptor("copies a .lua file, with the .toml beside it if present, into the deploy folder and deploys it")
    public String _import(@Parameter(names = {"-f", "--force"}, presentValue = "true", absentValue = "false")
                          @Descriptor("accept a lower version than the deployed one") boolean force,
                          @Descriptor("path of the .lua file") String file) {
        try {
            ScriptInfo info = folder().importScript(Paths.get(file).toAbsolutePath(), force);
            return SafeText.line("imported '" + info.name() + "' version " + info.metadata().version() + " into " + info.origin()
                    + ": " + info.status() + (info.waitingFor().isEmpty() ? "" : ", waiting for " + String.join(", ", info.waitingFor())));
        } catch (ScriptException e) {
            return "import failed: " + SafeText.line(e.getMessage());
        }
    }

    @Descriptor("shows the latest lines a script printed or logged")
    public String logs(@Parameter(names = {"-n", "--lines"}, absentValue = "50")
                       @Descriptor("how many lines") int lines,
                       @Descriptor("script name") String name) {
        if (manager.get(name).isEmpty()) {
            return unknown(name);
        }
        List<ScriptLogEntry> entries = manager.logs(name, lines);
        if (entries.isEmpty()) {
            return "no log lines for '" + SafeText.line(name) + "'";
        }
        StringBuilder sb = new StringBuilder();
        for (ScriptLogEntry e : entries) {
            sb.append(TIME.format(e.time())).append(' ').append(String.format("%-5s", SafeText.line(e.level()))).append(' ')
                    .append(SafeText.line(e.message())).append('\n');
        }
        return sb.toString();
    }

    @Descriptor("shows execution statistics of every script")
    public String stats() {
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

    @Descriptor("shows the execution statistics of one script")
    public String stats(@Descriptor("script name") String name) {
        Optional<ScriptInfo> s = manager.get(name);
        return s.isEmpty() ? unknown(name) : "name:          " + name + "\n" + statsText(s.get().stats());
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
        return sb.toString();
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-15s%s%n", key + ":", value == null || value.isEmpty() ? "-" : SafeText.line(value)));
    }

    private static String unknown(String name) {
        return "no script named '" + SafeText.line(name) + "' (script:list shows the deployed ones)";
    }

    static Object convert(String arg) {
        if ("true".equals(arg) || "false".equals(arg)) {
            return Boolean.valueOf(arg);
        }
        try {
            return Double.valueOf(arg);
        } catch (NumberFormatException e) {
            return arg;
        }
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
