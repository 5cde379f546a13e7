package org.scriptbox.devices.internal;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.util.promise.Promise;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.StopReport;

/** Waits for a stop or safe-state report (bounded) and says per target what happened, in one short text. */
final class StopText {
    static final String STOPPED = "stopped";

    private StopText() {
    }

    /** {@code stopped (6 targets)}, or {@code NOT fully stopped: motor0 REFUSED (...), ...}, or why there is no report. */
    static String outcome(Promise<StopReport> report, long deadlineNanos) {
        StopReport r;
        try {
            if (!report.isDone()) {
                CountDownLatch done = new CountDownLatch(1);
                report.onResolve(done::countDown);
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !done.await(left, TimeUnit.NANOSECONDS)) {
                    return "no report in time (outcome unknown)";
                }
            }
            Throwable failure = report.getFailure();
            if (failure != null) {
                return "stop not sent: " + (failure instanceof DeviceException ? failure.getMessage() : "driver error");
            }
            r = report.getValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for the report (outcome unknown)";
        } catch (InvocationTargetException e) {
            return "stop not sent: driver error";
        }
        return describe(r);
    }

    static String describe(StopReport r) {
        if (r.complete()) {
            return STOPPED + " (" + r.results().size() + " target" + (r.results().size() == 1 ? "" : "s") + ")";
        }
        List<String> bad = new ArrayList<>();
        for (ActuatorResult a : r.failures()) {
            bad.add(a.actuator() + " " + a.outcome() + (a.message() == null ? "" : " (" + a.message() + ")"));
        }
        return "NOT fully stopped: " + String.join(", ", bad) + " (" + (r.results().size() - bad.size()) + " of "
                + r.results().size() + " stopped)";
    }
}
