package org.scriptbox.rest.internal;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;

/**
 * Devices: list, status, telemetry, e-stop. An e-stop goes to every device's own priority lane at once
 * (as device:estop does); the answer waits at most {@code estop.answer.ms} for all of them together, and a
 * device that did not answer in time is reported UNKNOWN, never "failed": its stop was sent and may
 * still be applied.
 */
final class DeviceRoutes {
    private static final long ANSWER_MILLIS = 2000;

    private final DeviceDirectory directory;
    private final long estopAnswerMillis;

    DeviceRoutes(DeviceDirectory directory, long estopAnswerMillis) {
        this.directory = directory;
        this.estopAnswerMillis = estopAnswerMillis;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/devices", Role.VIEWER, null, x -> Reply.ok(Map.of("devices", present().stream()
                        .map(d -> Views.device(d.info())).toList()))),
                new Route("GET", "/devices/{id}", Role.VIEWER, null, this::status),
                new Route("GET", "/devices/{id}/telemetry", Role.VIEWER, null, this::telemetry),
                new Route("POST", "/devices/{id}/estop", Role.OPERATOR, "estop", x -> stop(List.of(device(x)))),
                new Route("POST", "/devices/{id}/reset", Role.OPERATOR, "estop-reset", this::reset),
                new Route("POST", "/estop", Role.OPERATOR, "estop", x -> {
                    x.auditTarget = "all devices";
                    return stop(present());
                }));
    }

    /** The operator's release of a latched e-stop (estop.latch = true), as device:reset: it moves nothing. */
    private Reply reset(Exchange x) {
        Device d = device(x);
        boolean latched = d.resetEmergencyStop();
        x.auditOutcome = latched ? "ok" : "ok:not_latched";
        Map<String, Object> m = Views.object();
        m.put("deviceId", d.info().id());
        m.put("wasLatched", latched);
        return Reply.ok(m);
    }

    private List<Device> present() {
        List<Device> out = new ArrayList<>();
        for (String id : directory.ids()) {
            directory.find(id).ifPresent(out::add);
        }
        return out;
    }

    private Device device(Exchange x) {
        String id = x.name("id");
        return directory.find(id).orElseThrow(() -> ApiError.notFound("No device '" + id + "'."));
    }

    private Object status(Exchange x) throws Exception {
        Device d = device(x);
        Map<String, Object> m = Views.object();
        m.put("device", Views.device(d.info()));
        try {
            DeviceStatus s = await(d.status(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS));
            m.put("health", Views.health(s.health()));
            m.put("details", s.details());
        } catch (NoAnswer | InvocationTargetException e) {
            m.put("health", null);
            m.put("details", Map.of());
            m.put("problem", e instanceof NoAnswer ? "no answer within " + ANSWER_MILLIS + " ms" : "the status could not be read");
        }
        return Reply.ok(m);
    }

    private Object telemetry(Exchange x) throws Exception {
        Device d = device(x);
        String asked = x.query("channels");
        List<String> channels = asked == null || asked.isBlank() ? d.info().telemetryChannels()
                : List.of(asked.split(","));
        if (channels.size() > 256) {
            throw ApiError.badRequest("At most 256 channels at once.");
        }
        Map<String, Object> out = Views.object();
        if (!channels.isEmpty()) {
            try {
                Map<String, ChannelValue> values = await(d.readTelemetry(channels,
                        CallContext.within(TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS))),
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS + 500));
                for (String c : channels) {
                    ChannelValue v = values.get(c);
                    out.put(c, Views.channel(v == null ? ChannelValue.failed("no value") : v));
                }
            } catch (NoAnswer | InvocationTargetException e) {
                for (String c : channels) {
                    out.put(c, Views.channel(ChannelValue.failed(e instanceof NoAnswer ? "no answer in time" : "the read failed")));
                }
            }
        }
        return Reply.ok(Map.of("channels", out));
    }

    private Object stop(List<Device> targets) throws InterruptedException {
        List<Promise<StopReport>> sent = new ArrayList<>();
        for (Device d : targets) {
            try {
                sent.add(d.emergencyStop());
            } catch (RuntimeException e) {
                sent.add(Promises.failed(e));   // one broken driver must not keep the others from their stop
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(estopAnswerMillis);   // one for all devices
        List<Object> reports = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String id = targets.get(i).id();
            try {
                reports.add(Views.stop(await(sent.get(i), deadline)));
            } catch (NoAnswer e) {
                reports.add(Views.unconfirmedStop(id, "UNKNOWN", "no report within " + estopAnswerMillis
                        + " ms; the stop was sent and may still be applied"));
            } catch (InvocationTargetException e) {
                reports.add(Views.unconfirmedStop(id, "FAILED", "the driver could not try the stop"));
            }
        }
        return Reply.ok(Map.of("reports", reports));
    }

    /** No answer before the deadline. */
    static final class NoAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        NoAnswer() {
            super(null, null, false, false);
        }
    }

    static <T> T await(Promise<T> p, long deadlineNanos) throws NoAnswer, InvocationTargetException, InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        p.onResolve(done::countDown);
        long left = deadlineNanos - System.nanoTime();
        if (!done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
            throw new NoAnswer();
        }
        return p.getValue();
    }
}
