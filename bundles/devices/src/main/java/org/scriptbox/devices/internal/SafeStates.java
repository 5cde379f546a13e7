package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.Actuator;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.device.WriteOutcome;
import org.scriptbox.api.engine.ExecutionEnd;
import org.scriptbox.api.engine.ExecutionScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fail to a known state: when an execution that commanded actuators ends abnormally (cancel, timeout, limit,
 * error, undeploy, container stop), the actuators it set go to their device's configured safe state. The
 * engine tells us after the script's {@code on_stop} hook has run ({@link ExecutionScope#onEnd}), so the
 * author's orderly shut-down comes first and the safe state is the net under it.
 */
final class SafeStates {
    private static final Logger LOG = LoggerFactory.getLogger(SafeStates.class);

    private final DeviceRegistry devices;
    private final EmergencyStops stops;
    private final long timeoutNanos;
    private final TouchedActuators touched = new TouchedActuators();
    /** One long-lived listener: the engine ignores re-registration of the same object within an execution. */
    private final Consumer<ExecutionEnd> listener = this::ended;
    /** A script failing on a fast schedule ends badly many times a second: one line per script and outcome per interval. */
    private final HeldLines lines = new HeldLines(java.util.concurrent.TimeUnit.SECONDS.toNanos(10));

    SafeStates(DeviceRegistry devices, EmergencyStops stops, long timeoutNanos) {
        this.devices = devices;
        this.stops = stops;
        this.timeoutNanos = timeoutNanos;
    }

    /** Records that the execution is about to command this actuator. */
    void touched(ExecutionScope scope, String deviceId, Actuator actuator) {
        scope.onEnd(listener);
        touched.touched(scope.executionId(), deviceId, actuator);
    }

    int tracked() {
        return touched.size();
    }

    /**
     * A device is leaving (its driver stopping, updated or reconfigured) while running executions have commanded it:
     * they lose control of it, so its actuators get the safe state now, through the departing object that still
     * reaches the device (red-team R3: looked up by id at the executions' end, the device was gone and a real
     * motor stayed at 40 %). Waits for the report (at most {@link #LEAVING_WAIT_NANOS}: this runs on the thread that is
     * stopping the driver), so a healthy device has it on the wire before the driver closes its link.
     */
    /** The longest a departing device holds up its driver's stop for the safe state's report. */
    static final long LEAVING_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    void leaving(String deviceId, Device device) {
        TouchedActuators.Taken taken = touched.removeDevice(deviceId);
        if (taken.actuators().isEmpty()) {
            return;
        }
        Promise<StopReport> report;
        stops.wrote(deviceId);
        try {
            report = device.applySafeState(taken.actuators());
        } catch (RuntimeException e) {
            report = Promises.failed(new DeviceException("the driver could not send the safe state"));
        }
        String outcome = StopText.outcome(report, System.nanoTime() + Math.min(timeoutNanos, LEAVING_WAIT_NANOS));
        String line = "device '" + LogText.clean(deviceId) + "' is leaving while " + taken.executions() + " running execution"
                + (taken.executions() == 1 ? "" : "s") + " commanded it: " + taken.actuators() + ": "
                + outcome.replaceFirst("^" + StopText.STOPPED, "safe state applied");
        if (outcome.startsWith(StopText.STOPPED)) {
            LOG.info("{}", line);
        } else {
            LOG.warn("{}", line);
        }
    }

    /** Applies the safe states (abnormal end, waiting with a bound so the result follows the safe state) or forgets. */
    void ended(ExecutionEnd end) {
        Map<String, Set<Actuator>> set = touched.remove(end.executionId());
        if (set.isEmpty() || !end.abnormal()) {
            return;
        }
        Map<String, Promise<StopReport>> sent = new LinkedHashMap<>();
        set.forEach((deviceId, actuators) -> {
            Device d = devices.get(deviceId);
            if (d == null) {
                sent.put(deviceId, Promises.failed(new DeviceException(WriteOutcome.NOT_SENT,
                        DeviceException.Fault.UNREACHABLE, "the device is gone")));
                return;
            }
            stops.wrote(deviceId);
            try {
                sent.put(deviceId, d.applySafeState(actuators));
            } catch (RuntimeException e) {
                sent.put(deviceId, Promises.failed(new DeviceException("the driver could not send the safe state")));
            }
        });
        long deadline = System.nanoTime() + timeoutNanos;
        List<String> results = new ArrayList<>();
        boolean allStopped = true;
        for (Map.Entry<String, Promise<StopReport>> e : sent.entrySet()) {
            String outcome = StopText.outcome(e.getValue(), deadline);
            allStopped &= outcome.startsWith(StopText.STOPPED);
            results.add(e.getKey() + " " + set.get(e.getKey()) + ": " + outcome.replaceFirst("^" + StopText.STOPPED,
                    "safe state applied"));
        }
        String suffix = lines.admit((allStopped ? "ok|" : "failed|") + end.scriptName());
        if (suffix == null) {
            return;
        }
        String line = "script '" + LogText.clean(end.scriptName()) + "' ended " + end.reason() + " (" + end.executionId()
                + "): " + String.join("; ", results) + suffix;
        if (allStopped) {
            LOG.info("{}", line);
        } else {
            LOG.warn("{}", line);
        }
    }
}
