package org.scriptbox.driversim.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.SafeState;
import org.scriptbox.driversim.internal.SimulatedDevice.BadValue;
import org.scriptbox.driversim.internal.SimulatedDevice.ConnectionIssue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated device per factory configuration: reads the raw properties through {@link ConfigReader} and
 * registers the {@link SimulatedDevice} only when every value is valid. A bad value (out of range, not a
 * number, an unknown fault) is refused with one line naming the file, key and value, and no device is
 * registered: better no device than one with a guessed setting. DS's own conversion would throw on
 * {@code motors = abc} with a stack trace, or turn it into 0, after the service was already visible.
 */
@Component(service = {}, configurationPid = SimulatedDevice.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SimulatedDevice.Config.class, factory = true)
public class SimulatedDeviceComponent {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedDevice.class);

    private final SimulatedDevice device;
    private final ServiceRegistration<Device> registration;

    @Activate
    public SimulatedDeviceComponent(BundleContext context, Map<String, Object> properties) {
        List<String> refusals = new ArrayList<>();
        SimulatedDevice.Settings settings = read(properties, refusals);
        if (settings == null) {
            refusals.forEach(LOG::error);
            device = null;
            registration = null;
            return;
        }
        device = new SimulatedDevice(settings, System::nanoTime);
        Dictionary<String, Object> props = new Hashtable<>();
        properties.forEach((k, v) -> {
            if (!k.startsWith(".") && !k.startsWith("component.")) {
                props.put(k, v);   // the configuration's properties become service properties, as before
            }
        });
        props.put(Device.DEVICE_ID, settings.id());
        props.put(Device.DEVICE_TYPE, "simulator");
        registration = context.registerService(Device.class, device, props);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            device.deactivate();
        }
    }

    /** The settings, or {@code null} with the refusal lines added to {@code refusals}. */
    static SimulatedDevice.Settings read(Map<String, ?> properties, List<String> refusals) {
        ConfigReader r = ConfigReader.refusingActivation(source(properties), properties);
        Object rawId = properties.get(Device.DEVICE_ID);
        String id = rawId == null ? "" : String.valueOf(rawId).trim();
        if (id.isEmpty()) {
            r.refuse(Device.DEVICE_ID, rawId, "is required", "");
        }
        int motors = r.intBetween("motors", 0, 256, 2, 2);
        int outputs = r.intBetween("digital.outputs", 0, 256, 8, 8);
        double ramp = r.doubleBetween("ramp.rate", 0.001, 1_000_000, 50.0, 50.0);
        long timeout = r.longBetween("response.timeout.ms", 1, 600_000, 1000, 1000);
        long probe = r.longBetween("probe.interval.ms", 0, 3_600_000, 5000, 5000);
        long delay = r.longBetween("fault.delay.ms", 0, 600_000, 0, 0);
        boolean silent = r.flag("fault.silent", false, false);
        boolean latch = r.flag("estop.latch", false, false);
        ConnectionIssue connect = choice(r, properties, "fault.connect", ConnectionIssue.class, ConnectionIssue.NONE);
        BadValue badValue = choice(r, properties, "fault.bad.value", BadValue.class, BadValue.FAIL);
        SafeState safe = SafeState.STOP;
        Object safeText = properties.get("safe.state");
        try {
            safe = SafeState.parse(safeText == null ? "stop" : String.valueOf(safeText)).checkAgainst(motors, outputs);
        } catch (IllegalArgumentException e) {
            r.refuse("safe.state", safeText, "is not a safe state (" + e.getMessage() + ")", "");
        }
        Object refuseText = properties.get("fault.refuse");
        Faults faults = null;
        try {
            faults = new Faults(connect, delay, silent, SimulatedDevice.actuators(refuseText == null ? "" : String.valueOf(refuseText)),
                    text(properties, "fault.bad.channel", ""), badValue);
        } catch (IllegalArgumentException e) {
            r.refuse("fault.refuse", refuseText, "names no actuator (" + e.getMessage() + ")", "");
        }
        List<String> channels = SimulatedDevice.split(text(properties, "channels",
                "temperature,voltage,current,motor0.speed,motor1.speed"));
        List<Setpoint> setpoints = List.of();
        Object setpointText = properties.get("setpoints");
        try {
            setpoints = Setpoint.parse(setpointText == null ? "" : String.valueOf(setpointText));
            for (Setpoint p : setpoints) {
                if (channels.contains(p.name())) {
                    r.refuse("setpoints", setpointText, "names '" + p.name() + "', also a telemetry channel", "");
                }
            }
        } catch (IllegalArgumentException e) {
            r.refuse("setpoints", setpointText, "is not a list of setpoints (" + e.getMessage() + ")", "");
        }
        refusals.addAll(r.refusals());
        if (!refusals.isEmpty()) {
            return null;
        }
        return new SimulatedDevice.Settings(id, text(properties, "firmware.version", "sim-1.0.0"), motors, outputs,
                channels, ramp, safe, timeout, probe, faults, setpoints, latch);
    }

    private static <E extends Enum<E>> E choice(ConfigReader r, Map<String, ?> properties, String key, Class<E> type, E defaultValue) {
        Object raw = properties.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, String.valueOf(raw).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E each : type.getEnumConstants()) {
                names.add(each.name());
            }
            return r.refuse(key, raw, "is not one of " + String.join(", ", names), defaultValue);
        }
    }

    private static String text(Map<String, ?> properties, String key, String defaultValue) {
        Object v = properties.get(key);
        return v == null ? defaultValue : v instanceof String[] a ? String.join(",", a) : String.valueOf(v);
    }

    /** The .cfg file's name when FileInstall made the configuration, else its PID. */
    private static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = String.valueOf(file);
            return f.substring(f.lastIndexOf('/') + 1);
        }
        Object pid = properties.get("service.pid");
        return pid == null ? SimulatedDevice.PID : String.valueOf(pid);
    }
}
