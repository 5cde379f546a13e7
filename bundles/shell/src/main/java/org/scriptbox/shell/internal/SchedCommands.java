package org.scriptbox.shell.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
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
@Component(service = SchedCommands.class)
@GogoCommand(scope = "sched", function = {"schedules", "next", "resources", "set", "cancel"})
public class SchedCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ScriptScheduler scheduler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ResourceMonitor monitor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ScriptManager manager;

    @Descriptor("list every armed schedule: kind, next and last fire, runs fired and skipped")
    public String schedules() {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        List<ScheduledScript> all = s.list();
        if (all.isEmpty()) {
            return "no schedules armed" + saveWarning(s);
        }
        StringBuilder out = new StringBuilder(String.format("%-24s %-40s %-25s %-25s %7s %7s %s%n",
                "SCRIPT", "SCHEDULE", "NEXT", "LAST", "FIRED", "SKIPPED", "STATE"));
        for (ScheduledScript e : all) {
            out.append(String.format("%-24s %-40s %-25s %-25s %7d %7d %s%n", e.scriptName(),
                    SafeText.line(SchedSpecText.describe(e.spec()) + policies(e.spec())), time(e.nextFire()), time(e.lastFire()),
                    e.fireCount(), e.skipped(), e.enabled() ? "armed" : "disabled"));
        }
        return SafeText.lines(out.toString().stripTrailing() + saveWarning(s));
    }

    @Descriptor("the next fire times of a scheduled script, or of a schedule such as \"cron '0 8 * * *'\" or \"every 5m\"")
    public String next(
            @Descriptor("how many") @Parameter(names = {"-n", "--count"}, absentValue = "5") int count,
            @Descriptor("script name, or schedule words: every 5m | cron \"<expr>\" [zone] | once <time> | a bare cron expression")
            String... what) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        if (what == null || what.length == 0) {
            return "name a script or give a schedule, e.g. next -n 3 cron \"0 8 * * MON-FRI\" Europe/Berlin";
        }
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
            } else {
                ScheduleSpec spec = SchedSpecText.parse(asSchedule(what), null, null);
                times = s.nextFireTimes(spec, Instant.now(), count);
                zone = zoneOf(spec, zone);
            }
            if (times.isEmpty()) {
                return "no fire time ahead";
            }
            StringBuilder out = new StringBuilder();
            for (Instant t : times) {
                out.append(TIME.format(t.atZone(zone))).append("   ").append(t).append('\n');
            }
            return SafeText.lines(out.toString().stripTrailing());
        } catch (IllegalArgumentException e) {
            return SafeText.line(e.getMessage());
        }
    }

    @Descriptor("process CPU load, heap, executions running and queued, threads, whether new executions are admitted,"
            + " and the scripts that allocated most in one execution")
    public String resources() {
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

    @Descriptor("set (replace) the schedule of a script")
    public String set(
            @Descriptor("when a run falls due while the previous one runs: skip, queue or parallel")
            @Parameter(names = {"-o", "--overlap"}, absentValue = "") String overlap,
            @Descriptor("runs missed while the container was down: skip or run-once")
            @Parameter(names = {"-m", "--misfire"}, absentValue = "") String misfire,
            @Descriptor("the script") String name,
            @Descriptor(SchedSpecText.USAGE) String... words) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        try {
            ScheduledScript e = s.schedule(name, SchedSpecText.parse(words, overlap, misfire));
            return SafeText.lines(SafeText.line(name + ": " + SchedSpecText.describe(e.spec()) + policies(e.spec())
                    + (e.nextFire() == null ? "" : ", next " + time(e.nextFire()))) + saveWarning(s));
        } catch (IllegalArgumentException e) {
            return SafeText.line(e.getMessage());
        }
    }

    @Descriptor("cancel the schedule of a script (running executions go on; script:cancel stops them)")
    public String cancel(@Descriptor("the script") String name) {
        ScriptScheduler s = scheduler;
        if (s == null) {
            return noScheduler();
        }
        return SafeText.lines((s.cancel(name) ? name + ": schedule cancelled" : name + " has no schedule") + saveWarning(s));
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

    private static String time(Instant t) {
        return t == null ? "-" : TIME.format(t.atZone(ZoneId.systemDefault()));
    }

    private static String noScheduler() {
        return "the scheduler is not available (it starts with the script manager)";
    }
}
