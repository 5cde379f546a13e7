package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ResourceSnapshot;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduledScript;
import org.scriptbox.api.schedule.ScriptScheduler;
import org.scriptbox.api.text.SafeText;

/**
 * {@code sched:*} — schedules, their next fire times, and the resource monitor. Both services are optional
 * so that {@code sched:resources} works while no script manager (hence no scheduler) is up; a missing
 * service comes back as one sentence.
 */
@Component(service = {})
public class SchedCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(java.time.ZoneOffset.UTC);
    /** The most fire times sched:next lists (the scheduler lists no more either). */
    static final int MAX_NEXT = 1000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ScriptScheduler scheduler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ResourceMonitor monitor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ScriptManager manager;

    private ShellCommands registered;

    @Activate
    void activate(BundleContext context) {
        registered = ShellCommands.register(context, commands());
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("sched:schedules", "lists every armed schedule: kind, next and last fire in the schedule's zone, runs fired and skipped")
                        .withExample("sched:schedules"), (s, a) -> schedules()),
                new ShellCommand(Usage.of("sched:next", "the next fire times of a scheduled script, or of a schedule")
                        .withOption("-n", "--count", "N", "5", "how many, 1 to " + MAX_NEXT)
                        .withRest("WHAT", "script name, or schedule words: " + SchedSpecText.USAGE + " | a bare cron expression", true)
                        .withExample("sched:next -n 3 cron \"0 8 * * MON-FRI\" Europe/Berlin").withExample("sched:next ramp"),
                        (s, a) -> next(a.intOption("--count", 1, MAX_NEXT), a.restTexts())),
                new ShellCommand(Usage.of("sched:resources", "process CPU, heap, executions running and queued, admission, the heaviest scripts")
                        .withExample("sched:resources"), (s, a) -> resources()),
                new ShellCommand(Usage.of("sched:set", "sets (replaces) the schedule of a script")
                        .withOption("-o", "--overlap", "POLICY", null, "when a run falls due while the previous one runs: skip, queue or parallel"
                                + " (default: the script's own, else skip)")
                        .withOption("-m", "--misfire", "POLICY", null, "runs missed while the container was down: skip or run-once"
                                + " (default: the script's own, else skip)")
                        .withArgument("NAME", "the script")
                        .withRest("SCHEDULE", SchedSpecText.USAGE + "; durations 250ms 5s 2m 1h 1d or PT5S, from "
                                + SchedSpecText.format(SchedSpecText.MIN_DURATION) + " to " + SchedSpecText.format(SchedSpecText.MAX_DURATION), true)
                        .withExample("sched:set ramp every 5m").withExample("sched:set -o queue ramp cron \"0 8 * * MON-FRI\" Europe/Berlin"),
                        (s, a) -> set(a.option("--overlap"), a.option("--misfire"), a.text("NAME"), a.restTexts())),
                new ShellCommand(Usage.of("sched:cancel", "cancels the schedule of a script (running executions go on; script:cancel stops them)")
                        .withArgument("NAME", "the script").withExample("sched:cancel ramp"), (s, a) -> cancel(a.text("NAME"))));
    }

    String schedules() {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        List<ScheduledScript> all = s.list();
        if (all.isEmpty()) {
            return "no schedules armed" + saveWarning(s);
        }
        ScriptTable t = new ScriptTable("SCRIPT", "SCHEDULE", "NEXT", "LAST", "FIRED", "SKIPPED", "STATE");
        for (ScheduledScript e : all) {
            ZoneId zone = zoneOf(e.spec(), ZoneId.systemDefault());
            t.row(e.scriptName(), SchedSpecText.describe(e.spec(), zone) + policies(e.spec()), time(e.nextFire(), zone),
                    time(e.lastFire(), zone), e.fireCount(), e.skipped(), e.enabled() ? "armed" : "disabled");
        }
        return SafeText.lines(t.toString().stripTrailing() + saveWarning(s));
    }

    String next(int count, List<String> words) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        String[] what = words.toArray(new String[0]);
        try {
            List<Instant> times;
            ZoneId zone = ZoneId.systemDefault();
            Optional<ScheduledScript> scheduled = what.length == 1 ? s.get(what[0]) : Optional.empty();
            if (scheduled.isPresent()) {
                ScheduledScript e = scheduled.get();
                times = new ArrayList<>();
                if (e.nextFire() != null) {
                    times.add(e.nextFire());
                    // after the next fire an interval runs every interval: its first-run delay is spent
                    ScheduleSpec sp = e.spec();
                    ScheduleSpec following = sp.kind() == ScheduleSpec.Kind.INTERVAL ? new ScheduleSpec(sp.kind(), null,
                            null, sp.interval(), null, null, sp.overlap(), sp.misfire()) : sp;
                    for (Instant t : s.nextFireTimes(following, e.nextFire(), count)) {
                        if (times.size() < count && t.isAfter(e.nextFire()) && e.spec().kind() != ScheduleSpec.Kind.ONCE) {
                            times.add(t);
                        }
                    }
                }
                zone = zoneOf(e.spec(), zone);
            } else if (what.length == 1 && isName(what[0])) {
                // one plain word is a script's name, never a cron expression (those have five fields)
                ScriptManager sm = manager;
                return sm != null && sm.get(what[0]).isPresent()
                        ? "script '" + SafeText.line(what[0]) + "' has no schedule (sched:set " + SafeText.line(what[0]) + " ... sets one)"
                        : "no script named '" + SafeText.line(what[0]) + "' (script:list shows the deployed ones; a schedule reads e.g. every 5m or cron \"0 8 * * *\")";
            } else {
                ScheduleSpec spec = SchedSpecText.parse(asSchedule(what), null, null);
                times = s.nextFireTimes(spec, Instant.now(), count);
                zone = zoneOf(spec, zone);
            }
            if (times.isEmpty()) {
                return "no fire time ahead";
            }
            ScriptTable t = new ScriptTable("#", "IN " + zone.getId(), "UTC");
            int i = 1;
            for (Instant at : times) {
                t.row(i++, TIME.format(at.atZone(zone)), UTC.format(at));
            }
            return t.toString().stripTrailing();
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            return SafeText.line(e.getMessage());
        }
    }

    /** A word that can only be a name: not a schedule keyword, not a cron macro, no spaces. */
    private static boolean isName(String word) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        return !(w.equals("every") || w.equals("cron") || w.equals("once") || w.equals("manual")) && !w.startsWith("@")
                && !w.contains(" ") && !w.chars().allMatch(c -> Character.isDigit(c) || "*,-/?".indexOf(c) >= 0);
    }

    String resources() {
        ResourceMonitor m = monitor;
        if (m == null) {
            return "the resource monitor is not available";
        }
        ResourceSnapshot r = m.snapshot();
        return system(r) + heaviest();
    }

    /** The scripts whose single execution allocated most (measured by the engine), with their mean duration. */
    private String heaviest() {
        ScriptManager sm = manager;
        if (sm == null) {
            return "";
        }
        List<ScriptInfo> top = sm.list().stream().filter(i -> i.stats().totalExecutions() > 0)
                .sorted(Comparator.comparingLong((ScriptInfo i) -> i.stats().peakMemoryBytes()).reversed())
                .limit(5).toList();
        if (top.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(String.format("%n%nheaviest runs (peak allocation of one execution)%n"));
        for (ScriptInfo i : top) {
            out.append(String.format("  %-24s %8d KiB   mean %d ms over %d runs%n", i.name(),
                    i.stats().peakMemoryBytes() >> 10, i.stats().averageDuration().toMillis(), i.stats().totalExecutions()));
        }
        return out.toString().stripTrailing();
    }

    private static String system(ResourceSnapshot r) {
        return String.format("process CPU   %s%nheap          %d MiB of %s%nexecutions    %d running, %d queued%n"
                        + "threads       %d%nnew runs      %s",
                r.processCpuLoad() < 0 ? "unknown" : String.format("%.0f%%", r.processCpuLoad() * 100),
                r.heapUsedBytes() >> 20, r.heapMaxBytes() > 0 ? (r.heapMaxBytes() >> 20) + " MiB" : "unlimited",
                r.activeExecutions(), r.queuedExecutions(), r.liveThreads(),
                r.overloaded() ? "REFUSED (overloaded; see the log for the threshold)" : "admitted");
    }

    String set(String overlap, String misfire, String name, List<String> words) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        try {
            ScheduleSpec spec = SchedSpecText.parse(words.toArray(new String[0]), overlap, misfire);
            ScheduledScript e = s.schedule(name, spec);
            ZoneId zone = zoneOf(e.spec(), ZoneId.systemDefault());
            return SafeText.lines(SafeText.line(name + ": " + SchedSpecText.describe(e.spec(), zone) + policies(e.spec())
                    + (e.nextFire() == null ? "" : ", next " + time(e.nextFire(), zone))) + saveWarning(s));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            return SafeText.line(e.getMessage());
        }
    }

    String cancel(String name) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        String shown = "'" + SafeText.line(name) + "'";
        return SafeText.lines((s.cancel(name) ? shown + ": schedule cancelled" : shown + " has no schedule") + saveWarning(s));
    }

    /** A second line while the scheduler cannot save (a full disk): the change is in effect but not on disk. */
    private static String saveWarning(ScriptScheduler s) {
        return s.saveProblem().map(p -> String.format("%nWARNING: in effect now, but not saved: %s", SafeText.line(p))).orElse("");
    }

    /** A bare cron expression or macro counts as {@code cron <expression>}. */
    private static String[] asSchedule(String[] what) {
        String first = what[0].toLowerCase(java.util.Locale.ROOT);
        if (first.equals("every") || first.equals("cron") || first.equals("once") || first.equals("manual")) {
            return what;
        }
        String[] out = new String[what.length + 1];
        out[0] = "cron";
        System.arraycopy(what, 0, out, 1, what.length);
        return out;
    }

    private static ZoneId zoneOf(ScheduleSpec spec, ZoneId fallback) {
        try {
            return spec.zone() == null ? fallback : ZoneId.of(spec.zone());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static String policies(ScheduleSpec spec) {
        if (spec.kind() == ScheduleSpec.Kind.MANUAL) {
            return "";
        }
        return " [overlap " + spec.overlap().name().toLowerCase(java.util.Locale.ROOT) + ", misfire "
                + spec.misfire().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "]";
    }

    private static String time(Instant t, ZoneId zone) {
        return t == null ? "-" : TIME.format(t.atZone(zone));
    }

    private static String noScheduler() {
        return "the scheduler is not available (it starts with the script manager)";
    }
}
