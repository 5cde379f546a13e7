package org.scriptbox.drivermodbus.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

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
 * target is its own request and is reported on its own: a refusal or a lost answer for one never keeps
 * the next from being tried. The requests are pipelined, so a silent device costs one timeout, not one per
 * target. A stop value is idempotent, so unlike an ordinary write it is sent again once, on a new
 * connection, when the open one turned out to be broken (reconnected for the stop).
 */
final class StopLane {
    /** One actuator and the write that puts it into its stop or safe value. */
    record Target(Actuator actuator, ModbusRequest request) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(StopLane.class);
    private final String deviceId;
    private final ModbusTransport connection;
    private final DeviceLink link;
    private final ExecutorService thread;
    /** Held by a pass while it uses the connection; {@link #linkIntact()} looks at the connection only between passes. */
    private final ReentrantLock passLock = new ReentrantLock();

    StopLane(String deviceId, ModbusTransport connection, DeviceLink link) {
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
                passLock.lock();
                try {
                    deferred.resolve(new StopReport(deviceId, writeAll(targets)));
                } catch (RuntimeException e) {
                    LOG.error("modbus device '{}': stop pass failed unexpectedly", deviceId, e);
                    deferred.fail(DeviceException.stopped(WriteOutcome.UNKNOWN));
                } finally {
                    passLock.unlock();
                    after.run();
                }
            });
        } catch (RejectedExecutionException e) {
            after.run();
            deferred.fail(DeviceException.stopped(WriteOutcome.NOT_SENT));
        }
        return deferred.getPromise();
    }

    /**
     * All targets pipelined on the stop connection, so the report comes within about one timeout whatever
     * the number of targets. The targets whose open connection turned out dead go once more, on a new
     * connection (a stop value is idempotent); when connecting failed, or the device just did not answer,
     * at once again would go the same way.
     */
    private List<ActuatorResult> writeAll(List<Target> targets) {
        ModbusFailure[] failures = new ModbusFailure[targets.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            pending.add(i);
        }
        for (int attempt = 0; attempt < 2 && !pending.isEmpty(); attempt++) {
            List<ModbusRequest> requests = pending.stream().map(i -> targets.get(i).request()).toList();
            List<ModbusTransport.Reply> outcome = link.exchangeAll(connection, requests, link.deadline());
            List<Integer> again = new ArrayList<>();
            for (int k = 0; k < pending.size(); k++) {
                ModbusFailure f = outcome.get(k).failure();
                ModbusFailure before = failures[pending.get(k)];
                // A retry that could not be sent leaves the first try's word: it was sent, its fate is unknown.
                failures[pending.get(k)] = before != null && f != null && f.kind() == ModbusFailure.Kind.NOT_SENT
                        ? before : f;
                if (attempt == 0 && f != null && f.kind() == ModbusFailure.Kind.NO_ANSWER) {
                    again.add(pending.get(k));
                }
            }
            pending = again;
        }
        List<ActuatorResult> results = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Actuator a = targets.get(i).actuator();
            if (failures[i] == null) {
                results.add(ActuatorResult.acknowledged(a));
            } else {
                DeviceException e = DeviceLink.writeFailure(failures[i]);
                results.add(new ActuatorResult(a, e.outcome(), e.getMessage()));
            }
        }
        return results;
    }

    /**
     * Whether the connection of the last pass is still open and sound (a non-blocking look). When it broke,
     * the device may have restarted since: a repeated stop must then go out rather than join the last one.
     * During a pass: true (the caller joins that pass).
     */
    boolean linkIntact() {
        if (!passLock.tryLock()) {
            return true;
        }
        try {
            return connection.isOpen() && connection.stillOpen();
        } finally {
            passLock.unlock();
        }
    }

    void shutdown() {
        thread.shutdownNow();
        connection.close();
    }
}
