package org.scriptbox.driversim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** A simulated device's configuration: valid values start it; any bad one refuses it, one line per value. */
public class SimulatedDeviceConfigTest {
    private final List<String> refusals = new ArrayList<>();

    private static Map<String, Object> config(Object... pairs) {
        Map<String, Object> m = new HashMap<>();
        m.put("device.id", "sim-x");
        m.put("felix.fileinstall.filename", "file:/opt/etc/org.scriptbox.driver.sim-x.cfg");
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    public void validStringsFromACfgFileStartTheDevice() {
        SimulatedDevice.Settings s = SimulatedDeviceComponent.read(config("motors", "3", "digital.outputs", "4",
                "ramp.rate", "12.5", "fault.silent", "true", "fault.connect", "fail", "safe.state", "stop, motor1=leave"), refusals);
        assertNotNull(refusals.toString(), s);
        assertEquals(3, s.motors());
        assertEquals(12.5, s.rampRate(), 0);
        assertTrue(s.faults().silent() && s.faults().unreachable());
    }

    @Test
    public void everyBadValueIsRefusedWithOneLineAndNoDeviceStarts() {
        SimulatedDevice.Settings s = SimulatedDeviceComponent.read(config("motors", "abc", "digital.outputs", "-1",
                "ramp.rate", "NaN", "response.timeout.ms", "0", "fault.silent", "maybe", "fault.connect", "SOMETIMES",
                "fault.refuse", "motor0,wheel9", "safe.state", "motor7=leave"), refusals);
        assertNull(s);
        assertEquals(refusals.toString(), 8, refusals.size());
        assertTrue(refusals.get(0), refusals.contains("configuration org.scriptbox.driver.sim-x.cfg: motors = 'abc' "
                + "refused, it is not a whole number; not started"));
        for (String line : refusals) {
            assertTrue(line, line.startsWith("configuration org.scriptbox.driver.sim-x.cfg: ") && line.endsWith("; not started")
                    && !line.contains("Exception"));
        }
    }

    @Test
    public void aMissingIdIsRefused() {
        Map<String, Object> c = config();
        c.remove("device.id");
        assertNull(SimulatedDeviceComponent.read(c, refusals));
        assertEquals(1, refusals.size());
        assertTrue(refusals.get(0), refusals.get(0).contains("device.id = 'null' refused, it is required"));
    }
}
