package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
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
import org.scriptbox.api.device.Device;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.testsupport.modbus.PyModbusServer;

/**
 * The Modbus driver inside the container, configured from .cfg files, driven from Lua, against pymodbus
 * (an independent Modbus TCP server, in its own process): every check of what happened on the wire is made on
 * the server's own registers and coils. The server is killed (SIGKILL) and restarted on the same port.
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

    private PyModbusServer server;

    @Configuration
    public Option[] config() {
        return new Option[] {Distribution.container(Distribution.freshFolder("etc"), Distribution.freshFolder("deploy"),
                Distribution.freshFolder("data"))};
    }

    @Before
    public void startServer() throws Exception {
        server = new PyModbusServer();
    }

    @After
    public void stopServer() throws Exception {
        server.close();
    }

    private Path etc() {
        return Paths.get(context.getProperty("felix.fileinstall.dir"));
    }

    private void configure(String name, String... lines) throws Exception {
        Path tmp = etc().resolve(name + ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n");
        Files.move(tmp, etc().resolve("org.scriptbox.driver.modbus-" + name + ".cfg"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    public void scriptsDriveAModbusServerAndSurviveItsRestart() throws Exception {
        server.set("input", 0, 215);
        configure("it", "device.id = plc-it", "host = 127.0.0.1", "port = " + server.port(), "timeout.ms = 500",
                "motor.registers = 0,1", "digital.outputs = 4", "output.coil.start = 8",
                "telemetry = temperature:0:0.1, missing:1500", "probe.interval.ms = 200");
        ScriptDevices.await(engine, "plc-it", true, BOUND);

        ExecutionResult r = lua(String.join("\n",
                "device_set_motor_speed(1, 12.5, 'plc-it')",
                "device_set_digital_output(2, true, 'plc-it')",
                "local t, failed = telemetry_read({'temperature', 'missing'}, 'plc-it')",
                "assert(failed.missing, 'register 1500 does not exist')",
                "local s = device_get_status('plc-it')",
                "return t.temperature, s.connected, s.device_type, failed.missing"));
        assertEquals(String.valueOf(r.error()), ScriptStatus.COMPLETED, r.status());
        assertEquals(21.5, ((Number) r.values().get(0)).doubleValue(), 1e-9);
        assertEquals(List.of(true, "modbus-tcp"), r.values().subList(1, 3));
        assertTrue(String.valueOf(r.values().get(3)), String.valueOf(r.values().get(3)).contains(
                "read input registers (FC04) at address 1500: exception 2 (illegal data address)"));
        assertEquals(1250, server.holding(1));
        assertTrue(server.coil(10));

        server.kill();
        ExecutionResult down = lua("device_set_motor_speed(0, 50, 'plc-it')");
        assertEquals(ScriptStatus.FAILED, down.status());
        assertTrue(down.error().message(), down.error().message().contains("not sent"));
        Await.until("the status shows the device unreachable", BOUND,
                () -> lua("return device_get_status('plc-it').connected").values().get(0), Boolean.FALSE::equals);

        server.restart();
        Await.until("the driver reconnected", BOUND,
                () -> lua("device_set_motor_speed(0, 50, 'plc-it')").status() == ScriptStatus.COMPLETED);
        assertEquals(5000, server.holding(0));
        server.set("coils", 8, 1, 1, 1, 1);
        server.fault(6, 0, "exception", 4);   // motor 0 refuses its stop: every other target still stops
        lua("device_emergency_stop('plc-it')");
        server.clearFaults();
        assertEquals(5000, server.holding(0));
        assertEquals(0, server.holding(1));
        for (int coil = 8; coil < 12; coil++) {
            assertFalse("coil " + coil, server.coil(coil));
        }
    }

    @Test
    public void aBadConfigurationRegistersNoDeviceUntilItIsFixed() throws Exception {
        configure("bad", "device.id = plc-bad", "port = " + server.port(), "telemetry = t:70000");
        configure("good", "device.id = plc-good", "port = " + server.port(), "motor.registers = 3");
        ScriptDevices.await(engine, "plc-good", true, BOUND);
        assertTrue("no device service for the refused configuration",
                context.getServiceReferences(Device.class, "(device.id=plc-bad)").isEmpty());
        ExecutionResult r = lua("device_set_motor_speed(0, 10, 'plc-bad')");
        assertEquals(ScriptStatus.FAILED, r.status());

        configure("bad", "device.id = plc-bad", "port = " + server.port(), "telemetry = t:7000");
        ScriptDevices.await(engine, "plc-bad", true, BOUND);
    }

    private ExecutionResult lua(String source) {
        return engine.execute(engine.compile("plc.lua", source),
                new ExecutionRequest("plc", "plc-" + System.nanoTime(), null, null, ALL, null, null, null));
    }
}
