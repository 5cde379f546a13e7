package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;

/** Whatever text a script put into its last error, the statistics are written and read back. */
public class StatsPersistenceTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static ExecutionStats failedWith(String message, String traceback) {
        return new ExecutionStats(3, 1, 2, Duration.ofMillis(5), Duration.ofMillis(7), Instant.parse("2026-12-01T10:00:00Z"),
                1024, new ScriptError(ErrorKind.RUNTIME, message, "x.lua", 3, 4, traceback), 0);
    }

    private ExecutionStats roundTrip(ExecutionStats stats) throws Exception {
        Path folder = tmp.newFolder().toPath();
        StatsStore store = new StatsStore(folder, 0);
        store.update("x", stats);
        assertEquals("written once", 1, store.writes());
        store.close();
        return new StatsStore(folder, 0).load("x");
    }

    @Test
    public void aLoneSurrogateInTheErrorIsStoredAsAReplacementCharacter() throws Exception {
        ExecutionStats got = roundTrip(failedWith("bad \ud800 and \udfff end", "tb \udc00"));
        assertEquals(3, got.totalExecutions());
        assertEquals("bad \ufffd and \ufffd end", got.lastError().message());
        assertEquals("tb \ufffd", got.lastError().traceback());
    }

    @Test
    public void controlsNulDelC1AndPairsSurvive() throws Exception {
        String m = "nul\u0000 esc\u001b[2J del\u007f csi\u009b quote\" back\\ nl\n emoji\ud83d\ude00 bidi\u202e";
        ExecutionStats got = roundTrip(failedWith(m, null));
        assertEquals(m, got.lastError().message());
    }

    @Test
    public void theLastCleanupErrorIsWrittenAndReadBack() throws Exception {
        ExecutionStats s = failedWith("run broke", null);
        ExecutionStats withCleanup = new ExecutionStats(s.totalExecutions(), s.successfulExecutions(), s.failedExecutions(),
                s.averageDuration(), s.lastDuration(), s.lastExecutionTime(), s.peakMemoryBytes(), s.lastError(),
                s.permissionDenials(), new ScriptError(ErrorKind.LIMIT, "on_stop: instruction limit of 100 exceeded", "x.lua", 9, 2, null));
        ExecutionStats got = roundTrip(withCleanup);
        assertEquals(withCleanup, got);
        assertEquals(null, roundTrip(s).lastCleanupError());
    }

    @Test
    public void aDamagedFileStartsFromZeroWithoutStoppingLaterSaves() throws Exception {
        Path folder = tmp.newFolder().toPath();
        Files.write(folder.resolve("x.stats.toml"), new byte[] {'t', 'o', (byte) 0xff, (byte) 0xfe, '=', '\n'});
        StatsStore store = new StatsStore(folder, 0);
        assertEquals(ExecutionStats.EMPTY, store.load("x"));
        store.update("x", failedWith("ok", null));
        assertTrue(Files.readString(folder.resolve("x.stats.toml"), StandardCharsets.UTF_8).contains("total_executions = 3"));
    }

    /**
     * FINDINGS F7: while the data area cannot be written, statistics stay in memory, are tried again every period
     * (one reason kept, logged once for all scripts) and reach the disk when writing works again.
     */
    @Test(timeout = 30_000)
    public void statisticsThatCannotBeSavedAreKeptAndSavedWhenWritingWorksAgain() throws Exception {
        Path blocker = tmp.newFile("data").toPath();   // a file where the folder should be: every write fails
        Path folder = blocker.resolve("stats");
        StatsStore store = new StatsStore(folder, 20);
        try {
            ExecutionStats a = failedWith("a", null);
            store.update("a", a);
            store.update("b", ExecutionStats.EMPTY);
            while (store.failing() == null) {
                Thread.sleep(5);
            }
            assertTrue(store.failing(), !store.failing().contains("Exception"));
            assertEquals(0, store.writes());
            assertEquals("kept in memory meanwhile", a, store.load("a"));
            Files.delete(blocker);
            while (store.writes() < 2) {
                Thread.sleep(5);
            }
            assertEquals(null, store.failing());
            assertEquals(a, new StatsStore(folder, 0).load("a"));
        } finally {
            store.close();
        }
    }
}
