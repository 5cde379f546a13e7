package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;

public class TraceStoreTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static RunTrace trace(String script, long run) {
        return new RunTrace(script, run, "exec-" + run, "1.0.0", "OPERATOR", Instant.parse("2026-12-01T16:00:00Z"),
                Duration.ofMillis(run), ScriptStatus.FAILED, "(1)", "",
                ScriptError.at(ErrorKind.LIMIT, "instruction limit \"x\"\nexceeded", script + ".lua", 4, 2), 99,
                Duration.ofMillis(2), 4096, 1,
                List.of(new TraceEvent(0, TraceEvent.Type.START, "", "(1)", "", 0, false),
                        new TraceEvent(12, TraceEvent.Type.CALL, "device_read", "(\"a\\\"b\")", "21.5", 3, false),
                        new TraceEvent(20, TraceEvent.Type.END, "FAILED", "", "s.lua:4:2: limit", 0, true)), 5);
    }

    @Test
    public void keepsTheLastRunsAcrossARestartAndNumbersGoOn() throws Exception {
        Path folder = tmp.getRoot().toPath().resolve("traces");
        TraceStore store = new TraceStore(folder, 3_600_000, 3);
        for (int i = 0; i < 5; i++) {
            store.add(trace("blink", store.nextRun("blink")));
        }
        assertEquals(List.of(5L, 4L, 3L), store.runs("blink").stream().map(RunTrace::run).toList());
        store.close();
        assertEquals("only the kept runs were written, once each", 3, store.writes());
        try (var files = Files.list(folder.resolve("blink"))) {
            assertEquals(3, files.count());
        }
        TraceStore again = new TraceStore(folder, 0, 3);
        List<RunTrace> back = again.runs("blink");
        assertEquals(List.of(5L, 4L, 3L), back.stream().map(RunTrace::run).toList());
        assertEquals(trace("blink", 5), back.get(0));
        assertEquals(6, again.nextRun("blink"));
        assertEquals("exec-4", again.run("blink", "4").get().executionId());
        assertEquals(4, again.run("blink", "exec-4").get().run());
        assertTrue(again.run("blink", "1").isEmpty());
        // written at once without a flush period; the oldest file goes
        again.add(trace("blink", 6));
        try (var files = Files.list(folder.resolve("blink"))) {
            assertEquals(List.of("4.trace.toml", "5.trace.toml", "6.trace.toml"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    public void aDamagedFileLosesOnlyItsOwnRun() throws Exception {
        Path folder = tmp.getRoot().toPath().resolve("traces");
        TraceStore store = new TraceStore(folder, 0, 10);
        for (int i = 0; i < 3; i++) {
            store.add(trace("s", store.nextRun("s")));
        }
        store.add(trace("other", store.nextRun("other")));
        Files.writeString(folder.resolve("s/2.trace.toml"), "run = [unclosed", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("s/3.trace.toml"), "", StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("s/notes.txt"), "mine", StandardCharsets.UTF_8);
        TraceStore again = new TraceStore(folder, 0, 10);
        assertEquals(List.of(1L), again.runs("s").stream().map(RunTrace::run).toList());
        assertEquals(1, again.runs("other").size());
        assertEquals("the damaged runs' numbers are not given again", 4, again.nextRun("s"));
    }

    @Test
    public void namesFromOutsideNeverReachTheFileSystem() throws Exception {
        Path folder = tmp.getRoot().toPath().resolve("traces");
        Files.createDirectories(tmp.getRoot().toPath().resolve("secret"));
        Files.writeString(tmp.getRoot().toPath().resolve("secret/1.trace.toml"), TraceCodec.format(trace("x", 1)));
        TraceStore store = new TraceStore(folder, 0, 10);
        assertTrue(store.runs("../secret").isEmpty());
        assertTrue(store.runs("").isEmpty());
        assertTrue(store.runs(null).isEmpty());
        assertTrue(store.run("../secret", "1").isEmpty());
    }

    /** Runs of one script may end out of order: listed by number, the oldest dropped, whatever the order they ended. */
    @Test
    public void runsEndingOutOfOrderAreKeptByNumber() {
        TraceStore store = new TraceStore(tmp.getRoot().toPath(), 3_600_000, 2);
        long a = store.nextRun("s");
        long b = store.nextRun("s");
        long c = store.nextRun("s");
        store.add(trace("s", b));
        store.add(trace("s", c));
        store.add(trace("s", a));
        assertEquals(List.of(3L, 2L), store.runs("s").stream().map(RunTrace::run).toList());
        store.close();
        assertEquals("run 1 came after the two newer ones and was never written", 2, store.writes());
    }

    @Test
    public void fewerRunsKeptApplyAtOnce() {
        TraceStore store = new TraceStore(tmp.getRoot().toPath(), 3_600_000, 5);
        for (int i = 0; i < 5; i++) {
            store.add(trace("s", store.nextRun("s")));
        }
        store.keep(2);
        assertEquals(List.of(5L, 4L), store.runs("s").stream().map(RunTrace::run).toList());
        store.close();
        assertEquals(2, store.writes());
    }
}
