package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.testsupport.disk.SmallDisk;

/** Session-6 lifecycle red team (FINDINGS L6): the version history on a full data disk and past a million versions. */
public class RedTeamSession6HistoryTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private SmallDisk disk;

    private static int run(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }

    @After
    public void unmount() throws Exception {
        if (disk != null) {
            disk.close();
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test(timeout = 60_000)
    public void aFullDiskLeavesNoHalfVersionAndNoTemporaryFileBehind() throws Exception {
        disk = SmallDisk.mount(tmp.newFolder("small").toPath(), "256k");
        assumeTrue("root can mount a tmpfs", disk != null);
        Path folder = disk.root.resolve("history");
        VersionHistory history = new VersionHistory(folder, 10);
        history.record("m", "1.0.0", Instant.now(), "/deploy/m.lua", "return 1\n", "version = \"1.0.0\"\n");
        Path filler = disk.fill(8192);
        String big = "return '" + "x".repeat(60_000) + "'\n";
        history.record("m", "2.0.0", Instant.now(), "/deploy/m.lua", big, "version = \"2.0.0\"\n");
        assertEquals("only the complete version 1 is there: no half version 2, no temporary file",
                List.of("000001.lua", "000001.properties", "000001.toml"), files(folder.resolve("m")));
        Files.delete(filler);   // space comes back
        history.record("m", "2.0.0", Instant.now(), "/deploy/m.lua", big, "version = \"2.0.0\"\n");
        assertEquals(List.of(2, 1), history.list("m").stream().map(VersionHistory.Kept::number).toList());
    }

    @Test
    public void numbersGoOnPastAMillionVersions() throws Exception {
        Path folder = tmp.newFolder("history").toPath();
        Path m = Files.createDirectories(folder.resolve("m"));
        Files.writeString(m.resolve("999999.lua"), "return 1\n");
        Files.writeString(m.resolve("999999.toml"), "version = \"1.0.0\"\n");
        Files.writeString(m.resolve("999999.properties"), "version=1.0.0\ndeployed_at=2026-12-01T00\\:00\\:00Z\norigin=\n");
        VersionHistory history = new VersionHistory(folder, 10);
        history.record("m", "1.0.1", Instant.now(), "/deploy/m.lua", "return 2\n", "version = \"1.0.1\"\n");
        history.record("m", "1.0.2", Instant.now(), "/deploy/m.lua", "return 3\n", "version = \"1.0.2\"\n");
        assertEquals(List.of(1_000_001, 1_000_000, 999_999), history.list("m").stream().map(VersionHistory.Kept::number).toList());
        assertEquals("return 3\n", history.get("m", 1_000_001).orElseThrow().source());
    }

    /**
     * L10: listing the history (script:history, GET /history, every rollback) read and held every kept version's
     * text. A FIFO in place of an old version's .lua shows whether a listing still opens the scripts: it would wait
     * for a writer for ever.
     */
    @Test(timeout = 30_000)
    public void aListingReadsNoScriptText() throws Exception {
        Path folder = tmp.newFolder("history").toPath();
        VersionHistory history = new VersionHistory(folder, 10);
        for (int k = 1; k <= 3; k++) {
            history.record("m", "1.0." + k, Instant.now(), "/deploy/m.lua", "return " + k + "\n", "version = \"1.0." + k + "\"\n");
        }
        Path lua = folder.resolve("m/000001.lua");
        Files.delete(lua);
        assertEquals(0, run("mkfifo", lua.toString()));
        List<VersionHistory.Kept> kept = history.list("m");
        assertEquals(List.of(3, 2, 1), kept.stream().map(VersionHistory.Kept::number).toList());
        assertEquals(VersionHistory.digest("return 3\n", "version = \"1.0.3\"\n"), kept.get(0).digest());
    }

    /** Versions kept before digests were stored get theirs from their files, the same as a stored one. */
    @Test
    public void aVersionKeptWithoutADigestIsRecognised() throws Exception {
        Path folder = tmp.newFolder("old").toPath();
        Path m = Files.createDirectories(folder.resolve("m"));
        Files.writeString(m.resolve("000004.lua"), "return 'é'\n");
        Files.writeString(m.resolve("000004.toml"), "version = \"1.0.0\"\n");
        Files.writeString(m.resolve("000004.properties"), "version=1.0.0\ndeployed_at=2026-12-01T00\\:00\\:00Z\norigin=\n");
        VersionHistory history = new VersionHistory(folder, 10);
        assertEquals(VersionHistory.digest("return 'é'\n", "version = \"1.0.0\"\n"), history.list("m").get(0).digest());
        // the same content again adds nothing
        history.record("m", "1.0.0", Instant.now(), "/deploy/m.lua", "return 'é'\n", "version = \"1.0.0\"\n");
        assertEquals(1, history.list("m").size());
    }

    /** L14: a trace write a SIGKILL interrupted left RUN.trace.tmp for ever (run numbers are never reused). */
    @Test
    public void aTraceWriteInterruptedByACrashLeavesNothingBehindAfterTheStart() throws Exception {
        Path folder = tmp.newFolder("traces").toPath();
        Path dir = Files.createDirectories(folder.resolve("blink"));
        Files.writeString(dir.resolve("7.trace.tmp"), "half a tra");
        TraceStore store = new TraceStore(folder, 3_600_000, 3);
        assertEquals(List.of(), store.runs("blink"));
        assertEquals(List.of(), files(dir));
    }
}
