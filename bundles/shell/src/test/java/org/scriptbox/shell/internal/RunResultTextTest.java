package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.Test;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;

/** What script:run prints for a run: a failed on_stop hook is said too (devices' request, s4's open point). */
public class RunResultTextTest {
    @Test
    public void aFailedOnStopHookIsShownWithItsPosition() throws Exception {
        ExecutionResult r = new ExecutionResult("ramp", "1", ScriptStatus.CANCELLED, List.of(),
                ScriptError.at(ErrorKind.CANCELLED, "cancelled: cancelled by request", "ramp.lua", 4, 0),
                Instant.now(), Duration.ofMillis(12), 40, 0, Duration.ZERO, 0,
                ScriptError.at(ErrorKind.RUNTIME, "attempt to call a nil value (global 'stopp')\u001b[2J", "ramp.lua", 9, 0));
        assertEquals("CANCELLED in 12 ms, 40 instructions\n"
                + "error: ramp.lua:4: cancelled: cancelled by request\n"
                + "on_stop failed: RUNTIME ramp.lua:9: attempt to call a nil value (global 'stopp')\\u001b[2J",
                ScriptCommands.resultText(Promises.resolved(r)));
    }
}
