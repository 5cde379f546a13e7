package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;
import org.scriptbox.api.schedule.ScheduleSyntaxException;
import org.scriptbox.api.schedule.ScriptScheduler;
import org.scriptbox.api.security.Permission;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * The {@code name.toml} format (tomlj). Every field is type- and value-checked, and every refusal names
 * {@code file:line:column}; unknown keys only warn, so a newer file still loads on an older container.
 * The reference of the format is docs/manager.md.
 */
@Component(service = MetadataCodec.class)
public class TomlMetadataCodec implements MetadataCodec {

    static final Set<String> TOP_KEYS = Set.of("name", "version", "author", "description", "created_at", "modified_at",
            "tags", "permissions", "dependencies", "min_engine_version", "devices", "limits", "schedule");
    static final Set<String> LIMIT_KEYS = Set.of("max_execution_time", "max_memory", "max_instructions",
            "max_string_length", "max_table_size", "max_call_depth", "max_coroutines");
    static final Set<String> SCHEDULE_KEYS = Set.of("kind", "at", "delay", "interval", "cron", "zone", "overlap", "misfire");

    /**
     * Validates cron expressions when present. The cron parser is the scheduler's (one grammar, one set
     * of messages); it is asked here, where the TOML positions are known, so a bad field is reported at
     * its line and column in the .toml and the deploy fails before anything changes. Optional and
     * dynamic: the scheduler depends on the manager, so the codec must not wait for it. Without it,
     * only the shape is checked here and the scheduler refuses the expression when it arms it.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ScriptScheduler scheduler;

    @Override
    public ScriptMetadata parse(String toml, String fileName, String defaultName, List<String> warnings) {
        TomlParseResult doc = Toml.parse(toml == null ? "" : toml);
        if (doc.hasErrors()) {
            TomlParseError e = doc.errors().get(0);
            throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "invalid TOML: " + e.getMessage(), fileName,
                    e.position().line(), e.position().column()));
        }
        TomlReader r = new TomlReader(doc, fileName, "");
        r.warnUnknownKeys(TOP_KEYS, warnings);
        MetadataSizes.check(doc, r);

        String name = r.string("name");
        if (name == null) {
            name = defaultName;
            if (!ScriptNames.isValid(name)) {
                throw new ScriptException(ScriptError.at(ErrorKind.METADATA, "no \"name\" and the file name \"" + name
                        + "\" is not a valid script name " + ScriptNames.RULE, fileName, 1, 1));
            }
        } else if (!ScriptNames.isValid(name)) {
            throw r.fail("name", "\"" + name + "\" is not a valid script name " + ScriptNames.RULE);
        }
        String version = r.string("version");
        if (version == null) {
            version = "1.0.0";
        } else if (!SemVer.isValid(version)) {
            throw r.fail("version", "\"version\": " + error(() -> SemVer.parse(r.string("version"))));
        }
        String minEngine = r.string("min_engine_version");
        if (minEngine != null && !SemVer.isValid(minEngine)) {
            throw r.fail("min_engine_version", "\"min_engine_version\": " + error(() -> SemVer.parse(minEngine)));
        }
        String finalName = name;
        List<String> permissions = r.strings("permissions", TomlMetadataCodec::knownPermission);
        List<String> dependencies = r.strings("dependencies", d -> {
            Dependency dep = Dependency.parse(d);
            if (dep.name().equals(finalName)) {
                throw new IllegalArgumentException("a script cannot depend on itself");
            }
            return d.trim();
        });
        List<String> devices = r.strings("devices", d -> {
            if (d.isBlank()) {
                throw new IllegalArgumentException("a device id cannot be empty");
            }
            return d;
        });
        TomlReader scheduleTable = r.subTable("schedule");
        ScheduleSpec schedule = schedule(scheduleTable, warnings);
        checkSchedule(schedule, scheduleTable, toml);
        return new ScriptMetadata(name, version, r.string("author"), r.string("description"),
                r.instant("created_at"), r.instant("modified_at"), r.strings("tags", t -> t), permissions,
                dependencies, minEngine, limits(r.subTable("limits"), warnings), schedule, devices);
    }

    /** Asks the scheduler, which knows the cron syntax and its limits (e.g. the minimum interval). */
    private void checkSchedule(ScheduleSpec spec, TomlReader t, String toml) {
        ScriptScheduler s = scheduler;
        if (s == null || spec == null
                || spec.kind() != ScheduleSpec.Kind.CRON && spec.kind() != ScheduleSpec.Kind.INTERVAL) {
            return;
        }
        String key = spec.kind() == ScheduleSpec.Kind.CRON ? "cron" : "interval";
        try {
            s.nextFireTimes(spec, Instant.now(), 1);
        } catch (ScheduleSyntaxException e) {
            throw t.failInValue(key, e.column(), "\"schedule." + key + "\": " + e.getMessage(), toml);
        } catch (IllegalArgumentException e) {
            throw t.fail(key, "\"schedule." + key + "\": " + e.getMessage());
        }
    }

