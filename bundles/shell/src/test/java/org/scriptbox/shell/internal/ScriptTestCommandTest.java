package org.scriptbox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;
import org.scriptbox.api.testing.TestCaseResult;
import org.scriptbox.api.testing.TestReport;

public class ScriptTestCommandTest {
    @Test
    public void oneLinePerCaseTheFailureWithItsLineAndASummary() {
        String out = ScriptTestCommand.text(new TestReport("ramp", "ramp_test.lua", List.of(
                new TestCaseResult("reaches 100", true, null, 2.0, 1200, List.of("hidden when it passes")),
                new TestCaseResult("stops\u001b[2J", false, "ramp_test.lua:9: expected 100, got 80", 0.5, 300,
                        List.of("WARN current high"))), null));
        assertEquals("ramp_test.lua\n"
                + "  PASS reaches 100 (2 s virtual, 1200 instructions)\n"
                + "  FAIL stops\\u001b[2J (0.5 s virtual, 300 instructions)\n"
                + "       ramp_test.lua:9: expected 100, got 80\n"
                + "       | WARN current high\n"
                + "FAILED: 1 passed, 1 failed", out);
    }

    @Test
    public void aProblemBeforeAnyCaseIsOneSentence() {
        assertEquals("no tests for 'x': x_test.lua not found beside x.lua",
                ScriptTestCommand.text(TestReport.problem("x", null, "no tests for 'x': x_test.lua not found beside x.lua")));
        String cancelled = ScriptTestCommand.text(new TestReport("x", "x_test.lua",
                List.of(new TestCaseResult("a", true, null, 0, 10, List.of())), "cancelled after 1 case(s)"));
        assertTrue(cancelled, cancelled.endsWith("stopped: cancelled after 1 case(s)\nFAILED: 1 passed, 0 failed (not all cases ran)"));
    }
}
