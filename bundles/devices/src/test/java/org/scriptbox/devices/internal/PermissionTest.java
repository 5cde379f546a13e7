package org.scriptbox.devices.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;

/** Each permission denied and granted, per script pattern and per device; e-stop needs none. */
public class PermissionTest {
    private final Fixture f = new Fixture();
    private FakeDevice device;

    @Before
    public void oneDevice() {
        device = FakeDevice.register(f.registry, "dev-1");
    }

    @Test
    public void eachFunctionNeedsItsPermission() {
        TestScope none = new TestScope("nobody");
        f.assertFails(ErrorKind.PERMISSION, "device_get_status: permission denied: device:read required",
                none, "device_get_status");
        f.assertFails(ErrorKind.PERMISSION, "permission denied: device:control", none, "device_set_motor_speed", 0.0, 1.0);
        f.assertFails(ErrorKind.PERMISSION, "permission denied: device:write", none, "device_set_digital_output", 0.0, true);
        f.assertFails(ErrorKind.PERMISSION, "permission denied: telemetry:read", none, "telemetry_read", "voltage");
        assertEquals(List.of("device:read", "device:control", "device:write", "telemetry:read"), none.denied);
        assertEquals("denied calls never reach the device", List.of(), device.commands);
    }

    @Test
    public void eachPermissionGrantsOnlyItsFunction() {
        TestScope control = new TestScope("motors", "device:control");
        assertEquals(Boolean.TRUE, f.call(control, "device_set_motor_speed", 0.0, 50.0));
        f.assertFails(ErrorKind.PERMISSION, "device:write", control, "device_set_digital_output", 0.0, true);

        TestScope write = new TestScope("outputs", "device:write");
        assertEquals(Boolean.TRUE, f.call(write, "device_set_digital_output", 0.0, true));
        f.assertFails(ErrorKind.PERMISSION, "device:control", write, "device_set_motor_speed", 0.0, 1.0);

        TestScope read = new TestScope("reader", "device:read");
        assertEquals("dev-1", ((java.util.Map<?, ?>) f.call(read, "device_get_status")).get("device_id"));
        f.assertFails(ErrorKind.PERMISSION, "telemetry:read", read, "telemetry_read", "voltage");

        TestScope telemetry = new TestScope("telemetry", "telemetry:read");
        f.call(telemetry, "telemetry_read", "voltage");
        f.assertFails(ErrorKind.PERMISSION, "device:read", telemetry, "device_get_status");
    }

    @Test
    public void emergencyStopNeedsNoPermission() {
        TestScope none = new TestScope("nobody");
        assertEquals(Boolean.TRUE, f.call(none, "device_emergency_stop"));
        assertEquals(List.of("estop"), device.commands);
        assertEquals(List.of(), none.denied);
    }

    @Test
    public void withoutRulesEveryKnownRequestedPermissionIsGranted() {
        assertEquals(Set.of("device:read", "device:control"),
                f.policy.grant("any", Set.of("device:read", "device:control", "device:fly")));
    }

    @Test
    public void rulesGrantPerScriptPattern() {
        f.policy.addRule(new PolicyRule("*", "device:read,telemetry:read", "*", 0, 0));
        f.policy.addRule(new PolicyRule("motor_*, conveyor", "device:control", "*", 0, 0));
        assertEquals(Set.of("device:read"), f.policy.grant("blink", Set.of("device:read", "device:control")));
        assertEquals(Set.of("device:read", "device:control"),
                f.policy.grant("motor_ramp", Set.of("device:read", "device:control")));
        assertEquals(Set.of("device:control"), f.policy.grant("conveyor", Set.of("device:control")));
    }

    @Test
    public void rulesRestrictPerDevice() {
        FakeDevice other = FakeDevice.register(f.registry, "press-1");
        f.policy.addRule(new PolicyRule("*", "*", "dev-*", 0, 0));
        TestScope all = TestScope.all("line");
        assertEquals(Boolean.TRUE, f.call(all, "device_set_motor_speed", 0.0, 10.0, "dev-1"));
        f.assertFails(ErrorKind.PERMISSION, "permission denied: device:control required on device 'press-1'", all,
                "device_set_motor_speed", 0.0, 10.0, "press-1");
        assertEquals(List.of(), other.commands);
        assertEquals(List.of("dev-1"), f.call(all, "device_list"));
        assertTrue(f.policy.isAllowed("line", all.permissions, "device:read", "dev-1"));
        assertFalse(f.policy.isAllowed("line", all.permissions, "device:read", "press-1"));
    }

    @Test
    public void aGrantedPermissionIsStillNeededEvenWhenARuleAllowsIt() {
        f.policy.addRule(new PolicyRule("*", "*", "*", 0, 0));
        assertFalse(f.policy.isAllowed("x", Set.of("device:read"), "device:control", "dev-1"));
    }

    @Test
    public void removingARuleTakesEffectAtTheNextCall() {
        PolicyRule rule = new PolicyRule("*", "device:control", "*", 0, 0);
        f.policy.addRule(new PolicyRule("*", "device:read", "*", 0, 0));
        f.policy.addRule(rule);
        TestScope scope = TestScope.all("s");
        f.call(scope, "device_set_motor_speed", 0.0, 1.0);
        f.policy.removeRule(rule);
        f.assertFails(ErrorKind.PERMISSION, "device:control", scope, "device_set_motor_speed", 0.0, 1.0);
    }

    @Test
    public void unknownPermissionsInARuleGrantNothing() {
        f.policy.addRule(new PolicyRule("*", "device:fly, device:read", "*", 0, 0));
        assertEquals(Set.of("device:read"), f.policy.grant("s", Set.of("device:read", "device:fly")));
    }
}