    private static String knownPermission(String id) {
        if (Permission.fromId(id).isEmpty()) {
            throw new IllegalArgumentException("unknown permission \"" + id + "\" (known: "
                    + Arrays.stream(Permission.values()).map(Permission::id).collect(Collectors.joining(", ")) + ")");
        }
        return id;
    }

    private static String error(Runnable r) {
        try {
            r.run();
            return "invalid";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static ResourceLimits limits(TomlReader t, List<String> warnings) {
        if (t == null) {
            return null;
        }
        t.warnUnknownKeys(LIMIT_KEYS, warnings);
        ResourceLimits d = ResourceLimits.DEFAULTS;
        Duration time = t.duration("max_execution_time");
        Long memory = t.size("max_memory");
        Long instructions = t.integer("max_instructions");
        if (instructions != null && instructions <= 0) {
            throw t.fail("max_instructions", "\"limits.max_instructions\" must be positive, was " + instructions);
        }
        Integer strings = t.positiveInt("max_string_length");
        Integer tables = t.positiveInt("max_table_size");
        Integer depth = t.positiveInt("max_call_depth");
        Integer coroutines = t.positiveInt("max_coroutines");
        return new ResourceLimits(time == null ? d.maxExecutionTime() : time,
                memory == null ? d.maxMemoryBytes() : memory,
                instructions == null ? d.maxInstructions() : instructions,
                strings == null ? d.maxStringLength() : strings,
                tables == null ? d.maxTableSize() : tables,
                depth == null ? d.maxCallDepth() : depth,
                coroutines == null ? d.maxCoroutines() : coroutines);
    }

    private static ScheduleSpec schedule(TomlReader t, List<String> warnings) {
        if (t == null) {
            return null;
        }
        t.warnUnknownKeys(SCHEDULE_KEYS, warnings);
        String kindText = t.string("kind");
        if (kindText == null) {
            throw t.table("[schedule] needs \"kind\": \"once\", \"interval\", \"cron\" or \"manual\"");
        }
        ScheduleSpec.Kind kind = enumValue(t, "kind", kindText, ScheduleSpec.Kind.class);
        Instant at = t.instant("at");
        Duration delay = t.duration("delay");
        Duration interval = t.duration("interval");
        String cron = t.string("cron");
        String zone = t.string("zone");
        if (zone != null) {
            try {
                ZoneId.of(zone);
            } catch (RuntimeException e) {
                throw t.fail("zone", "\"schedule.zone\": \"" + zone + "\" is not a time zone id (e.g. UTC, Europe/Berlin)");
            }
        }
        OverlapPolicy overlap = t.has("overlap") ? enumValue(t, "overlap", t.string("overlap"), OverlapPolicy.class) : null;
        MisfirePolicy misfire = t.has("misfire") ? enumValue(t, "misfire", t.string("misfire"), MisfirePolicy.class) : null;
        // each kind takes exactly its own fields: a stray one is almost always a mistake about the kind
        switch (kind) {
            case ONCE:
                if (at == null && delay == null) {
                    throw t.fail("kind", "a \"once\" schedule needs \"at\" (a date-time) or \"delay\" (e.g. \"10s\")");
                }
                if (at != null && delay != null) {
                    throw t.fail("delay", "a \"once\" schedule takes \"at\" or \"delay\", not both");
                }
                refuse(t, kind, "interval", "cron", "zone");
                break;
            case INTERVAL:
                if (interval == null) {
                    throw t.fail("kind", "an \"interval\" schedule needs \"interval\" (e.g. \"5s\")");
                }
                refuse(t, kind, "at", "cron", "zone");
                break;
            case CRON:
                if (cron == null) {
                    throw t.fail("kind", "a \"cron\" schedule needs \"cron\" (e.g. \"*/5 * * * *\" or \"@hourly\")");
                }
                checkCronShape(t, cron);
                refuse(t, kind, "at", "delay", "interval");
                break;
            default:
                refuse(t, kind, "at", "delay", "interval", "cron", "zone");
        }
        return new ScheduleSpec(kind, at, delay, interval, cron, zone, overlap, misfire);
    }

    private static void refuse(TomlReader t, ScheduleSpec.Kind kind, String... keys) {
        for (String key : keys) {
            if (key != null && t.has(key)) {
                throw t.fail(key, "\"schedule." + key + "\" does not apply to a \"" + kind.name().toLowerCase(Locale.ROOT)
                        + "\" schedule");
            }
        }
    }

    /** Only the shape: 5 or 6 fields or an @macro. The scheduler validates the expression itself. */
    private static void checkCronShape(TomlReader t, String cron) {
        String c = cron.trim();
        int fields = c.isEmpty() ? 0 : c.split("\\s+").length;
        if (!(c.startsWith("@") && fields == 1) && fields != 5 && fields != 6) {
            throw t.fail("cron", "\"schedule.cron\": \"" + cron + "\" has " + fields
                    + " fields; a cron expression has 5 (minute hour day month weekday), 6 (with seconds) or is a macro like @hourly");
        }
    }

    private static <E extends Enum<E>> E enumValue(TomlReader t, String key, String text, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw t.fail(key, "\"schedule." + key + "\": \"" + text + "\" is not one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> "\"" + e.name().toLowerCase(Locale.ROOT) + "\"").collect(Collectors.joining(", ")));
    }

    @Override
    public String formatStats(ExecutionStats stats) {
        return StatsCodec.format(stats);
    }

    @Override
    public String format(ScriptMetadata m) {
        StringBuilder sb = new StringBuilder();
        line(sb, "name", str(m.name()));
        line(sb, "version", str(m.version()));
        line(sb, "author", str(m.author()));
        line(sb, "description", str(m.description()));
        if (m.createdAt() != null) {
            line(sb, "created_at", DateTimeFormatter.ISO_INSTANT.format(m.createdAt()));
        }
        if (m.modifiedAt() != null) {
            line(sb, "modified_at", DateTimeFormatter.ISO_INSTANT.format(m.modifiedAt()));
        }
        line(sb, "tags", list(m.tags()));
        line(sb, "permissions", list(m.permissions()));
        line(sb, "dependencies", list(m.dependencies()));
        line(sb, "min_engine_version", str(m.minEngineVersion()));
        if (!m.devices().isEmpty()) {
            line(sb, "devices", list(m.devices()));
        }
        ResourceLimits l = m.limits();
        if (l != null) {
            sb.append("\n[limits]\n");
            line(sb, "max_execution_time", str(Durations.format(l.maxExecutionTime())));
            line(sb, "max_memory", Long.toString(l.maxMemoryBytes()));
            line(sb, "max_instructions", Long.toString(l.maxInstructions()));
            line(sb, "max_string_length", Integer.toString(l.maxStringLength()));
            line(sb, "max_table_size", Integer.toString(l.maxTableSize()));
            line(sb, "max_call_depth", Integer.toString(l.maxCallDepth()));
            line(sb, "max_coroutines", Integer.toString(l.maxCoroutines()));
        }
        ScheduleSpec s = m.schedule();
        if (s != null) {
            sb.append("\n[schedule]\n");
            line(sb, "kind", str(s.kind().name().toLowerCase(Locale.ROOT)));
            if (s.at() != null) {
                line(sb, "at", DateTimeFormatter.ISO_INSTANT.format(s.at()));
            }
            if (s.delay() != null) {
                line(sb, "delay", str(Durations.format(s.delay())));
            }
            if (s.interval() != null) {
                line(sb, "interval", str(Durations.format(s.interval())));
            }
            if (s.cron() != null) {
                line(sb, "cron", str(s.cron()));
            }
            if (s.zone() != null) {
                line(sb, "zone", str(s.zone()));
            }
            line(sb, "overlap", str(s.overlap().name().toLowerCase(Locale.ROOT)));
            line(sb, "misfire", str(s.misfire().name().toLowerCase(Locale.ROOT)));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }

    private static String list(List<String> values) {
        return values.stream().map(TomlMetadataCodec::str).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A TOML basic string. */
    /**
     * A TOML basic string that any Java string can become, script data included: controls are escaped,
     * and a lone surrogate (which neither UTF-8 nor TOML can carry) becomes U+FFFD, so writing never fails.
     */
    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    sb.append(c).append(s.charAt(++i));
                } else {
                    sb.append('\ufffd');
                }
                continue;
            }
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
