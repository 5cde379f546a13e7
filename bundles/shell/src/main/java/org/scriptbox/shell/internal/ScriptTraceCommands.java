package org.scriptbox.shell.internal;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.scriptbox.api.text.SafeText;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceService;
import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

/** {@code script:trace}: the last runs of a script, and one run's timeline (offsets, calls, results, durations). */
@Component(service = {})
public class ScriptTraceCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private final TraceService traces;
    private final ShellCommands registered;

    @Activate
    public ScriptTraceCommands(@Reference TraceService traces, BundleContext context) {
        this.traces = traces;
        this.registered = ShellCommands.register(context, commands());
    }

    /** For tests: the commands without registering them. */
    ScriptTraceCommands(TraceService traces) {
        this.traces = traces;
        this.registered = null;
    }

    @Deactivate
    void deactivate() {
        if (registered != null) {
            registered.unregister();
        }
    }

    List<ShellCommand> commands() {
        return List.of(new ShellCommand(Usage.of("script:trace",
                "lists the kept runs of a script, newest first; with RUN, that run's timeline (offsets, calls, results, durations)")
                .withArgument("NAME", "script name")
                .withOptionalArgument("RUN", "run number (from script:trace NAME) or execution id")
                .withExample("script:trace ramp").withExample("script:trace ramp 3"),
                (s, a) -> a.text("RUN") == null ? trace(a.text("NAME")) : trace(a.text("NAME"), a.text("RUN"))));
    }

    /** The kept runs of a script, newest first. */
    String trace(String name) {
        List<RunTrace> runs = traces.runs(name);
        if (runs.isEmpty()) {
            return "no traced runs of a script named '" + SafeText.line(name) + "'";
        }
        ScriptTable t = new ScriptTable("RUN", "STARTED", "TRIGGER", "STATUS", "DURATION", "EVENTS", "RESULT");
        for (RunTrace r : runs) {
            t.row(r.run(), TIME.format(r.startedAt()), r.trigger(), r.status(), ScriptCommands.millis(r.duration()),
                    r.events().size() + (r.omittedEvents() > 0 ? "+" + r.omittedEvents() : ""),
                    r.error() != null ? r.error().toString() : r.result());
        }
        return t + "script:trace " + SafeText.line(name) + " RUN shows one run's timeline\n";
    }

    /** One run's timeline: time after the start, what happened, its arguments, result and duration. */
    String trace(String name, String run) {
        Optional<RunTrace> found = traces.run(name, run);
        if (found.isEmpty()) {
            return "no kept run " + SafeText.line(run) + " of a script named '" + SafeText.line(name)
                    + "' (script:trace " + SafeText.line(name) + " lists them)";
        }
        return timeline(found.get());
    }

    static String timeline(RunTrace r) {
        StringBuilder sb = new StringBuilder();
        sb.append("run ").append(r.run()).append(" of ").append(SafeText.line(r.scriptName()))
                .append(" (version ").append(SafeText.line(r.version())).append(", ").append(r.trigger().toLowerCase(Locale.ROOT))
                .append(", execution ").append(SafeText.line(r.executionId())).append(")\n");
        sb.append("started ").append(TIME.format(r.startedAt())).append(", ").append(r.status()).append(" after ")
                .append(ScriptCommands.millis(r.duration())).append(", ").append(r.instructions()).append(" instructions\n");
        ScriptTable t = new ScriptTable("AT", "WHAT", "", "DURATION");
        for (TraceEvent e : r.events()) {
            t.row(String.format(Locale.ROOT, "+%.3f ms", e.offsetMicros() / 1000.0), word(e), describe(e),
                    e.durationMicros() > 0 || e.type() == TraceEvent.Type.CALL
                            ? String.format(Locale.ROOT, "%.3f ms", e.durationMicros() / 1000.0) : "");
        }
        sb.append(t);
        if (r.omittedEvents() > 0) {
            sb.append(r.omittedEvents()).append(" more events not recorded (the trace of a run is bounded: trace.max.events,"
                    + " trace.max.chars in org.scriptbox.manager.cfg)\n");
        }
        if (r.error() != null && r.error().traceback() != null) {
            sb.append(SafeText.line(r.error().traceback())).append('\n');
        }
        return sb.toString();
    }

    private static String word(TraceEvent e) {
        switch (e.type()) {
            case START:
                return "start";
            case CALL:
                return e.failed() ? "call failed" : "call";
            case DENIED:
                return "DENIED";
            case RATE_LIMITED:
                return "RATE LIMITED";
            case LOG:
                return "log " + e.name();
            default:
                return "end " + e.name();
        }
    }

    private static String describe(TraceEvent e) {
        switch (e.type()) {
            case START:
                return "arguments " + e.detail();
            case LOG:
                return e.detail();
            case END:
                return e.outcome().isEmpty() ? "" : (e.failed() ? "" : "-> ") + e.outcome();
            default:
                return e.name() + e.detail() + (e.outcome().isEmpty() ? "" : " -> " + e.outcome());
        }
    }
}
