package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.scriptbox.testsupport.modbus.PyModbusServer;
import org.scriptbox.testsupport.modbus.SerialPair;

/**
 * RTU framing against pymodbus: over TCP (a gateway in transparent mode), and on a serial line made of a
 * socat pseudo-terminal pair with pymodbus' serial server on the other end.
 */
public class ModbusRtuTest {
    private static Map<String, String> config(Map<String, String> wire) {
        Map<String, String> p = new HashMap<>(Map.of("device.id", "rtu", "timeout.ms", "1500", "probe.interval.ms",
                "0", "motor.registers", "38,39", "digital.outputs", "2", "output.coil.start", "40"));
        p.putAll(ModbusChannelsTest.channels());
        p.putAll(wire);
        return p;
    }

    private static void exercise(PyModbusServer server, ModbusDevice d) throws Exception {
        server.set("holding", 0, new int[40]);
        ModbusChannelsTest.readsEveryType(server, d);
        ModbusChannelsTest.writesEveryType(server, d);
        // motors and outputs, and the stop, on the same line
        d.setMotorSpeed(1, 50, ModbusChannelsTest.ctx()).getValue();
        d.setDigitalOutput(1, true, ModbusChannelsTest.ctx()).getValue();
        assertEquals(5000, server.holding(39));
        assertTrue(server.coil(41));
        StopReport report = d.emergencyStop().getValue();
        assertTrue(report.toString(), report.complete());
        assertEquals(0, server.holding(39));
        assertFalse(server.coil(41));
        // a refusal is an answer, and a batch refused is read channel by channel
        server.fault(3, 0, "exception", 2);
        Map<String, ChannelValue> v = ModbusChannelsTest.read(d, "i16", "u16");
        assertTrue(v.get("i16").message(), v.get("i16").message().contains("exception 2"));
        assertTrue(v.get("u16").ok());
        server.clearFaults();
        // a write that gets no answer is sent once and is of unknown outcome; the line recovers after it
        server.fault(6, 1, "silent", 0);
        server.clearLog();
        Throwable t = d.writeChannel("u16", 9, ModbusChannelsTest.ctx()).getFailure();
        assertEquals(WriteOutcome.UNKNOWN, ((DeviceException) t).outcome());
        assertEquals(1, server.requests(6, 1).size());
        server.clearFaults();
        assertTrue(ModbusChannelsTest.read(d, "u16").get("u16").ok());
    }

    @Test
    public void rtuOverTcp() throws Exception {
        try (PyModbusServer server = PyModbusServer.rtuOverTcp()) {
            server.clearLog();
            ModbusDevice d = new ModbusDevice(ModbusSettings.parse(config(Map.of("transport", "rtu-over-tcp",
                    "port", String.valueOf(server.port())))));
            try {
                assertEquals("modbus-rtu-over-tcp", d.info().type());
                exercise(server, d);
                server.clearLog();
                ModbusChannelsTest.read(d, "i16", "u16", "i32", "u32", "f32");
                assertEquals("five contiguous channels, one RTU request", 1, server.log().size());
            } finally {
                d.close();
            }
        }
    }

    @Test
    public void serialRtuOnAPseudoTerminalPair() throws Exception {
        try (SerialPair pair = new SerialPair(); PyModbusServer server = PyModbusServer.serial(pair.serverEnd(), 19200)) {
            ModbusDevice d = new ModbusDevice(ModbusSettings.parse(config(Map.of("transport", "rtu",
                    "serial.port", pair.clientEnd(), "serial.baud", "19200", "serial.parity", "none"))));
            try {
                assertEquals("modbus-rtu", d.info().type());
                exercise(server, d);
            } finally {
                d.close();
            }
        }
    }

    @Test
    public void aLateAnswerOnTheLineIsNotTakenForTheNextRead() throws Exception {
        try (SerialPair pair = new SerialPair(); PyModbusServer server = PyModbusServer.serial(pair.serverEnd(), 19200)) {
            ModbusDevice d = new ModbusDevice(ModbusSettings.parse(config(Map.of("transport", "rtu",
                    "serial.port", pair.clientEnd(), "serial.baud", "19200", "serial.parity", "none",
                    "timeout.ms", "1000"))));
            try {
                server.set("holding", 0, 1111, 2222);
                // i16's answer comes 250 ms after its timeout: past the serial read's 0.1 s granularity and a loaded
                // machine's lateness (train B saw 450 ms against 400 accepted), within the 500 ms quiet time
                server.fault(3, 0, "delay", 1250);
                assertFalse(ModbusChannelsTest.read(d, "i16").get("i16").ok());
                server.clearFaults();
                // u16's request has the same function and answer length: a late i16 answer would pass for it
                assertEquals(2222, ModbusChannelsTest.value(d, "u16"), 0);
                assertEquals(1111, ModbusChannelsTest.value(d, "i16"), 0);
            } finally {
                d.close();
            }
        }
    }

    @Test
    public void twoDevicesOnOneBusTakeTurns() throws Exception {
        try (SerialPair pair = new SerialPair(); PyModbusServer server = PyModbusServer.serial(pair.serverEnd(), 19200)) {
            List<ModbusDevice> devices = new java.util.ArrayList<>();
            for (String unit : List.of("1", "2")) {
                devices.add(new ModbusDevice(ModbusSettings.parse(Map.of("device.id", "u" + unit, "transport", "rtu",
                        "serial.port", pair.clientEnd(), "serial.baud", "19200", "serial.parity", "none",
                        "unit.id", unit, "probe.interval.ms", "0", "timeout.ms", "1000",
                        "channel.v", "holding 7 uint16", "motor.registers", "6"))));
            }
            try {
                server.set(1, "holding", 7, 101);
                server.set(2, "holding", 7, 202);
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
                List<java.util.concurrent.Future<String>> runs = new java.util.ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    ModbusDevice d = devices.get(k);
                    double expected = k == 0 ? 101 : 202;
                    runs.add(pool.submit(() -> {
                        for (int i = 0; i < 25; i++) {
                            ChannelValue v = ModbusChannelsTest.read(d, "v").get("v");
                            if (!v.ok() || v.value() != expected) {
                                return d.id() + " read " + v;
                            }
                            d.setMotorSpeed(0, i, ModbusChannelsTest.ctx()).getValue();
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<String> f : runs) {
                    assertEquals(null, f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
                pool.shutdown();
                assertEquals(2400, server.registers(1, "holding", 6, 1)[0]);
                assertEquals(2400, server.registers(2, "holding", 6, 1)[0]);
            } finally {
                devices.forEach(ModbusDevice::close);
            }
        }
    }

    @Test
    public void crcIsModbusCrc16() {
        // read 10 holding registers from 0 of unit 1, a frame whose CRC every Modbus tool prints
        byte[] frame = RtuConnection.frame(1, new byte[] {3, 0, 0, 0, 10});
        assertEquals(0xC5, frame[6] & 0xff);   // 01 03 00 00 00 0A C5 CD
        assertEquals(0xCD, frame[7] & 0xff);
    }
}
