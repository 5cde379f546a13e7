package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;

/**
 * The Modbus driver inside the container (its embedded j2mod wired as deployed), against a small Modbus TCP
 * server written here, independent of j2mod: configured from a .cfg, driven from Lua, and reconnecting
 * after the server is killed and restarted on the same port.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DriverModbusIT {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final Set<String> ALL = Set.of("device:read", "device:write", "device:control", "telemetry:read");

    @Inject
    private BundleContext context;

    @Inject
    private ScriptEngine engine;

    private TinyModbusServer server;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"), Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.kill();
        }
    }

    @Test
    public void scriptsDriveAModbusServerAndSurviveItsRestart() throws Exception {
        server = new TinyModbusServer(0);
        server.inputRegisters[0] = 215;
        Path etc = Paths.get(context.getProperty("felix.fileinstall.dir"));
        Files.writeString(etc.resolve("org.scriptbox.driver.modbus-it.cfg"), String.join("\n",
                "device.id = plc-it", "host = 127.0.0.1", "port = " + server.port(), "timeout.ms = 500",
                "motor.registers = 0,1", "digital.outputs = 4", "output.coil.start = 8",
                "telemetry = temperature:0:0.1, missing:150", ""));
        awaitDevice("plc-it");

        ExecutionResult r = lua(String.join("\n",
                "device_set_motor_speed(1, 12.5, 'plc-it')",
                "device_set_digital_output(2, true, 'plc-it')",
                "local t, failed = telemetry_read({'temperature', 'missing'}, 'plc-it')",
                "assert(failed.missing, 'register 150 does not exist')",
                "local s = device_get_status('plc-it')",
                "return t.temperature, s.connected, s.device_type"));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(21.5, ((Number) r.values().get(0)).doubleValue(), 1e-9);
        assertEquals(List.of(true, "modbus-tcp"), r.values().subList(1, 3));
        assertEquals(1250, server.holdingRegisters[1]);
        assertTrue(server.coils[10]);

        int port = server.port();
        server.kill();
        ExecutionResult down = lua("device_set_motor_speed(0, 50, 'plc-it')");
        assertEquals(ScriptStatus.FAILED, down.status());
        assertTrue(down.error().message(), down.error().message().contains("device unavailable: 'plc-it'"));

        server = new TinyModbusServer(port);
        Await.until("the driver reconnected", BOUND,
                () -> lua("device_set_motor_speed(0, 50, 'plc-it')").status() == ScriptStatus.COMPLETED);
        assertEquals(5000, server.holdingRegisters[0]);
        ExecutionResult stop = lua("return device_emergency_stop('plc-it')");
        assertEquals(String.valueOf(stop.error()), ScriptStatus.COMPLETED, stop.status());
        assertEquals(0, server.holdingRegisters[0]);
        assertTrue(!server.coils[10]);
    }

    private ExecutionResult lua(String source) {
        return engine.execute(engine.compile("plc.lua", source),
                new ExecutionRequest("plc", "plc-" + System.nanoTime(), null, null, ALL, null, null, null));
    }

    private void awaitDevice(String id) {
        ScriptDevices.await(engine, id, true, BOUND);
    }

    /**
     * Just enough Modbus TCP (functions 4, 5, 6, 15) over 100 registers and coils; {@link #kill()} closes the
     * port and every connection at once, as a crashed server would.
     */
    static final class TinyModbusServer {
        final int[] holdingRegisters = new int[100];
        final int[] inputRegisters = new int[100];
        final boolean[] coils = new boolean[100];
        private final ServerSocket listener;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();

        TinyModbusServer(int port) throws IOException {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread accept = new Thread(this::acceptLoop, "tiny-modbus");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void kill() {
            try {
                listener.close();
                for (Socket s : connections) {
                    s.close();
                }
            } catch (IOException e) {
                // closing anyway
            }
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    connections.add(s);
                    Thread t = new Thread(() -> serve(s), "tiny-modbus-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (DataInputStream in = new DataInputStream(s.getInputStream());
                 DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                while (true) {
                    int transaction = in.readUnsignedShort();
                    in.readUnsignedShort();   // protocol 0
                    int length = in.readUnsignedShort();
                    int unit = in.readUnsignedByte();
                    byte[] pdu = new byte[length - 1];
                    in.readFully(pdu);
                    byte[] answer = answer(pdu);
                    out.writeShort(transaction);
                    out.writeShort(0);
                    out.writeShort(answer.length + 1);
                    out.writeByte(unit);
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException e) {
                // client gone or server killed
            }
        }

        private synchronized byte[] answer(byte[] pdu) {
            int function = pdu[0] & 0xff;
            int address = ((pdu[1] & 0xff) << 8) | (pdu[2] & 0xff);
            int value = ((pdu[3] & 0xff) << 8) | (pdu[4] & 0xff);
            switch (function) {
                case 4: {   // read input registers: value = count
                    if (address + value > inputRegisters.length) {
                        return new byte[] {(byte) 0x84, 2};
                    }
                    byte[] r = new byte[2 + 2 * value];
                    r[0] = 4;
                    r[1] = (byte) (2 * value);
                    for (int i = 0; i < value; i++) {
                        r[2 + 2 * i] = (byte) (inputRegisters[address + i] >> 8);
                        r[3 + 2 * i] = (byte) inputRegisters[address + i];
                    }
                    return r;
                }
                case 5:     // write single coil: echo
                    coils[address] = value == 0xFF00;
                    return pdu.clone();
                case 6:     // write single register: echo
                    holdingRegisters[address] = (short) value;
                    return pdu.clone();
                case 15: {  // write multiple coils: value = quantity, then byte count and bits
                    for (int i = 0; i < value; i++) {
                        coils[address + i] = (pdu[6 + i / 8] >> (i % 8) & 1) == 1;
                    }
                    return new byte[] {15, pdu[1], pdu[2], pdu[3], pdu[4]};
                }
                default:
                    return new byte[] {(byte) (function | 0x80), 1};
            }
        }
    }
}
