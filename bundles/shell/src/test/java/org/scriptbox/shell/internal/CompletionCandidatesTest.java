package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.Usage;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class CompletionCandidatesTest {
    private final CompletionCandidates candidates = new CompletionCandidates(() -> List.of("echo", "ramp"), () -> List.of("sim-1"));
    private static final Usage SET = Usage.of("sched:set", "sets").withOption("-o", "--overlap", "POLICY", null, "overlap")
            .withArgument("NAME", "script").withRest("SCHEDULE", "words", true);
    private static final Usage STATUS = Usage.of("device:status", "status").withArgument("ID", "device id");

    private List<String> values(Usage u, List<String> before, String current) {
        return candidates.of(u, before, current).stream().map(CompletionCandidates.Candidate::value).toList();
    }

    @Test
    public void namesDevicesKindsOptionsAndOptionValues() {
        assertEquals(List.of("echo", "ramp"), values(SET, List.of(), ""));
        assertEquals(List.of("echo", "ramp"), values(SET, List.of("-o", "queue"), ""));
        assertEquals(CompletionCandidates.SCHEDULE_KINDS, values(SET, List.of("ramp"), ""));
        assertEquals(List.of(), values(SET, List.of("ramp", "every"), ""));
        assertEquals(List.of("skip", "queue", "parallel"), values(SET, List.of("-o"), ""));
        assertTrue(values(SET, List.of(), "-").containsAll(List.of("--overlap", "-o", "--help")));
        assertEquals(List.of("sim-1"), values(STATUS, List.of(), "s"));
        assertEquals(List.of(), values(STATUS, List.of("sim-1"), ""));
    }

    @Test
    public void consoleLinesAreEscapedAndNameNoException() {
        String line = ConsoleLog.line(0, "INFO", "org.scriptbox.scripts", "[x] a\nb\u001b[2J", true);
        assertTrue(line, line.endsWith("INFO  scripts                  [x] a\\nb\\u001b[2J (details in the log file)"));
    }
}
