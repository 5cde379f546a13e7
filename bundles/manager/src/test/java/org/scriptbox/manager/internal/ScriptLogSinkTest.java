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
        // (the window slides in 1/60ths: the lines of the first second are gone a second after a minute)
        now.addAndGet(61_000);
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

    // ---- sliding window and the budget of all scripts (issue 11 class 9) ----

    private long written(String script) {
        return lines().stream().filter(e -> e.scriptName().equals(script) && !e.message().startsWith("log limit")).count();
    }

    /** No stretch of one window's length holds more than the bound, wherever it starts. */
    @Test
    public void noWindowLongStretchHoldsMoreThanTheBound() {
        LogQuota q = new LogQuota(200, 10_000, 1 << 20, 100, 1 << 20, 60_000);
        ScriptLogSink sink = sink(q);
        long start = now.get();
        java.util.List<Long> times = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        for (int run = 0; run < 400; run++) {
            ScriptLogSink.ExecutionLog log = sink.open("s", ring, "e" + run);
            for (int i = 0; i < 20; i++) {
                int before = lines().size();
                log.script("INFO", "line");
                if (lines().size() > before) {
                    times.add(now.get());
                }
            }
            log.close();
            now.addAndGet(random.nextInt(2_000));
        }
        assertTrue(times.size() > 300); // ~6.6 minutes: about 100 per minute got through
        for (int i = 0; i < times.size(); i++) {
            int j = i;
            while (j < times.size() && times.get(j) - times.get(i) < 60_000) {
                j++;
            }
            assertTrue((j - i) + " lines within one minute from " + (times.get(i) - start), j - i <= 100);
        }
    }

    /** Each of n scripts that log gets at most 1/n of the container's budget; together they stay within it. */
    @Test
    public void allScriptsShareOneBudgetFairly() {
        LogQuota q = new LogQuota(2_000, 10_000, 1 << 30, 1_000, 1 << 30, 60_000, 1_000, 1 << 30);
        ScriptLogSink sink = sink(q);
        ScriptLogSink.ExecutionLog noisy = sink.open("noisy", ring, "n1");
        ScriptLogSink.ExecutionLog quiet = sink.open("quiet", ring, "q1");
        quiet.script("INFO", "quiet is here");
        for (int i = 0; i < 5_000; i++) {
            noisy.script("INFO", "noise " + i);
        }
        assertEquals(500, written("noisy")); // half of the 1,000: the quiet script logs too
        for (int i = 0; i < 1_000; i++) {
            quiet.script("INFO", "quiet " + i);
        }
        // its half, less the tenth of the budget kept for light scripts (of which it had its first 10 lines)
        assertEquals(400, written("quiet"));
        noisy.close();
        quiet.close();
        // 100 more scripts: the container's 1,000 lines are never exceeded
        for (int s = 0; s < 100; s++) {
            ScriptLogSink.ExecutionLog log = sink.open("s" + s, ring, "x" + s);
            for (int i = 0; i < 100; i++) {
                log.script("INFO", "y");
            }
            log.close();
        }
        long scriptLines = lines().stream().filter(e -> !e.message().startsWith("log limit")).count();
        assertTrue(scriptLines + " lines", scriptLines <= 1_000);
        assertTrue(lines().size() + " lines with summaries", lines().size() <= 1_000);
    }

    /**
     * Five noisy scripts at their full per-script bound (5 x 2,000 lines) used to fill the whole budget; the
     * tenth kept for light scripts still lets a quiet one get its first 100 lines out. (Each script is light
     * for its own first 100 lines, so more than ten noisy scripts can use up that reserve too.)
     */
    @Test
    public void noisyScriptsCannotTakeAQuietOnesFirstLines() {
        LogQuota q = new LogQuota(2_000, 10_000, 1 << 30, 2_000, 1 << 30, 60_000, 10_000, 1 << 30);
        ScriptLogSink sink = sink(q);
        for (int s = 0; s < 5; s++) {
            ScriptLogSink.ExecutionLog log = sink.open("noisy" + s, ring, "n" + s);
            for (int i = 0; i < 2_000; i++) {
                log.script("INFO", "noise");
            }
            log.close();
        }
        long noisy = lines().stream().filter(e -> e.scriptName().startsWith("noisy") && !e.message().startsWith("log limit")).count();
        assertTrue(noisy + " noisy lines", noisy <= 9_000 + 5 * 100);
        ScriptLogSink.ExecutionLog quiet = sink.open("quiet", ring, "q");
        for (int i = 0; i < 200; i++) {
            quiet.script("INFO", "quiet " + i);
        }
        quiet.close();
        assertEquals(100, written("quiet"));
        assertTrue(lines().size() + " lines", lines().stream().filter(e -> !e.message().startsWith("log limit")).count() <= 10_000);
    }

    /** Summaries the budget has no room for are told in one line for all scripts, once per window. */
    @Test
    public void summariesBeyondTheBudgetAreToldOnceForAll() {
        LogQuota q = new LogQuota(2_000, 10_000, 1 << 30, 1_000, 1 << 30, 60_000, 50, 1 << 30);
        ScriptLogSink sink = sink(q);
        for (int s = 0; s < 200; s++) {
            ScriptLogSink.ExecutionLog log = sink.open("s" + s, ring, "x" + s);
            for (int i = 0; i < 10; i++) {
                log.script("INFO", "line " + i);
            }
            log.close();
        }
        // 5 scripts took the 50 lines; the other 195 scripts' summaries found no room and are owed to one line for all
        assertTrue(lines().size() + " lines", lines().size() <= 50);
    }

    @Test
    public void theSummaryForAllScriptsComesOncePerWindow() {
        LogQuota q = new LogQuota(2_000, 10, 1 << 20, 10, 1 << 20, 60_000, 10, 1 << 20);
        ContainerLogBudget all = new ContainerLogBudget();
        assertEquals(null, all.takeSummary(q, 0));
        all.owe(5, 50);
        all.owe(7, 70);
        assertEquals("log limit reached for all scripts: 12 lines (120 bytes) of 2 summaries suppressed (limit: 10 lines"
                + " or 1024 KB for all scripts per 60 s)", all.takeSummary(q, 1_000));
        all.owe(1, 1);
        assertEquals(null, all.takeSummary(q, 60_999));
        assertTrue(all.takeSummary(q, 61_000).startsWith("log limit reached for all scripts: 1 lines"));
    }
}
