package org.scriptbox.devices.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.engine.ScriptCallException;

/**
 * Session-4 red team of the device API's log lines (issues 11.8, 11.9, 12.8). The {@code @Ignore}'d tests are open
 * findings (/work/coord/FINDINGS.md F2, F3). The lines are read from slf4j-simple's output (System.err), the
 * way they would reach the container log.
 */
public class RedTeamSession4DevicesTest {
    private final Fixture f = new Fixture();

    @Before
    public void oneDevice() {
        FakeDevice.register(f.registry, "dev-1");
    }

    /** Everything the device API logged while {@code action} ran. */
    private static String logged(Runnable action) {
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

    private void denied(TestScope scope, String function, Object... args) {
        try {
            f.call(scope, function, args);
        } catch (ScriptCallException expected) {
            // a permission error, as the script sees it
        }
    }

    /**
     * F2: a denial WARN was logged once per (function, device id) per minute, and the id is the script's own text:
     * 3,000 calls with invented ids made 3,000 WARN lines in 0.17 s, and a 100 ms schedule of it rotated all five
     * 10 MB container logs away in ~15 s. Denied calls are not charged to the token bucket either.
     */
    @Test
    public void denialsOfInventedDeviceIdsAreBoundedInTheLog() {
        TestScope none = new TestScope("nobody");
        String log = logged(() -> {
            for (int i = 0; i < 3000; i++) {
                denied(none, "device_set_motor_speed", 0.0, 50.0, "ghost-" + i);
            }
        });
        long lines = log.lines().filter(l -> l.contains("denied")).count();
        assertTrue(lines + " denial lines for 3,000 denied calls", lines <= 20);
    }

    /** F3: LogText escaped ISO controls only; a RIGHT-TO-LEFT OVERRIDE in a device id reached the log raw. */
    @Test
    public void deviceIdsInLogLinesCarryNoBidiOrInvisibleCharacters() {
        TestScope none = new TestScope("nobody");
        String log = logged(() -> denied(none, "device_get_status", "abc\u202eRLO\u200b\u2066x"));
        assertTrue(log, log.contains("denied"));
        for (char c : new char[] {'\u202e', '\u200b', '\u2066'}) {
            assertFalse(String.format("U+%04X raw in: %s", (int) c, log), log.indexOf(c) >= 0);
        }
    }

    /** Held: ESC, CR and LF in a device id are escaped in the denial line (no forged lines, no terminal codes). */
    @Test
    public void deviceIdsInLogLinesCarryNoControls() {
        TestScope none = new TestScope("nobody");
        String log = logged(() -> denied(none, "device_get_status", "a\u001b[2J\r\n12:00:00 ERROR forged"));
        assertTrue(log, log.contains("denied"));
        assertFalse(log, log.contains("\u001b") || log.contains("\r") || log.trim().contains("\n12:00:00"));
    }
    /**
     * F11: a script that may not read any device e-stops all of them every 0.55 s: one INFO line per device per
     * stop ("emergency stop by script 'nobody': sim-N: stopped (10 targets)"), outside every log budget: 10 stops
     * of 50 simulators logged 510 lines. The stops themselves are by design; their log must be bounded.
     */
    @Test(timeout = 60_000)
    public void unseenStopReportsAreBoundedInTheLog() throws Exception {
        try (LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED)) {
            for (int i = 0; i < 50; i++) {
                lua.simulator("sim-" + i, java.util.Map.of());
            }
            String log = logged(() -> {
                lua.run("nobody", "for i = 1, 10 do device_emergency_stop() sleep(0.55) end return 'ok'");
                try {
                    Thread.sleep(500);   // the reports the script is not told about come on the drivers' threads
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long lines = log.lines().filter(l -> l.contains("emergency stop")).count();
            assertTrue(lines + " e-stop lines for 10 stops of 50 devices", lines <= 20);
        }
    }

    /**
     * F2 (rest): each badly ended run that touched an actuator logged its safe-state line outside every log budget:
     * 20 failing scripts on fast schedules wrote 5,877 lines in 30 s. Now one line per script and outcome per
     * interval, and the next says how many were held back.
     */
    @Test(timeout = 60_000)
    public void safeStateLinesOfAScriptFailingInALoopAreBounded() throws Exception {
        try (LuaHarness lua = new LuaHarness(DevicePolicy.Limits.SEED)) {
            lua.simulator("sim-1", java.util.Map.of());
            String log = logged(() -> {
                for (int i = 0; i < 200; i++) {
                    lua.run("failing", "device_set_motor_speed(0, 40) error('boom')", LuaHarness.ALL);
                }
            });
            long lines = log.lines().filter(l -> l.contains("safe state")).count();
            assertTrue(lines + " safe-state lines for 200 failed runs of one script", lines >= 1 && lines <= 2);
        }
    }
}
