package org.scriptbox.drivermodbus.internal;

import com.ghgande.j2mod.modbus.ModbusSlaveException;
import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;

import org.scriptbox.api.device.DeviceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Modbus TCP connection that heals itself: every operation first (re)connects if needed, and any
 * failure drops the connection so that the next operation starts with a fresh one. That is how the driver
 * comes back after the server went away, without a reconnect thread. Used from one thread only (the
 * device's I/O thread).
 */
final class ModbusLink {
    private static final Logger LOG = LoggerFactory.getLogger(ModbusLink.class);

    /** An operation on a connected master. */
    interface Operation<T> {
        T run(ModbusTCPMaster master, int unitId) throws Exception;
    }

    private final String deviceId;
    private final String host;
    private final int port;
    private final int unitId;
    private final int timeoutMillis;
    private ModbusTCPMaster master;
    private boolean wasConnected;

    ModbusLink(String deviceId, String host, int port, int unitId, int timeoutMillis) {
        this.deviceId = deviceId;
        this.host = host;
        this.port = port;
        this.unitId = unitId;
        this.timeoutMillis = timeoutMillis;
    }

    <T> T run(Operation<T> operation) throws DeviceException {
        connect();
        try {
            return operation.run(master, unitId);
        } catch (ModbusSlaveException e) {
            // The server answered with an exception code (e.g. illegal address): the link itself is fine.
            throw new DeviceException("modbus " + host + ":" + port + " refused: " + e.getMessage(), e);
        } catch (Exception e) {
            drop("lost: " + e.getMessage());
            throw new DeviceException("modbus " + host + ":" + port + " failed: " + e.getMessage(), e);
        }
    }

    boolean isConnected() {
        return master != null && master.isConnected();
    }

    /** Connects unless connected; throws DeviceException when the server cannot be reached. */
    void connect() throws DeviceException {
        if (isConnected()) {
            return;
        }
        close();
        ModbusTCPMaster m = new ModbusTCPMaster(host, port, timeoutMillis, false);
        try {
            m.connect();
        } catch (Exception e) {
            m.disconnect();
            if (wasConnected) {
                wasConnected = false;
                LOG.warn("modbus device '{}': cannot reach {}:{} ({})", deviceId, host, port, e.getMessage());
            }
            throw new DeviceException("cannot connect to modbus " + host + ":" + port + ": " + e.getMessage(), e);
        }
        master = m;
        wasConnected = true;
        LOG.info("modbus device '{}': connected to {}:{}", deviceId, host, port);
    }

    private void drop(String why) {
        LOG.warn("modbus device '{}': connection to {}:{} {}", deviceId, host, port, why);
        close();
    }

    void close() {
        if (master != null) {
            master.disconnect();
            master = null;
        }
    }
}
