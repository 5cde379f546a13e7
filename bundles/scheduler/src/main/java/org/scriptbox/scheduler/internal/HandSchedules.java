package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules set by hand (shell, API), kept in a properties file in the bundle's data area so that they
 * survive restarts and redeploys of their script until they are cancelled by hand. (Undeploy events
 * cannot remove them: the deployer undeploys every script when the container stops.) Written through,
 * atomically by rename and forced to the device: setting a schedule by hand is rare. A save that fails (a full
 * disk) is reported ({@link #saveProblem}, one WARN) and retried by {@link #retrySave} until it works.
 *
 * <p>One line per script: {@code name = KIND|at|delay|interval|cron|zone|overlap|misfire}, empty fields
 * for nulls (ISO-8601 instants and durations; a cron expression has no {@code |}).
 */
final class HandSchedules {
    private static final Logger LOG = LoggerFactory.getLogger(HandSchedules.class);
    private static final String SEP = "|";

    private final Path file;
    private final PropertiesFile.StateWriter writer;
    private final SaveStatus status;
    private final Map<String, ScheduleSpec> specs = new ConcurrentHashMap<>();
    private boolean unsaved;   // guarded by this

    /** @param file where to keep the schedules, or {@code null} for memory only */
    HandSchedules(Path file) {
        this(file, PropertiesFile.DURABLE);
    }

    /** @param writer how the file is written (tests inject failures here) */
    HandSchedules(Path file, PropertiesFile.StateWriter writer) {
        this.file = file;
        this.writer = writer;
        this.status = new SaveStatus("the schedules set by hand", file,
                "a schedule set or cancelled by hand since then is lost if the container stops");
        load();
    }

    ScheduleSpec get(String script) {
        return specs.get(script);
    }

    /** Remembers a schedule; it is in effect even if it could not be saved (see {@link #saveProblem}). */
    synchronized void put(String script, ScheduleSpec spec) {
        specs.put(script, spec);
        save();
    }

    synchronized boolean remove(String script) {
        boolean had = specs.remove(script) != null;
        if (had) {
            save();
        }
        return had;
    }

    /** Saves again if the last save failed (called every few seconds). */
    synchronized void retrySave() {
        if (unsaved) {
            save();
        }
    }

    /** One sentence while the schedules on disk are not the ones in effect. */
    Optional<String> saveProblem() {
        return status.problem();
    }

    static String encode(ScheduleSpec s) {
        return String.join(SEP, s.kind().name(), text(s.at()), text(s.delay()), text(s.interval()), text(s.cron()),
                text(s.zone()), s.overlap().name(), s.misfire().name());
    }

    static ScheduleSpec decode(String line) {
        String[] f = line.split("\\|", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("expected 8 fields, found " + f.length);
        }
        return new ScheduleSpec(ScheduleSpec.Kind.valueOf(f[0]), parse(f[1], Instant::parse),
                parse(f[2], Duration::parse), parse(f[3], Duration::parse), parse(f[4], Function.identity()),
                parse(f[5], Function.identity()), OverlapPolicy.valueOf(f[6]), MisfirePolicy.valueOf(f[7]));
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static <T> T parse(String field, Function<String, T> parser) {
        return field.isEmpty() ? null : parser.apply(field);
    }

    private void save() {
        if (file == null) {
            return;
        }
        Map<String, String> entries = new TreeMap<>();
        specs.forEach((k, v) -> entries.put(k, encode(v)));
        try {
            writer.write(file, entries, "scriptbox scheduler: schedules set by hand (sched:set), until sched:cancel");
            unsaved = false;
            status.saved();
        } catch (IOException e) {
            unsaved = true;
            status.failed(e);
        }
    }

    private void load() {
        if (file == null) {
            return;
        }
        Map<String, String> p;
        try {
            p = PropertiesFile.read(file);
        } catch (IOException e) {
            LOG.warn("could not read the schedules set by hand from {}: {}", file, SaveStatus.reason(e));
            return;
        }
        for (Map.Entry<String, String> entry : p.entrySet()) {
            String name = entry.getKey();
            try {
                specs.put(name, decode(entry.getValue()));
            } catch (RuntimeException e) {
                LOG.warn("ignoring the unreadable schedule of '{}' in {}: {}", name, file, e.getMessage());
            }
        }
    }
}
