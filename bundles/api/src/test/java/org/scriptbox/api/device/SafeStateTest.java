package org.scriptbox.api.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class SafeStateTest {
    @Test
    public void blankIsStop() {
        SafeState s = SafeState.parse("  ");
        assertFalse(s.leaves(Actuator.motor(0)));
        assertEquals(0.0, s.motorSpeed(0), 0);
        assertFalse(s.output(3));
        assertEquals("stop", s.toString());
    }

    @Test
    public void overridesPerActuator() {
        SafeState s = SafeState.parse("stop, output2=on, motor1=leave, motor0=-5.5, output0=leave");
        assertTrue(s.output(2));
        assertFalse(s.leaves(Actuator.output(2)));
        assertTrue(s.leaves(Actuator.motor(1)));
        assertTrue(s.leaves(Actuator.output(0)));
        assertEquals(-5.5, s.motorSpeed(0), 0);
        assertFalse(s.leaves(Actuator.output(7)));
        assertEquals("stop, motor0=-5.5, motor1=leave, output0=leave, output2=on", s.toString());
    }

    @Test
    public void leaveBaseWithOverride() {
        SafeState s = SafeState.parse("leave,motor0=0");
        assertTrue(s.leaves(Actuator.motor(1)));
        assertFalse(s.leaves(Actuator.motor(0)));
    }

    @Test
    public void badEntriesAreRefusedNamingThePart() {
        for (String bad : List.of("halt", "stop,leave", "motor=1", "motorX=0", "motor1=fast", "motor1=101",
                "motor1=NaN", "output1=1", "pump0=on", "motor256=0", "motor0001=0")) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class, () -> SafeState.parse(bad));
            assertTrue(e.getMessage(), e.getMessage().startsWith("bad safe.state entry '"));
        }
    }

    @Test
    public void overridesMustNameActuatorsTheDeviceHas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeState.parse("output8=on").checkAgainst(2, 8));
        assertEquals("bad safe.state entry 'output8': the device has 8 outputs", e.getMessage());
        SafeState.parse("output7=on").checkAgainst(2, 8);
    }
}
