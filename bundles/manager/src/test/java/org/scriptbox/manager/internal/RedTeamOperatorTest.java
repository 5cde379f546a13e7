package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptLogEntry;

/** Red-team cases for issue 11 classes 8-10 on the manager side (log sink, stats codec, metadata warnings). */
public class RedTeamOperatorTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LogBuffer ring = new LogBuffer();

    private static void assertInert(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            assertFalse("raw U+" + Integer.toHexString(c) + " in " + s, c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
                    || c == 0x2028 || c == 0x2029 || c == 0x202e || (Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                    && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(++i)))));
        }
    }

    // ---- class 10: statistics persistence ----

    private static String nasty() {
        StringBuilder sb = new StringBuilder("\"\"\" ''' \\ \\u0000 \\\" ");
        for (int c = 0; c < 0x100; c++) {
            sb.append((char) c);
        }
        return sb.append("\ud800 \udfff \udfff\ud800 \ufffe\uffff \u2028\u2029\u202e [x] a = \"b\" # comment\n[last_error]\n")
                .append(new String(Character.toChars(0x10ffff))).toString();
    }

    @Test
    public void statsRoundTripAnyStringAndExtremeNumbers() {
        String n = nasty();
        ExecutionStats s = new ExecutionStats(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1, 0, Duration.ofDays(1),
                Duration.ofNanos(1), Instant.parse("9999-12-31T23:59:59.999999999Z"), Long.MAX_VALUE,
                new ScriptError(ErrorKind.RUNTIME, n, n, Integer.MAX_VALUE, Integer.MIN_VALUE, n), Long.MAX_VALUE);
        ExecutionStats back = StatsCodec.parse(StatsCodec.format(s), "x.stats.toml");
        assertEquals(Long.MAX_VALUE - 1, back.totalExecutions());
        assertEquals(Long.MAX_VALUE, back.peakMemoryBytes());
        assertEquals(Integer.MAX_VALUE, back.lastError().line());
        assertEquals(Integer.MIN_VALUE, back.lastError().column());
        assertEquals(s.lastExecutionTime(), back.lastExecutionTime());
        String want = n.replace("\ud800 \udfff \udfff\ud800", "\ufffd \ufffd \ufffd\ufffd");
        assertEquals(want, back.lastError().message());
        assertEquals(want, back.lastError().file());
        assertEquals(want, back.lastError().traceback());
        // and again: what was read is written and read the same
        assertEquals(StatsCodec.format(back), StatsCodec.format(StatsCodec.parse(StatsCodec.format(back), "x")));
    }

    /** A hand-edited or imported stats file: numbers beyond int must not wrap into a plausible line number. */
    @Test
    public void positionsBeyondIntAreRefusedNotWrapped() {
        for (String bad : new String[] {"line = 4294967301", "column = -4294967295", "line = 9223372036854775807"}) {
            String toml = "total_executions = 1\nfailed_executions = 1\n[last_error]\nkind = \"RUNTIME\"\nmessage = \"m\"\n" + bad + "\n";
            try {
                ExecutionStats s = StatsCodec.parse(toml, "x.stats.toml");
                throw new AssertionError(bad + " read as line " + s.lastError().line() + " column " + s.lastError().column());
            } catch (org.scriptbox.api.ScriptException expected) {
                assertEquals(ErrorKind.METADATA, expected.error().kind());
            }
        }
        for (String bad : new String[] {"total_executions = 99999999999999999999", "total_executions = nan",
                "total_executions = inf", "total_executions = 1.5", "\"\\u0000\" = 1\ntotal_executions = -1",
                "[last_error]\nkind = \"NO_SUCH_KIND\"\nmessage = \"m\""}) {
            try {
                StatsCodec.parse(bad, "x.stats.toml");
                throw new AssertionError(bad + " accepted");
            } catch (org.scriptbox.api.ScriptException expected) {
                assertEquals(ErrorKind.METADATA, expected.error().kind());
            }
        }
    }

    @Test
    public void everyLoneOrPairedCharRoundTrips() {
        StringBuilder all = new StringBuilder();
        for (int c = 0; c < 0x10000; c++) {
            if (!Character.isSurrogate((char) c)) {
                all.append((char) c);
            }
        }
        ExecutionStats s = new ExecutionStats(1, 0, 1, Duration.ZERO, null, null, 0,
                ScriptError.of(ErrorKind.RUNTIME, all.toString()), 0);
        assertEquals(all.toString(), StatsCodec.parse(StatsCodec.format(s), "x").lastError().message());
    }

    // ---- class 8: metadata warnings reach the container log ----

    @Test
    public void unknownKeyWarningsAreSafeAndBounded() {
        StringBuilder toml = new StringBuilder("name = \"blink\"\n\"\\u001b]0;pwned\\u0007\\r\\n12:00:00.000 ERROR forged\" = 1\n");
        for (int i = 0; i < 50_000; i++) {
            toml.append("k").append(i).append(" = 1\n");
        }
        toml.append("\"").append("z".repeat(100_000)).append("\" = 1\n");
        toml.append("[limits]\n");
        for (int i = 0; i < 1_000; i++) {
            toml.append("l").append(i).append(" = 1\n");
        }
        List<String> warnings = new ArrayList<>();
        new TomlMetadataCodec().parse(toml.toString(), "blink.toml", "blink", warnings);
        // was: 51,002 warnings (one WARN line each, outside any log quota), one 100 KB long, one with a raw ESC/BEL/CR/LF
        assertTrue(warnings.size() + " warnings", warnings.size() <= 2 * (TomlReader.MAX_UNKNOWN_KEY_WARNINGS + 1));
        for (String w : warnings) {
            assertInert(w);
            assertTrue(w.length() + " characters", w.length() < 300);
        }
        String last = warnings.get(warnings.size() - 1);
        assertTrue(last, last.contains("990 more unknown key(s) in [limits]"));
    }

    // ---- class 9: log volume ----

    @Test
    public void aLineCutNeverSplitsAPairOrLeavesARawControl() {
        LogQuota q = new LogQuota(10, 1_000, 1 << 20, 1_000, 1 << 20, 60_000);
        ScriptLogSink.ExecutionLog log = new ScriptLogSink(q, 10_000, now::get).open("s", ring, "e1");
        String pair = new String(Character.toChars(0x1f600));
        for (int shift = 0; shift < 12; shift++) {
            log.script("INFO", "x".repeat(shift) + pair.repeat(10));
            log.script("INFO", "x".repeat(shift) + "\u001b]0;t\u0007\u009b2J");
        }
        log.close();
        for (ScriptLogEntry e : ring.latest(10_000)) {
            assertInert(e.message());
        }
    }

    @Test
    public void manyExecutionsOfOneScriptShareOneWindow() {
        LogQuota q = new LogQuota(200, 100, 1 << 20, 150, 1 << 20, 60_000);
        ScriptLogSink sink = new ScriptLogSink(q, 100_000, now::get);
        for (int run = 0; run < 1_000; run++) {
            ScriptLogSink.ExecutionLog log = sink.open("s", ring, "e" + run);
            for (int i = 0; i < 5; i++) {
                log.script("INFO", "multi\nline\nvalue " + i);
            }
            log.container("ERROR", "RUNTIME: s.lua:1: boom\n" + "fake line\n".repeat(5));
            log.close();
            now.addAndGet(10); // 1,000 runs in 10 s, all in one window
        }
        List<ScriptLogEntry> got = ring.latest(100_000);
        assertEquals(150 + 1, got.size()); // the window's lines and its one summary
        got.forEach(e -> assertFalse(e.message(), e.message().contains("\n")));
    }

    /**
     * Was a hole: the window was fixed, so a script that logged its whole quota just before a window ended
     * and again just after it started wrote twice the per-minute bound within milliseconds. The window
     * slides now ({@link SlidingCount}).
     */
    @Test
    public void windowEdgeDoublesTheBound() {
        LogQuota q = new LogQuota(200, 10_000, 1 << 20, 100, 1 << 20, 60_000);
        ScriptLogSink sink = new ScriptLogSink(q, 100_000, now::get);
        ScriptLogSink.ExecutionLog first = sink.open("s", ring, "e1");
        first.script("INFO", "opens the window");
        first.close();
        now.addAndGet(59_999);
        ScriptLogSink.ExecutionLog a = sink.open("s", ring, "e2");
        for (int i = 0; i < 200; i++) {
            a.script("INFO", "a" + i);
        }
        a.close();
        now.addAndGet(2);
        ScriptLogSink.ExecutionLog b = sink.open("s", ring, "e3");
        for (int i = 0; i < 200; i++) {
            b.script("INFO", "b" + i);
        }
        b.close();
        long script = ring.latest(100_000).stream().filter(e -> !e.message().startsWith("log limit")).count();
        assertTrue(script + " lines within 3 ms", script <= 100);
    }

    /**
     * Was a hole: the quota was per script name, with no container-wide bound: 100 scripts wrote ~50 MB a
     * minute, which rotates away all five 10 MB container logs. Now all scripts share one budget
     * (2 MB / 10,000 lines per minute by default).
     */
    @Test
    public void manyScriptsAreBoundedTogether() {
        ScriptLogSink sink = new ScriptLogSink(LogQuota.DEFAULTS, 100_000, now::get);
        long bytes = 0;
        for (int s = 0; s < 100; s++) {
            LogBuffer own = new LogBuffer();
            ScriptLogSink.ExecutionLog log = sink.open("s" + s, own, "e" + s);
            for (int i = 0; i < 1_000; i++) {
                log.script("INFO", "y".repeat(2_000));
            }
            log.close();
            bytes += own.latest(100_000).stream().mapToLong(e -> e.message().length()).sum();
        }
        assertTrue(bytes / (1024 * 1024) + " MB in one minute", bytes < 10L * 1024 * 1024);
    }

    // ---- ConfigReader through the manager's settings ----

    @Test
    public void managerSettingsEdgeValues() {
        List<String> refused = new ArrayList<>();
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("max.concurrent", " 12 ");
        p.put("reserved.operator.slots", "12");             // as many as max: schedules would never run
        p.put("queue.capacity", "0x64");
        p.put("max.concurrent.per.script", 4.0);
        p.put("queue.capacity.per.script", Double.NaN);
        p.put("log.window.ms", "999");
        p.put("log.max.bytes.per.window", "9223372036854775808");
        p.put("log.max.lines.per.execution", "+-1");
        p.put("log.max.line.chars", "\u0661\u0660\u0660");
        ManagerSettings s = ManagerSettings.read(p, ManagerSettings.DEFAULTS, refused::add);
        assertEquals(12, s.capacity().maxConcurrent());
        assertTrue(s.capacity().operatorReserve() < 12);
        assertEquals(1, s.capacity().operatorReserve());
        assertEquals(100, s.capacity().queueCapacity());
        assertEquals(4, s.capacity().scriptConcurrent());
        assertEquals(20, s.capacity().scriptQueue());
        assertEquals(LogQuota.DEFAULTS, s.logQuota());
        assertEquals(refused.toString(), 7, refused.size());
        refused.forEach(RedTeamOperatorTest::assertInert);
    }
}
