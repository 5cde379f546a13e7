package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.trace.RunTrace;
import org.scriptbox.api.trace.TraceEvent;
import org.scriptbox.api.trace.TraceEvent.Type;
import org.scriptbox.api.trace.TraceService;

public class ScriptTraceCommandsTest {
    private static final RunTrace RUN = new RunTrace("ramp", 2, "exec-2", "1.0.0", "OPERATOR", Instant.parse("2026-12-01T16:00:00Z"),
            Duration.ofMillis(3), ScriptStatus.FAILED, "(\"fast\")", "",
            ScriptError.at(ErrorKind.LIMIT, "instruction limit of 1000 exceeded", "ramp.lua", 5, 0), 1000,
            Duration.ofMillis(2), 4096, 1,
            List.of(new TraceEvent(0, Type.START, "", "(\"fast\")", "", 0, false),
                    new TraceEvent(120, Type.CALL, "device_get_status", "(\"sim-1\")", "{connected = true}", 35, false),
                    new TraceEvent(300, Type.DENIED, "device_set_motor_speed", "(0, 10)", "PERMISSION: permission denied", 2, true),
                    new TraceEvent(400, Type.LOG, "INFO", "motor \\u001b[2J", "", 0, false),
                    new TraceEvent(3000, Type.END, "FAILED", "", "ramp.lua:5: instruction limit of 1000 exceeded", 0, true)), 7);

    private final ScriptTraceCommands commands = new ScriptTraceCommands(new TraceService() {
        @Override
        public List<RunTrace> runs(String scriptName) {
            return scriptName.equals("ramp") ? List.of(RUN) : List.of();
        }

        @Override
        public Optional<RunTrace> run(String scriptName, String id) {
            return scriptName.equals("ramp") && (id.equals("2") || id.equals("exec-2")) ? Optional.of(RUN) : Optional.empty();
        }
    });

    @Test
    public void aRunsTimelineShowsOffsetsCallsResultsAndDurations() {
        String t = commands.trace("ramp", "2");
        assertTrue(t, t.startsWith("run 2 of ramp (version 1.0.0, operator, execution exec-2)\n"));
        assertTrue(t, t.contains("FAILED after 3.0 ms, 1000 instructions"));
        assertTrue(t, t.contains("+0.120 ms  call"));
        assertTrue(t, t.contains("device_get_status(\"sim-1\") -> {connected = true}"));
        assertTrue(t, t.contains("0.035 ms"));
        assertTrue(t, t.contains("DENIED"));
        assertTrue(t, t.contains("log INFO"));
        assertTrue(t, t.contains("end FAILED"));
        assertTrue(t, t.contains("ramp.lua:5: instruction limit of 1000 exceeded"));
        assertTrue(t, t.contains("7 more events not recorded"));
        assertFalse(t, t.contains("\u001b"));
        assertEquals(t, commands.trace("ramp", "exec-2"));
    }

    @Test
    public void theListAndTheMisses() {
        String list = commands.trace("ramp");
        assertTrue(list, list.contains("RUN") && list.contains("FAILED") && list.contains("5+7"));
        assertTrue(commands.trace("nope").contains("no traced runs of a script named 'nope'"));
        assertTrue(commands.trace("ramp", "9").contains("no kept run 9 of a script named 'ramp'"));
        assertTrue(commands.trace("ramp\u001b[2J", "1").contains("\\u001b"));
    }
}
