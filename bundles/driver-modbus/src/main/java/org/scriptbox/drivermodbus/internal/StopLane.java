package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.osgi.util.promise.Deferred;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The priority lane for e-stops and safe states: a thread and a connection of its own (Modbus TCP servers
 * accept several), so a stop never waits behind an ordinary request, however slow that one is. Every
 * target is written on its own and reported on its own: a refusal or a lost answer for one never keeps
 * the next from being tried. A stop value is idempotent, so unlike an ordinary write it is sent again
 * once, on a new connection, when the open one turned out to be broken (reconnected for the stop).
 */
final class StopLane {
    /** One actuator and the write that puts it into its stop or safe value. */
    record Target(Actuator actuator, ModbusRequest request) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(StopLane.class);
    private final String deviceId;
    private final ModbusConnection connection;
    private final DeviceLink link;
    private final ExecutorService thread;

    StopLane(String deviceId, ModbusConnection connection, DeviceLink link) {
        this.deviceId = deviceId;
        this.connection = connection;
        this.link = link;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "modbus-" + deviceId + "-stop");
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
    }

    /** Writes every target in order, then runs {@code after} (which releases the command lane). */
    Promise<StopReport> run(List<Target> targets, Runnable after) {
        Deferred<StopReport> deferred = new Deferred<>();
        try {
            thread.execute(() -> {
                List<ActuatorResult> results = new ArrayList<>();
                try {
                    for (Target t : targets) {
                        results.add(write(t));
                    }
                    deferred.resolve(new StopReport(deviceId, results));
                } catch (RuntimeException e) {
                    LOG.error("modbus device '{}': stop pass failed unexpectedly", deviceId, e);
                    deferred.fail(DeviceException.stopped(WriteOutcome.UNKNOWN));
                } finally {
                    after.run();
                }
            });
        } catch (RejectedExecutionException e) {
            after.run();
            deferred.fail(DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        return deferred.getPromise();
    }

    private ActuatorResult write(Target target) {
        ModbusFailure last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                link.exchange(connection, target.request(), link.deadline(), () -> null);
                return ActuatorResult.acknowledged(target.actuator());
            } catch (ModbusFailure f) {
                last = f;
                // Again only when an open connection turned out dead (it is closed now, the next try reconnects);
                // when connecting failed, or the device just did not answer, at once again would go the same way.
                if (f.kind() != ModbusFailure.Kind.NO_ANSWER) {
                    break;
                }
            }
        }
        DeviceException e = DeviceLink.writeFailure(last);
        return new ActuatorResult(target.actuator(), e.outcome(), e.getMessage());
    }

    void shutdown() {
        thread.shutdownNow();
        connection.close();
    }
}
