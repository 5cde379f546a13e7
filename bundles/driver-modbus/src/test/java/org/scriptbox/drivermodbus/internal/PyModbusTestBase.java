package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.scriptbox.testsupport.modbus.PyModbusServer;

/**
 * What the driver's tests against pymodbus share: one server per test class, and the devices a test opened
 * ({@link #devices}) closed after it. Each test class sets the server's registers for itself before each test.
 */
abstract class PyModbusTestBase {
    /** The bound of every wait on the wire (a condition, never a sleep). */
    static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);
    static PyModbusServer server;
    final List<ModbusDevice> devices = new ArrayList<>();

    @BeforeClass
    public static void startServer() throws Exception {
        server = new PyModbusServer();
    }

    @AfterClass
    public static void stopServer() throws Exception {
        server.close();
    }

    @After
    public void closeDevices() {
        devices.forEach(ModbusDevice::close);
    }
}
