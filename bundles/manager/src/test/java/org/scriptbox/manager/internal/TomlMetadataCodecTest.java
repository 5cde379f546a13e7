package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.schedule.MisfirePolicy;
import org.scriptbox.api.schedule.OverlapPolicy;
import org.scriptbox.api.schedule.ScheduleSpec;

public class TomlMetadataCodecTest {
    private final TomlMetadataCodec codec = new TomlMetadataCodec();
    private final List<String> warnings = new ArrayList<>();

    private ScriptMetadata parse(String toml) {
        return codec.parse(toml, "blink.toml", "blink", warnings);
    }

    /** Parses, expects a METADATA error, and returns it. */
    private ScriptError error(String toml) {
        try {
            parse(toml);
        } catch (ScriptException e) {
            assertEquals(ErrorKind.METADATA, e.kind());
            assertEquals("blink.toml", e.error().file());
            return e.error();
        }
        throw new AssertionError("expected a metadata error for:\n" + toml);
    }

    private static void assertAt(ScriptError e, int line, int column, String fragment) {
        assertEquals("line of " + e, line, e.line());
        assertEquals("column of " + e, column, e.column());
        assertTrue(e + " should mention " + fragment, e.message().contains(fragment));
    }

    @Test
    public void readsAllSeedFields() {
        ScriptMetadata m = parse("name = \"blink\"\nversion = \"1.2.3\"\nauthor = \"ann\"\ndescription = \"d\"\n"
                + "created_at = 2026-01-02T03:04:05Z\nmodified_at = 2026-02-03T00:00:00+01:00\ntags = [\"a\", \"b\"]\n"
                + "permissions = [\"device:read\", \"device:control\"]\ndependencies = [\"helpers ^1.0\"]\n"
                + "min_engine_version = \"1.1.0\"\ndevices = [\"sim-1\"]\n");
        assertEquals("blink", m.name());
        assertEquals("1.2.3", m.version());
        assertEquals("ann", m.author());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), m.createdAt());
        assertEquals(Instant.parse("2026-02-02T23:00:00Z"), m.modifiedAt());
        assertEquals(List.of("a", "b"), m.tags());
        assertEquals(List.of("device:read", "device:control"), m.permissions());
        assertEquals(List.of("helpers ^1.0"), m.dependencies());
        assertEquals("1.1.0", m.minEngineVersion());
        assertEquals(List.of("sim-1"), m.devices());
        assertNull(m.limits());
        assertNull(m.schedule());
        assertTrue(warnings.isEmpty());
    }

    @Test
    public void missingNameComesFromTheFile() {
        ScriptMetadata m = parse("version = \"2.0.0\"\n");
        assertEquals("blink", m.name());
        assertEquals(List.of(), m.permissions());
    }

    @Test
    public void unknownKeysWarnWithPositionButLoad() {
        parse("name = \"blink\"\ncolour = \"red\"\n[limits]\nmax_bananas = 3\n");
        assertEquals(List.of("blink.toml:2:1: unknown key \"colour\" (ignored)",
                "blink.toml:4:1: unknown key \"limits.max_bananas\" (ignored)"), warnings);
    }

    @Test
    public void syntaxErrorsCarryTomljPosition() {
        assertAt(error("name = \"blink\"\nversion = \n"), 2, 11, "invalid TOML");
        assertAt(error("name = \"unterminated\n"), 1, 21, "invalid TOML");
        assertAt(error("name = \"a\"\nname = \"b\"\n"), 2, 1, "invalid TOML");        // duplicate key
        assertAt(error("tags = [\"a\",\n"), 2, 1, "invalid TOML");                    // unclosed array
        assertAt(error("[limits\n"), 1, 8, "invalid TOML");                            // unclosed header
        assertAt(error("created_at = 2026-13-45T00:00:00Z\n"), 1, 19, "Invalid month"); // impossible date
    }

    @Test
    public void wrongTypesArePointedAt() {
        assertAt(error("name = 42\n"), 1, 1, "\"name\" must be a string, not an integer");
        assertAt(error("\nversion = 1.0\n"), 2, 1, "\"version\" must be a string, not a float");
        assertAt(error("tags = \"a\"\n"), 1, 1, "must be an array of strings");
        assertAt(error("tags = [\"a\", 2]\n"), 1, 14, "element 2 is an integer");
        assertAt(error("created_at = true\n"), 1, 1, "must be a date-time");
        assertAt(error("limits = 3\n"), 1, 1, "must be a table");
    }

    @Test
    public void badValuesArePointedAt() {
        assertAt(error("name = \"no spaces\"\n"), 1, 1, "not a valid script name");
        assertAt(error("version = \"1.0\"\n"), 1, 1, "not a semantic version");
        assertAt(error("min_engine_version = \"x\"\n"), 1, 1, "not a semantic version");
        assertAt(error("permissions = [\"device:read\", \"device:fly\"]\n"), 1, 31, "unknown permission \"device:fly\"");
        assertAt(error("permissions = [\"device:read\", \"device:read\"]\n"), 1, 31, "listed twice");
        assertAt(error("dependencies = [\"helpers >>1\"]\n"), 1, 17, "not a version comparator");
        assertAt(error("dependencies = [\"blink\"]\n"), 1, 17, "cannot depend on itself");
        assertAt(error("devices = [\"\"]\n"), 1, 12, "cannot be empty");
        assertAt(error("created_at = \"yesterday\"\n"), 1, 1, "not a date-time");
    }

    @Test
    public void limitsOverrideDefaultsAndAreChecked() {
        ScriptMetadata m = parse("[limits]\nmax_execution_time = \"250ms\"\nmax_memory = \"16MB\"\nmax_instructions = 5000\n");
        ResourceLimits l = m.limits();
        assertEquals(Duration.ofMillis(250), l.maxExecutionTime());
        assertEquals(16L * 1024 * 1024, l.maxMemoryBytes());
        assertEquals(5000, l.maxInstructions());
        assertEquals(ResourceLimits.DEFAULTS.maxCallDepth(), l.maxCallDepth());
        assertAt(error("[limits]\nmax_execution_time = \"soon\"\n"), 2, 1, "not a duration");
        assertAt(error("[limits]\nmax_execution_time = \"0s\"\n"), 2, 1, "longer than zero");
        assertAt(error("[limits]\nmax_call_depth = -1\n"), 2, 1, "between 1 and");
        assertAt(error("[limits]\nmax_memory = \"lots\"\n"), 2, 1, "not a size");
        assertAt(error("[limits]\nmax_instructions = 0\n"), 2, 1, "must be positive");
    }

    @Test
    public void scheduleTablesOfEveryKind() {
        assertEquals(ScheduleSpec.interval(Duration.ofSeconds(5)), parse("[schedule]\nkind = \"interval\"\ninterval = \"5s\"\n").schedule());
        ScheduleSpec cron = parse("[schedule]\nkind = \"cron\"\ncron = \"*/5 * * * *\"\nzone = \"UTC\"\noverlap = \"queue\"\nmisfire = \"run_once\"\n").schedule();
        assertEquals(new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "*/5 * * * *", "UTC",
                OverlapPolicy.QUEUE, MisfirePolicy.RUN_ONCE), cron);
        assertEquals(ScheduleSpec.onceAfter(Duration.ofMinutes(1)), parse("[schedule]\nkind = \"once\"\ndelay = \"1m\"\n").schedule());
        assertEquals(ScheduleSpec.once(Instant.parse("2027-01-01T00:00:00Z")),
                parse("[schedule]\nkind = \"once\"\nat = 2027-01-01T00:00:00Z\n").schedule());
        assertEquals(ScheduleSpec.manual(), parse("[schedule]\nkind = \"manual\"\n").schedule());
    }

    @Test
    public void scheduleMistakesArePointedAt() {
        assertAt(error("name = \"blink\"\n[schedule]\ninterval = \"5s\"\n"), 2, 1, "needs \"kind\"");
        assertAt(error("[schedule]\nkind = \"weekly\"\n"), 2, 1, "not one of \"once\", \"interval\", \"cron\", \"manual\"");
        assertAt(error("[schedule]\nkind = \"interval\"\n"), 2, 1, "needs \"interval\"");
        assertAt(error("[schedule]\nkind = \"interval\"\ninterval = \"5s\"\ncron = \"@hourly\"\n"), 4, 1, "does not apply");
        assertAt(error("[schedule]\nkind = \"cron\"\ncron = \"* * *\"\n"), 3, 1, "has 3 fields");
        assertAt(error("[schedule]\nkind = \"cron\"\ncron = \"@daily\"\nzone = \"Mars/Olympus\"\n"), 4, 1, "not a time zone");
        assertAt(error("[schedule]\nkind = \"once\"\n"), 2, 1, "needs \"at\"");
        assertAt(error("[schedule]\nkind = \"once\"\nat = 2027-01-01T00:00:00Z\ndelay = \"1s\"\n"), 4, 1, "not both");
        assertAt(error("[schedule]\nkind = \"interval\"\ninterval = \"5s\"\noverlap = \"maybe\"\n"), 4, 1, "not one of");
    }

    /** Stands in for the scheduler's cron parser: refuses an hour of 75 at its column, as the real one does. */
    private static final class HourCheckingScheduler implements org.scriptbox.api.schedule.ScriptScheduler {
        @Override
        public List<Instant> nextFireTimes(ScheduleSpec spec, Instant from, int count) {
            int at = spec.cron().indexOf("75");
            if (at >= 0) {
                throw new org.scriptbox.api.schedule.ScheduleSyntaxException(spec.cron(), at + 1,
                        "hour value 75 is out of range 0-23");
            }
            return List.of(from);
        }

        @Override
        public org.scriptbox.api.schedule.ScheduledScript schedule(String scriptName, ScheduleSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean cancel(String scriptName) {
            return false;
        }

        @Override
        public List<org.scriptbox.api.schedule.ScheduledScript> list() {
            return List.of();
        }

        @Override
        public java.util.Optional<org.scriptbox.api.schedule.ScheduledScript> get(String scriptName) {
            return java.util.Optional.empty();
        }
    }

    @Test
    public void badCronFieldIsPointedAtInsideTheExpression() {
        codec.scheduler = new HourCheckingScheduler();
        // cron = "*/5 75 * * *": the quote is column 8, the expression's column 5 ("75") is column 13
        assertAt(error("[schedule]\nkind = \"cron\"\ncron = \"*/5 75 * * *\"\n"), 3, 13,
                "invalid cron expression '*/5 75 * * *' at column 5: hour value 75 is out of range 0-23");
        assertAt(error("[schedule]\nkind = \"cron\"\n  cron='0 75 * * *'\n"), 3, 11, "hour value 75");
        // an escape before the column makes the mapping a guess: the key's position instead
        assertAt(error("[schedule]\nkind = \"cron\"\ncron = \"\\u002a 75 * * *\"\n"), 3, 1, "hour value 75");
        assertEquals("0 8 * * *", parse("[schedule]\nkind = \"cron\"\ncron = \"0 8 * * *\"\n").schedule().cron());
    }

    @Test
    public void withoutASchedulerOnlyTheCronShapeIsChecked() {
        assertEquals("*/5 75 * * *", parse("[schedule]\nkind = \"cron\"\ncron = \"*/5 75 * * *\"\n").schedule().cron());
    }

    @Test
    public void formatThenParseIsLossless() {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ScriptMetadata full = new ScriptMetadata("blink", "1.2.3-rc.1+b7", "Ann \"the\" author", "line1\nline2\ttab \\",
                t, t.plusSeconds(60), List.of("x", "y"), List.of("device:read", "telemetry:read"),
                List.of("helpers >=1.0.0 <2.0.0"), "1.0.0",
                new ResourceLimits(Duration.ofMillis(1500), 12345, 999, 10, 20, 30, 4),
                new ScheduleSpec(ScheduleSpec.Kind.CRON, null, null, null, "0 * * * *", "Europe/Berlin",
                        OverlapPolicy.PARALLEL, MisfirePolicy.RUN_ONCE), List.of("sim-1", "sim-2"));
        assertEquals(full, parse(codec.format(full)));
        ScriptMetadata defaults = ScriptMetadata.defaults("blink");
        assertEquals(defaults, parse(codec.format(defaults)));
        ScriptMetadata interval = new ScriptMetadata("blink", "1.0.0", null, null, null, null, null, null, null, null,
                null, ScheduleSpec.interval(Duration.ofMillis(250)));
        assertEquals(interval, parse(codec.format(interval)));
        assertTrue(warnings.isEmpty());
    }

    @Test
    public void emptyFileGivesDefaultsNamedAfterTheFile() {
        ScriptMetadata m = parse("");
        assertEquals("blink", m.name());
        assertEquals("1.0.0", m.version());
    }

    @Test
    public void invalidFileNameWithoutNameKeyIsRefused() {
        try {
            codec.parse("", "bad name.toml", "bad name", warnings);
            fail();
        } catch (ScriptException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("bad name.toml:1:1: no \"name\""));
        }
    }

    @Test
    public void hugeDurationsAndSizesAreRefusedWhereTheyAreWritten() {
        assertAt(error("[limits]\nmax_execution_time = \"999999999999d\"\n"), 2, 1, "out of range");
        assertAt(error("[schedule]\nkind = \"interval\"\ninterval = \"999999999999d\"\n"), 3, 1, "out of range");
        assertAt(error("[schedule]\nkind = \"once\"\ndelay = \"3651d\"\n"), 3, 1, "at most 3650d");
        assertAt(error("[limits]\nmax_memory = \"999999999999999GB\"\n"), 2, 1, "out of range");
        assertAt(error("[limits]\nmax_memory = 9223372036854775807\n"), 2, 1, "1TB");
        assertEquals(java.time.Duration.ofDays(3650), parse("[schedule]\nkind = \"interval\"\ninterval = \"3650d\"\n")
                .schedule().interval());
    }

    @Test
    public void manyTagsAreCheckedInLinearTimeAndADuplicateIsFoundAtItsPlace() {
        StringBuilder toml = new StringBuilder("tags = [\n");
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            toml.append("\"t").append(i).append("\",\n");
        }
        // with a quadratic duplicate check these 200,000 tags took 99 s; a linear one takes well under one.
        // The codec refuses more than 64 tags before reading them (MetadataSizes), so the list check is run
        // directly here, as it runs for every list field
        assertEquals(n, strings(toml + "]\n").size());
        try {
            strings(toml + "\"t7\"]\n");
            throw new AssertionError("a duplicate accepted");
        } catch (org.scriptbox.api.ScriptException e) {
            assertAt(e.error(), n + 2, 1, "\"t7\" is listed twice");
        }
        assertAt(error(toml + "]\n"), 1, 1, "\"tags\" has 200000 entries; at most 64 are allowed");
    }

    private static List<String> strings(String toml) {
        return new TomlReader(org.tomlj.Toml.parse(toml), "blink.toml", "").strings("tags", t -> t);
    }
}
