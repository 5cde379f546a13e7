package org.scriptbox.shell.internal;

import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;

import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.util.promise.Promise;
import org.osgi.util.promise.Promises;
import org.scriptbox.api.device.ActuatorResult;
import org.scriptbox.api.device.CallContext;
import org.scriptbox.api.device.ChannelValue;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.device.DeviceException;
import org.scriptbox.api.device.DeviceInfo;
import org.scriptbox.api.device.DeviceStatus;
import org.scriptbox.api.device.StopReport;
import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code device:*} commands for the operator: the devices drivers offer, their status, telemetry, and an
 * emergency stop. They talk to the Device services directly (no script permissions apply to the operator).
 */
@Component(service = {})
public class DeviceCommands {
    /** How long a command waits for a driver before it says the device did not answer. */
    private static final long ANSWER_MILLIS = 3000;
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCommands.class);

    /** The devices bundle's one tracker: the shell lists exactly the ids scripts resolve against. */
    @Reference
    DeviceDirectory directory;

    private ShellCommands registered;

    @Activate
    void activate(BundleContext context) {
        registered = ShellCommands.register(context, commands());
    }

    @Deactivate
    void deactivate() {
        registered.unregister();
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("device:list", "lists the devices drivers currently offer, with their health")
                        .withExample("device:list"), (s, a) -> list()),
                new ShellCommand(Usage.of("device:status", "shows a device's status and health")
                        .withArgument("ID", "device id (device:list)").withExample("device:status sim-1"), (s, a) -> status(a.text("ID"))),
                new ShellCommand(Usage.of("device:estop", "emergency stop of every device, or of one")
                        .withOptionalArgument("ID", "device id (default: every device)").withExample("device:estop")
                        .withExample("device:estop sim-1"), (s, a) -> a.text("ID") == null ? estop() : estop(a.text("ID"))),
                new ShellCommand(Usage.of("device:reset", "releases a latched e-stop (a device with estop.latch = true "
                        + "refuses ordinary commands after an e-stop until this)").withArgument("ID", "device id")
                        .withExample("device:reset sim-1"), (s, a) -> reset(a.text("ID"))),
                new ShellCommand(Usage.of("device:telemetry", "reads telemetry channels of a device (default: all of them)")
                        .withArgument("ID", "device id").withRest("CHANNEL", "channel names", false)
                        .withExample("device:telemetry sim-1 temperature"),
                        (s, a) -> a.rest().isEmpty() ? telemetry(a.text("ID")) : telemetry(a.text("ID"), a.restTexts())));
    }

    String list() {
        Map<String, Device> byId = byId();
        if (byId.isEmpty()) {
            return "no devices";
        }
        StringBuilder out = new StringBuilder(String.format("%-16s %-12s %-14s %-22s %s%n", "ID", "TYPE", "FIRMWARE",
                "HEALTH", "CAPABILITIES"));
        // Ask every device first, then wait until one shared deadline: silent devices cost one wait, not one each.
        Map<String, Promise<DeviceStatus>> asked = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Device> e : byId.entrySet()) {
            asked.put(e.getKey(), ask(e.getValue()));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS);
        for (Map.Entry<String, Promise<DeviceStatus>> e : asked.entrySet()) {
            DeviceInfo i = byId.get(e.getKey()).info();
            String health;
            try {
                health = HealthText.brief(awaitUntil(e.getValue(), deadline).health(), Instant.now());
            } catch (Exception ex) {
                health = "unknown (no status)";
            }
            // the directory's id, the one scripts resolve against (a driver's info may differ from its device.id)
            out.append(String.format("%-16s %-12s %-14s %-22s %d motors, %d outputs, channels: %s%n", e.getKey(), i.type(),
                    i.firmwareVersion(), health, i.motors(), i.digitalOutputs(),
                    String.join(",", i.telemetryChannels())));
        }
        return SafeText.lines(out.toString().stripTrailing());
    }

    private static Promise<DeviceStatus> ask(Device d) {
        try {
            return d.status();
        } catch (RuntimeException e) {
            return Promises.failed(e);   // one broken driver must not take the whole list down
        }
    }

    String status(String id) {
        Device d = directory.find(id).orElse(null);
        if (d == null) {
            return unknown(id);
        }
        try {
            DeviceStatus s = await(d.status());
            StringBuilder out = new StringBuilder();
            DeviceInfo i = s.info() != null ? s.info() : d.info();
            out.append("device ").append(i.id()).append(" (").append(i.type()).append(", firmware ")
                    .append(i.firmwareVersion()).append("): ").append(s.connected() ? "connected" : "NOT connected");
            out.append(System.lineSeparator()).append("  health: ").append(HealthText.full(s.health(), Instant.now()));
            new TreeMap<>(s.details()).forEach((k, v) -> out.append(System.lineSeparator()).append("  ").append(SafeText.line(k))
                    .append(" = ").append(v));
            return SafeText.lines(out.toString());
        } catch (Exception e) {
            return SafeText.line("device " + id + " unavailable: " + reason(e));
        }
    }

    /** Every motor and output of every device, each device on its driver's priority lane; results per target. */
    String estop() {
        return stop(new ArrayList<>(byId().values()));
    }

    String estop(String id) {
        Device d = directory.find(id).orElse(null);
        return d == null ? unknown(id) : stop(List.of(d));
    }

    /** The operator's deliberate reset of a latched e-stop; logged like the stop itself. Moves nothing. */
    String reset(String id) {
        Device d = directory.find(id).orElse(null);
        if (d == null) {
            return unknown(id);
        }
        boolean was;
        try {
            was = d.resetEmergencyStop();
        } catch (RuntimeException e) {
            LOG.warn("device command failed in the driver", e);
            return SafeText.line("device " + id + ": reset failed (driver error)");
        }
        if (!was) {
            return SafeText.line(id + " was not latched");
        }
        LOG.warn("e-stop latch of device '{}' released by the operator (shell)", SafeText.line(id));
        return SafeText.line("released " + id + ": ordinary commands are accepted again (nothing was moved)");
    }

    String telemetry(String id) {
        Device d = directory.find(id).orElse(null);
        return d == null ? unknown(id) : read(d, d.info().telemetryChannels());
    }

    String telemetry(String id, List<String> channels) {
        Device d = directory.find(id).orElse(null);
        return d == null ? unknown(id) : read(d, channels);
    }

    private String read(Device d, List<String> channels) {
        if (channels.isEmpty()) {
            return "device " + d.id() + " has no telemetry channels";
        }
        try {
            Map<String, ChannelValue> values = await(d.readTelemetry(channels, CallContext.within(TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS))));
            StringBuilder out = new StringBuilder();
            for (String c : channels) {
                ChannelValue v = values.get(c);
                out.append(String.format("%-16s %s%n", c, v == null ? "(no value)"
                        : v.ok() ? String.valueOf(v.value()) : "FAILED: " + v.message()));
            }
            return SafeText.lines(out.toString().stripTrailing());
        } catch (Exception e) {
            return SafeText.line("device " + d.id() + " unavailable: " + reason(e));
        }
    }

    private String stop(List<Device> targets) {
        if (targets.isEmpty()) {
            return "no devices to stop";
        }
        List<Promise<StopReport>> sent = new ArrayList<>();
        for (Device d : targets) {
            try {
                sent.add(d.emergencyStop());
            } catch (RuntimeException e) {
                // One broken driver must not keep the other devices from their stop.
                sent.add(Promises.failed(e));
            }
        }
        StringBuilder out = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS);   // one for all devices
        for (int i = 0; i < targets.size(); i++) {
            String id = targets.get(i).id();
            try {
                StopReport report = awaitUntil(sent.get(i), deadline);
                out.append(report.complete() ? "stopped " : "NOT fully stopped ").append(id);
                for (ActuatorResult r : report.results()) {
                    out.append(System.lineSeparator()).append("  ").append(r.actuator()).append(": ")
                            .append(r.ok() ? "stopped" : r.outcome() + (r.message() == null ? "" : " (" + r.message() + ")"));
                }
            } catch (NoAnswer e) {
                // The stop was handed to the driver and may reach the device yet: never "failed" for what then happens.
                out.append("NOT confirmed stopped ").append(id).append(": UNKNOWN (no report within ")
                        .append(ANSWER_MILLIS).append(" ms; the stop was sent and may still be applied)");
            } catch (Exception e) {
                out.append("FAILED to stop ").append(id).append(": ").append(reason(e));
            }
            out.append(System.lineSeparator());
        }
        String text = SafeText.lines(out.toString().stripTrailing());
        LOG.warn("emergency stop by the operator (shell): {}", text.replace(System.lineSeparator(), "; "));
        return text;
    }

    /** The present devices by id; one that left between the two reads is simply not listed. */
    private Map<String, Device> byId() {
        Map<String, Device> byId = new TreeMap<>();
        for (String id : directory.ids()) {
            directory.find(id).ifPresent(d -> byId.put(id, d));
        }
        return byId;
    }

    private String unknown(String id) {
        Set<String> ids = directory.ids();
        return SafeText.line("no device '" + id + "'; devices: " + (ids.isEmpty() ? "none" : String.join(", ", ids)));
    }

    private static <T> T await(Promise<T> p) throws Exception {
        return awaitUntil(p, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS));
    }

    private static <T> T awaitUntil(Promise<T> p, long deadlineNanos) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        p.onResolve(done::countDown);
        if (!done.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new NoAnswer("no answer within " + ANSWER_MILLIS + " ms");
        }
        return p.getValue();
    }

    /** The driver's plain message for a device failure; never a Java exception's text (that goes to the log). */
    private static String reason(Exception e) {
        Throwable t = e instanceof InvocationTargetException ? e.getCause() : e;
        if (t instanceof DeviceException || t instanceof NoAnswer) {
            return t.getMessage();
        }
        LOG.warn("device command failed in the driver", t);
        return "driver error (see the container log)";
    }

    /** Our own bounded wait ended. */
    private static final class NoAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }
}
