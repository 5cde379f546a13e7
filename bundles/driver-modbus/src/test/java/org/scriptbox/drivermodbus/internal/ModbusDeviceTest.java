package org.scriptbox.drivermodbus.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import com.ghgande.j2mod.modbus.procimg.SimpleDigitalOut;
import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.DeviceException;

/** Against a second independent Modbus TCP server (j2mod's slave) on 127.0.0.1, whose port the test kills and reopens. */
public class ModbusDeviceTest {
    private static final int UNIT = 1;
    private int port;
    private SimpleProcessImage image;
    private ModbusSlave server;
    private KillableServer front;
    private static final CallContext CTX = CallContext.within(java.util.concurrent.TimeUnit.MINUTES.toNanos(5));
    private ModbusDevice device;

    @Before
    public void setUp() throws Exception {
        port = freePort();
        int backendPort = freePort();
        image = new SimpleProcessImage(UNIT);
        for (int i = 0; i < 2; i++) {
            image.addRegister(new SimpleRegister(0));
        }
        for (int i = 0; i < 8; i++) {
            image.addDigitalOut(new SimpleDigitalOut(false));
        }
        image.addInputRegister(new SimpleInputRegister(215));   // temperature, tenths
        image.addInputRegister(new SimpleInputRegister(-30));   // flow, signed
        this.backendPort = backendPort;
        startServer(true);
        device = new ModbusDevice(ModbusSettings.parse(Map.of("device.id", "mb-1", "port", String.valueOf(port),
                "timeout.ms", "500", "motor.registers", "0,1", "digital.outputs", "8",
                "telemetry", "temperature:0:0.1, flow:1, missing:9")));
    }

    private int backendPort;

    /** The j2mod slave and, in front of it, the port the driver talks to. */
    private void startServer(boolean first) throws Exception {
        server = ModbusSlaveFactory.createTCPSlave(InetAddress.getLoopbackAddress(), backendPort, 4, false);
        server.addProcessImage(UNIT, image);
        server.open();
        if (first) {
            front = new KillableServer(port, backendPort);
        }
        front.start();
    }

    private void killServer() {
        front.kill();
        ModbusSlaveFactory.close(server);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @After
    public void stop() {
        device.close();
        killServer();
    }

    @Test
    public void commandsLandInRegistersAndCoils() throws Exception {
        device.setMotorSpeed(1, -42.5, CTX).getValue();
        assertEquals(-4250, image.getRegister(1).toShort());
        device.setDigitalOutput(3, true, CTX).getValue();
        assertTrue(image.getDigitalOut(3).isSet());
        device.setMotorSpeed(0, 100, CTX).getValue();
        device.emergencyStop().getValue();
        assertEquals(0, image.getRegister(0).getValue());
        assertEquals(0, image.getRegister(1).getValue());
        assertFalse(image.getDigitalOut(3).isSet());
    }

    @Test
    public void telemetryFromInputRegistersWithPerChannelFailures() throws Exception {
        assertEquals(List.of("temperature", "flow", "missing"), device.info().telemetryChannels());
        Map<String, ChannelValue> read = device.readTelemetry(List.of("temperature", "flow", "missing"), CTX).getValue();
        assertEquals(21.5, read.get("temperature").value(), 1e-9);
        assertEquals(-30.0, read.get("flow").value(), 1e-9);
        assertFalse("register 9 does not exist", read.get("missing").ok());
        assertTrue(device.status().getValue().connected());
    }

    @Test
    public void reconnectsAfterTheServerWentAwayAndCameBack() throws Exception {
        device.setMotorSpeed(0, 10, CTX).getValue();
        killServer();
        Throwable failure = awaitFailure(() -> device.setMotorSpeed(0, 20, CTX));
        assertTrue(failure.toString(), failure instanceof DeviceException);
        assertFalse(device.status().getValue().connected());

        startServer(false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                device.setMotorSpeed(0, 30, CTX).getValue();
                break;
            } catch (InvocationTargetException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no reconnect within 10 s", e.getCause());
                }
                Thread.sleep(50);   // polling a real server; the bound is the deadline above
            }
        }
        assertEquals(3000, image.getRegister(0).toShort());
        assertTrue(device.status().getValue().connected());
    }

    @Test
    public void stoppedDriverFailsCalls() throws Exception {
        device.close();
        try {
            device.setMotorSpeed(0, 1, CTX).getValue();
            throw new AssertionError("expected failure");
        } catch (InvocationTargetException e) {
            assertEquals("driver stopped", e.getCause().getMessage());
        }
    }

    /** A call made right after the server died may still succeed on buffered sockets; the next ones fail. */
    private static Throwable awaitFailure(java.util.function.Supplier<Promise<Void>> call) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                call.get().getValue();
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        }
        throw new AssertionError("calls kept succeeding after the server was killed");
    }
}
