package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** Every bad value is refused before a device exists, in one line naming the key and the value. */
public class ModbusSettingsTest {
    private static Map<String, Object> good() {
        Map<String, Object> p = new HashMap<>(Map.of("device.id", "plc-1", "port", "5020", "motor.registers", "0, 1",
                "digital.outputs", "4", "output.coil.start", "8", "telemetry", "temperature:0:0.1, flow:1"));
        p.put("service.pid", "org.scriptbox.driver.modbus.abc");
        p.put("felix.fileinstall.filename", "file:/etc/org.scriptbox.driver.modbus-plc.cfg");
        return p;
    }

    private static String refusal(String key, Object value) {
        Map<String, Object> p = good();
        p.put(key, value);
        try {
            ModbusSettings.parse(p);
        } catch (ModbusSettings.Invalid e) {
            assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
            return e.getMessage();
        }
        fail(key + " = " + value + " was accepted");
        return null;
    }

    @Test
    public void aGoodConfigurationParses() throws Exception {
        ModbusSettings s = ModbusSettings.parse(good());
        assertEquals(List.of(0, 1), s.motorRegisters());
        assertEquals(List.of("temperature", "flow"), List.copyOf(s.channels().keySet()));
        assertEquals(ModbusRequest.readInputRegisters(0, 1), s.probe());
        assertEquals("stop", s.safeState().toString());
    }

    @Test
    public void badValuesAreRefusedNamingKeyAndValue() {
        assertEquals("motor.registers = '0, 70000': address 70000 is outside 0..65535",
                refusal("motor.registers", "0, 70000"));
        assertEquals("speed.scale = '-100': must be above 0 and at most 327 (100 % times the scale must fit a "
                + "signed 16-bit register)", refusal("speed.scale", "-100"));
        assertEquals("digital.outputs = '10': output.coil.start 65530 + 10 outputs run past coil 65535",
                refusal2("output.coil.start", "65530", "digital.outputs", "10"));
        assertEquals("telemetry = 'temperature:0:abc': the scale must be a finite number above 0",
                refusal("telemetry", "temperature:0:abc"));
        assertEquals("telemetry = 'temperature': expected name:input-register[:scale], the name a letter or '_' "
                + "and then letters, digits, '_' or '.'", refusal("telemetry", "temperature"));
        assertEquals("telemetry = 't:99999': address 99999 is outside 0..65535", refusal("telemetry", "t:99999"));
        assertEquals("telemetry = 't:1': channel 't' is defined twice", refusal("telemetry", "t:0, t:1"));
        assertEquals("port = 'abc': not a whole number", refusal("port", "abc"));
        assertEquals("port = '0': must be 1..65535", refusal("port", "0"));
        assertEquals("motor.registers = '3,3': register 3 is listed twice", refusal("motor.registers", "3,3"));
        assertTrue(refusal("safe.state", "stop, motor7=0").startsWith("safe.state = 'stop, motor7=0': bad safe.state"));
        assertTrue(refusal("motor.register", "0").startsWith("motor.register = '0': unknown key"));
        assertEquals("probe = 'discrete:1': expected input:N, holding:N or coil:N", refusal("probe", "discrete:1"));
        assertEquals("timeout.ms = '0': must be 1..60000", refusal("timeout.ms", "0"));
        String many = String.join(",", java.util.stream.IntStream.range(0, 257).mapToObj(String::valueOf).toList());
        assertTrue(refusal("motor.registers", many).endsWith("': at most 256 motors"));
    }

    @Test
    public void shownValuesAreOneShortLineOfPlainText() {
        String m = refusal("host", "");
        assertEquals("host = '': must not be empty", m);
        String forged = refusal("port", "1\n12:00:00 INFO forged \u001b[2J" + "x".repeat(200));
        assertFalse(forged, forged.contains("\n") || forged.contains("\u001b"));
        assertTrue(forged, forged.length() < 160);
    }

    @Test
    public void everyErrorIsListed() {
        Map<String, Object> p = good();
        p.put("port", "99999");
        p.put("unit.id", "-1");
        try {
            ModbusSettings.parse(p);
            fail("accepted");
        } catch (ModbusSettings.Invalid e) {
            assertEquals("port = '99999': must be 1..65535; unit.id = '-1': must be 0..255", e.getMessage());
        }
    }

    @Test
    public void theSourceIsTheFileName() {
        assertEquals("org.scriptbox.driver.modbus-plc.cfg", ModbusDeviceComponent.source(good()));
        assertEquals("org.scriptbox.driver.modbus.x", ModbusDeviceComponent.source(Map.of("service.pid",
                "org.scriptbox.driver.modbus.x")));
    }

    private static String refusal2(String k1, String v1, String k2, String v2) {
        Map<String, Object> p = good();
        p.put(k1, v1);
        p.put(k2, v2);
        try {
            ModbusSettings.parse(p);
        } catch (ModbusSettings.Invalid e) {
            return e.getMessage();
        }
        fail("accepted");
        return null;
    }

    /** Red team R7: a writable channel on a motor register or an output coil, or on another writable channel. */
    @Test
    public void aWritableChannelOnAMotorRegisterOrAnOutputCoilIsRefused() {
        for (String channel : new String[] {"holding 0 int16 access=rw", "holding 1 int32 access=rw write=multiple",
                                            "coil 2 bool access=rw", "holding 1 uint16 unit=1 access=rw"}) {
            Map<String, Object> p = new HashMap<>(Map.of("device.id", "plc-1", "motor.registers", "0,1",
                    "output.coil.start", "0", "digital.outputs", "4", "channel.x", channel));
            try {
                ModbusSettings.parse(p);
                fail(channel + " was accepted over an actuator");
            } catch (ModbusSettings.Invalid e) {
                assertTrue(e.getMessage(), e.getMessage().contains("channel.x"));
                assertTrue(e.getMessage(), e.getMessage().contains("motor.registers")
                        || e.getMessage().contains("digital.outputs"));
            }
        }
        Map<String, Object> two = new HashMap<>(Map.of("device.id", "plc-1", "channel.a", "holding 10 int32 access=rw",
                "channel.b", "holding 11 uint16 access=rw"));
        try {
            ModbusSettings.parse(two);
            fail("two writable channels on register 11 were accepted");
        } catch (ModbusSettings.Invalid e) {
            assertTrue(e.getMessage(), e.getMessage().contains("channel.a") && e.getMessage().contains("channel.b"));
        }
        // read-only channels may overlap; another unit's register 0 is not motor 0; a read-back of a motor is fine
        Map<String, Object> fine = new HashMap<>(Map.of("device.id", "plc-1", "motor.registers", "0,1",
                "digital.outputs", "4", "channel.speed_back", "holding 0 int16", "channel.other",
                "holding 0 int16 unit=2 access=rw", "channel.lamp_back", "coil 2 bool", "channel.c",
                "holding 10 int32 access=rw", "channel.c_low", "holding 11 uint16"));
        try {
            ModbusSettings.parse(fine);
        } catch (ModbusSettings.Invalid e) {
            fail(e.getMessage());
        }
    }
}
