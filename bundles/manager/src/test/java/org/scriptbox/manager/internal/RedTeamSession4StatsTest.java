package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ExecutionStats;

/**
 * Session-4 red team, F7 (/work/coord/FINDINGS.md): on a full data disk the statistics warned once per flush per
 * script with {@code java.io.IOException: No space left on device}, were dropped from the pending set, and were
 * lost at the next kill although space came back (real container on a 24 MB tmpfs: runs 8 before, 0 after the
 * restart). Here a directory squatting on the temporary file's name makes the write fail the same way, without
 * needing root for a tmpfs; removing it is "space came back".
 */
public class RedTeamSession4StatsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static ExecutionStats runs(long n) {
        return new ExecutionStats(n, n, 0, Duration.ofMillis(5), Duration.ofMillis(7), Instant.parse("2026-12-01T10:00:00Z"),
                1024, null, 0);
    }

    private static String stderrOf(Runnable action) {
        PrintStream before = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void aFailedSaveIsRetriedWhenTheDiskRecoversAndWarnedOnce() throws Exception {
        Path folder = tmp.newFolder("stats").toPath();
        // the write cannot happen: a non-empty directory on the temporary file's name (a clean-up cannot remove it)
        Path blocker = Files.createDirectory(folder.resolve("x.stats.tmp"));
        Path inside = Files.writeString(blocker.resolve("keep"), "x");
        StatsStore store = new StatsStore(folder, 3_600_000);   // flushed by hand below
        String warnings = stderrOf(() -> {
            for (int i = 1; i <= 5; i++) {
                store.update("x", runs(i));
                store.flush();
            }
        });
        long lines = warnings.lines().filter(l -> l.contains("WARN")).count();
        assertTrue("one warning per condition, not per flush: " + warnings, lines <= 1);
        assertFalse("no Java exception text for the operator: " + warnings, warnings.contains("java."));

        Files.delete(inside);   // space came back
        Files.delete(blocker);
        store.flush();
        Path saved = folder.resolve("x.stats.toml");
        assertTrue("the statistics are saved once the disk recovers", Files.isRegularFile(saved));
        assertEquals(5, new StatsStore(folder, 0).load("x").totalExecutions());
        store.close();
    }
}
