package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ScriptCallException;

/**
 * Red team of the device paths as a script without permissions would probe them: through the e-stop's
 * answer and its timing, through error texts, and through the log its denials cause.
 */
public class DeviceProbingTest {
    private final Fixture f = new Fixture();

    @Test
    public void withoutReadAStopOfAnExistingIdAnswersAsAnInventedOneAtOnce() {
        f.api = new DeviceApi(f.registry, f.policy, new DeviceApi.Settings("", 5000));
        FakeDevice silent = FakeDevice.register(f.registry, "secret-plc");
        silent.mode = FakeDevice.Mode.NEVER;   // a device that never reports: waiting for it would take 5 s
        TestScope none = new TestScope("prober");

        long start = System.nanoTime();
        Object existing = f.call(none, "device_emergency_stop", "secret-plc");
        long existingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Object invented = f.call(none, "device_emergency_stop", "no-such-plc");

        assertEquals(Boolean.TRUE, existing);
        assertEquals(invented, existing);
        assertTrue("no wait for a device the script may not read: " + existingMillis + " ms", existingMillis < 2000);
        assertEquals("the stop was still sent", List.of("estop"), silent.commands);
    }

    @Test
    public void withoutReadAFailedStopIsNotReportedNorCounted() {
        FakeDevice failing = FakeDevice.register(f.registry, "secret-plc");
        failing.mode = FakeDevice.Mode.FAIL;
        TestScope none = new TestScope("prober");

        // Before: "emergency stop incomplete: 1 other device(s) not fully stopped", which an invented id never gave.
        assertEquals(Boolean.TRUE, f.call(none, "device_emergency_stop", "secret-plc"));
        assertEquals(Boolean.TRUE, f.call(none, "device_emergency_stop"));

        TestScope reader = new TestScope("reader", "device:read");
        f.assertFails(ErrorKind.DEVICE, "emergency stop incomplete: secret-plc: stop not sent: link lost", reader,
                "device_emergency_stop", "secret-plc");
    }

    @Test
    public void deniedCallsWithInventedIdsLogOneLineNotOnePerId() {
        FakeDevice.register(f.registry, "plc");
        TestScope none = new TestScope("denyflood");
        for (int i = 0; i < 3000; i++) {
            f.advanceSeconds(1);   // the bucket refills: every call reaches the denial
            f.failure(none, "device_set_motor_speed", 0.0, 50.0, "invented-" + i + "x".repeat(500));
        }
        f.advanceSeconds(1);
        f.failure(none, "device_set_motor_speed", 0.0, 50.0, "plc");
        assertEquals("one line for all invented ids, one for the real device", 2, f.api.denialLinesLogged());
    }

    @Test
    public void deniedCallsAreChargedToTheBucket() {
        FakeDevice.register(f.registry, "plc");
        TestScope none = new TestScope("denyloop");
        int denied = 0;
        ScriptCallException last = null;
        for (int i = 0; i < 1000; i++) {
            last = f.failure(none, "device_set_motor_speed", 0.0, 50.0, "plc");
            if (last.kind() != ErrorKind.PERMISSION) {
                break;
            }
            denied++;
        }
        assertEquals(String.valueOf(last.getMessage()), ErrorKind.RATE_LIMIT, last.kind());
        assertTrue(denied + " denied calls before the rate limit", denied > 0 && denied < 1000);
    }

    @Test
    public void logTextEscapesBidiAndZeroWidthAsSafeTextDoes() {
        assertEquals("abc\\u202eRLO\\u200b", LogText.clean("abc\u202eRLO\u200b"));
        String longText = "y".repeat(LogText.MAX - 1) + "\ud83d\ude00" + "z";
        assertEquals("clipped, never inside a surrogate pair", "y".repeat(LogText.MAX - 1) + "...", LogText.clean(longText));
    }
}
