package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.scriptbox.api.ScriptLogEntry;

public class ScriptLogSinkTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LogBuffer ring = new LogBuffer();

    private ScriptLogSink sink(LogQuota quota) {
        return new ScriptLogSink(quota, 10_000, now::get);
    }

    private List<ScriptLogEntry> lines() {
        return ring.latest(10_000);
    }

    @Test
    public void levelsAreKeptAndTextIsMadeSafe() {
        ScriptLogSink.ExecutionLog log = sink(LogQuota.DEFAULTS).open("s", ring, "e1");
        log.script("INFO", "ok\n2026-12-01 ERROR forged \u001b[2J\u009b31m");
        log.script("WARN", "w");
        log.script("ERROR", "e");
        log.script("DEBUG", "unknown levels are INFO");
        log.close();
        List<ScriptLogEntry> got = lines();
        assertEquals("ok\\n2026-12-01 ERROR forged \\u001b[2J\\u009b31m", got.get(0).message());
        assertEquals(List.of("INFO", "WARN", "ERROR", "INFO"), got.stream().map(ScriptLogEntry::level).toList());
    }

    @Test
    public void oneExecutionIsCutAtItsLineLimitWithOneSummary() {
        ScriptLogSink.ExecutionLog log = sink(new LogQuota(2_000, 10, 1 << 20, 1_000, 1 << 20, 60_000)).open("s", ring, "e1");
        for (int i = 0; i < 5_000; i++) {
            log.script("INFO", "line " + i);
        }
        log.close();
        List<ScriptLogEntry> got = lines();
        assertEquals(11, got.size());
        assertEquals("line 9", got.get(9).message());
        ScriptLogEntry summary = got.get(10);
        assertEquals("WARN", summary.level());
        assertTrue(summary.message(), summary.message().startsWith("log limit reached: 4990 lines ("));
        assertTrue(summary.message(), summary.message().contains("from execution e1 suppressed"));
    }

    @Test
    public void bytesPerExecutionAndLongLinesAreBounded() {
        ScriptLogSink.ExecutionLog log = sink(new LogQuota(100, 1_000, 1_024, 1_000, 1 << 20, 60_000)).open("s", ring, "e1");
        log.script("INFO", "x".repeat(10_000));
        for (int i = 0; i < 100; i++) {
            log.script("INFO", "y".repeat(90));
        }
        log.close();
        List<ScriptLogEntry> got = lines();
        assertEquals("x".repeat(100) + "... [9900 more characters]", got.get(0).message());
        long bytes = got.stream().filter(e -> e.level().equals("INFO")).mapToLong(e -> e.message().length()).sum();
        assertTrue("at most 1 KB logged: " + bytes, bytes <= 1_024);
    }

    @Test
    public void aCutNeverLeavesHalfASurrogatePair() {
        ScriptLogSink.ExecutionLog log = sink(new LogQuota(100, 1_000, 1 << 20, 1_000, 1 << 20, 60_000)).open("s", ring, "e1");
        log.script("INFO", "x".repeat(99) + "\ud83d\ude00" + "y".repeat(50));
        log.close();
        assertEquals("x".repeat(99) + "... [52 more characters]", lines().get(0).message());
    }

    @Test
    public void manyShortRunsAreHeldByTheWindowAndSummarisedOncePerWindow() {
        ScriptLogSink sink = sink(new LogQuota(2_000, 100, 1 << 20, 50, 1 << 20, 60_000));
        for (int run = 0; run < 100; run++) {
            ScriptLogSink.ExecutionLog log = sink.open("s", ring, "e" + run);
            for (int i = 0; i < 10; i++) {
                log.script("INFO", "run " + run + " line " + i);
            }
            log.close();
        }
        List<ScriptLogEntry> got = lines();
        assertEquals(50, got.stream().filter(e -> e.level().equals("INFO")).count());
        assertEquals(1, got.stream().filter(e -> e.message().startsWith("log limit reached")).count());
        // the first summary came with run 5 (its 10 lines); runs 6..99 are told with the next window's first
        now.addAndGet(60_000);
        ScriptLogSink.ExecutionLog log = sink.open("s", ring, "later");
        log.script("INFO", "fresh");
        log.close();
        List<ScriptLogEntry> after = lines();
        assertEquals("fresh", after.get(after.size() - 2).message());
        assertTrue(after.get(after.size() - 1).message(), after.get(after.size() - 1).message()
                .startsWith("log limit reached: 940 lines (11 KB) from 94 executions suppressed"));
    }

    @Test
    public void containerFailureLinesCountAgainstTheWindow() {
        ScriptLogSink sink = sink(new LogQuota(2_000, 100, 1 << 20, 5, 1 << 20, 60_000));
        for (int run = 0; run < 1_000; run++) {
            ScriptLogSink.ExecutionLog log = sink.open("s", ring, "e" + run);
            log.container("ERROR", "FAILED: boom\nforged");
            log.close();
        }
        List<ScriptLogEntry> got = lines();
        assertEquals(6, got.size());
        assertEquals("FAILED: boom\\nforged", got.get(0).message());
    }

    @Test
    public void aSummaryStillOwedIsToldAtUndeploy() {
        ScriptLogSink sink = sink(new LogQuota(2_000, 100, 1 << 20, 1, 1 << 20, 60_000));
        for (int run = 0; run < 3; run++) {
            ScriptLogSink.ExecutionLog log = sink.open("s", ring, "e" + run);
            log.script("INFO", "a");
            log.script("INFO", "b");
            log.close();
        }
        sink.forget("s", ring);
        List<ScriptLogEntry> got = lines();
        assertTrue(got.get(got.size() - 1).message(), got.get(got.size() - 1).message()
                .startsWith("log limit reached: 4 lines (4 bytes) from 2 executions suppressed"));
    }
}
