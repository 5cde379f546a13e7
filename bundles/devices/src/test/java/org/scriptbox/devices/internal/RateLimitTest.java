package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;

/** The seed's bucket: 10 tokens/s, burst 50, reads cost 0.5; e-stop is never limited. */
public class RateLimitTest {
    private final Fixture f = new Fixture();
    private final TestScope scope = TestScope.all("busy");
    private FakeDevice device;

    @Before
    public void oneDevice() {
        device = FakeDevice.register(f.registry, "dev-1");
    }

    @Test
    public void burstOfFiftyCommandsThenRefused() {
        for (int i = 0; i < 50; i++) {
            f.call(scope, "device_set_motor_speed", 0.0, 1.0);
        }
        f.assertFails(ErrorKind.RATE_LIMIT, "device_set_motor_speed: rate limit exceeded (10 calls/s, burst 50)", scope,
                "device_set_motor_speed", 0.0, 1.0);
        assertEquals(50, device.commands.size());
    }

    @Test
    public void refillsAtTenPerSecond() {
        drain();
        f.advanceSeconds(0.35);   // 3.5 tokens
        for (int i = 0; i < 3; i++) {
            f.call(scope, "device_set_motor_speed", 0.0, 1.0);
        }
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded", scope, "device_set_motor_speed", 0.0, 1.0);
        f.call(scope, "device_get_status");   // the remaining half token pays for a read
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded", scope, "device_get_status");
        f.advanceSeconds(100);
        assertEquals("never more than the burst", 50.0, f.policy.bucket("busy").available(), 1e-9);
    }

    @Test
    public void readsCostHalfAToken() {
        for (int i = 0; i < 100; i++) {
            if (i % 2 == 0) {
                f.call(scope, "device_get_status");
            } else {
                f.call(scope, "telemetry_read", "voltage");
            }
        }
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded", scope, "telemetry_read", "voltage");
    }

    @Test
    public void bucketsArePerScript() {
        drain();
        TestScope other = TestScope.all("calm");
        assertEquals(Boolean.TRUE, f.call(other, "device_set_motor_speed", 0.0, 1.0));
    }

    @Test
    public void emergencyStopReachesEveryDeviceWithAnEmptyBucketAndNoPermission() {
        drain();
        FakeDevice second = FakeDevice.register(f.registry, "dev-2");
        TestScope none = new TestScope("busy");   // same script, same (empty) bucket
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded", TestScope.all("busy"), "device_get_status", "dev-2");
        device.commands.clear();
        assertEquals(Boolean.TRUE, f.call(none, "device_emergency_stop"));
        assertEquals(List.of("estop"), device.commands);
        assertEquals(List.of("estop"), second.commands);
    }

    @Test
    public void emergencyStopTriesEveryDeviceEvenWhenOneFails() {
        FakeDevice second = FakeDevice.register(f.registry, "dev-2");
        device.mode = FakeDevice.Mode.FAIL;
        f.assertFails(ErrorKind.DEVICE, "device_emergency_stop: emergency stop incomplete: dev-1: stop not sent: link lost", scope,
                "device_emergency_stop");
        assertEquals(List.of("estop"), second.commands);
    }

    @Test
    public void policyRuleSetsItsOwnRateAndBurst() {
        f.policy.addRule(new PolicyRule("slow*", "*", "*", 1, 2));
        f.policy.addRule(new PolicyRule("fast*", "*", "*", 100, 200));
        TestScope slow = TestScope.all("slowpoke");
        f.call(slow, "device_set_motor_speed", 0.0, 1.0);
        f.call(slow, "device_set_motor_speed", 0.0, 1.0);
        f.assertFails(ErrorKind.RATE_LIMIT, "rate limit exceeded (1 calls/s, burst 2)", slow, "device_set_motor_speed",
                0.0, 1.0);
        f.advanceSeconds(1);
        f.call(slow, "device_set_motor_speed", 0.0, 1.0);
        TestScope fast = TestScope.all("fastlane");
        for (int i = 0; i < 200; i++) {
            f.call(fast, "device_set_digital_output", 0.0, true);
        }
        f.assertFails(ErrorKind.RATE_LIMIT, "burst 200", fast, "device_set_digital_output", 0.0, true);
    }

    @Test
    public void invalidCallsCostNoToken() {
        for (int i = 0; i < 60; i++) {
            f.failure(scope, "device_set_motor_speed", 0.0, 500.0);
        }
        assertEquals(50.0, f.policy.bucket("busy").available(), 1e-9);
    }

    private void drain() {
        for (int i = 0; i < 50; i++) {
            f.call(scope, "device_set_motor_speed", 0.0, 1.0);
        }
    }
}
