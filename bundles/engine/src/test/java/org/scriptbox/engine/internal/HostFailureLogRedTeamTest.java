package org.scriptbox.engine.internal;

import org.scriptbox.api.text.OncePerInterval;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ScriptFunction;

/**
 * Issue 11 class 9 red-team: a library function that throws a plain RuntimeException (a library bug the
 * script can trigger at will) was logged at WARN with a stack trace on every call, outside any log quota,
 * with the exception's message (which may echo the script's argument: CR/LF/ESC) raw in the trace.
 */
public class HostFailureLogRedTeamTest {

    @Test
    public void aLoopOverAFailingLibraryFunctionLogsOnce() {
        ScriptFunction buggy = (scope, args) -> {
            throw new IllegalStateException("bad value " + args[0]);
        };
        long before = HostFailureLogRedTeamTestHelper.logged();
        ExecutionResult r = new Scripts().withInstructions(10_000_000).withLibrary("buggy", Map.of("boom", buggy)).run(
                "local n = 0\n"
                        + "for i = 1, 5000 do\n"
                        + "  local ok, err = pcall(boom, '\\r\\n12:00:00.000 ERROR forged \\27]0;pwned\\7')\n"
                        + "  if not ok then n = n + 1 end\n"
                        + "end\n"
                        + "return n\n");
        assertEquals(r.toString(), ScriptStatus.COMPLETED, r.status());
        assertEquals(r.toString(), 5000.0, ((Number) r.values().get(0)).doubleValue(), 0);
        long logged = HostFailureLogRedTeamTestHelper.logged() - before;
        assertTrue(logged + " WARN lines for 5,000 failures", logged <= 1);
    }

    @Test
    public void oncePerIntervalForgetsBeyondItsKeyBound() {
        OncePerInterval once = new OncePerInterval(60_000_000_000L);
        assertTrue(once.shouldLog("a"));
        assertTrue(!once.shouldLog("a"));
        for (int i = 0; i < 20_000; i++) {
            once.shouldLog("k" + i);
        }
        // memory bounded: it was cleared at least once, so at most MAX_KEYS remain (checked indirectly: no OOM, and still works)
        assertTrue(once.shouldLog("fresh"));
    }
}

final class HostFailureLogRedTeamTestHelper {
    private HostFailureLogRedTeamTestHelper() {
    }

    static long logged() {
        return HostFunction.FAILURES_LOGGED.get();
    }
}
