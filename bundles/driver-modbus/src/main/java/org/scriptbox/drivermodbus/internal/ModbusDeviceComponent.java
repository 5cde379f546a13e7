package org.scriptbox.drivermodbus.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.device.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Modbus TCP device per factory configuration ({@code etc/org.scriptbox.driver.modbus-NAME.cfg}). The
 * configuration is checked as a whole first: a bad one is refused with one log line naming the file, each
 * bad key and its value, and no {@link Device} service is registered, so scripts that need the device stay
 * UNRESOLVED instead of meeting a broken device on every call. That is why the service is registered here
 * by hand rather than by DS, and why the raw properties are read (DS would fail on "port = abc" with a
 * stack trace before any check could run).
 */
@Component(service = {}, configurationPid = ModbusDeviceComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ModbusDeviceComponent.Config.class, factory = true)
public class ModbusDeviceComponent {
    static final String PID = "org.scriptbox.driver.modbus";
    private static final Logger LOG = LoggerFactory.getLogger(ModbusDeviceComponent.class);

    /** The configuration keys, as documented in docs/devices.md; checked by {@link ModbusSettings#parse}. */
    @ObjectClassDefinition(name = "scriptbox Modbus TCP device")
    public @interface Config {
        @AttributeDefinition(description = "The id scripts use for this device (required)")
        String device_id();

        String host() default "127.0.0.1";

        int port() default 502;

        int unit_id() default 1;

        @AttributeDefinition(description = "Connect and response timeout of one request in ms (1..60000)")
        int timeout_ms() default 1000;

        @AttributeDefinition(description = "Holding register address of each motor, comma-separated (motor 0 first)")
        String motor_registers() default "";

        @AttributeDefinition(description = "Register value = speed (-100..100) times this (above 0, at most 327)")
        double speed_scale() default 100.0;

        @AttributeDefinition(description = "Coil address of digital output 0")
        int output_coil_start() default 0;

        @AttributeDefinition(description = "Number of digital outputs (0..256)")
        int digital_outputs() default 0;

        @AttributeDefinition(description = "Telemetry channels as name:input-register[:scale], comma-separated")
        String telemetry() default "";

        String firmware_version() default "modbus-tcp";

        @AttributeDefinition(description = "Safe state after an abnormal end: stop | leave, then motorN=speed|leave, "
                + "outputN=on|off|leave")
        String safe_state() default "stop";

        @AttributeDefinition(description = "Health probe period in ms when idle; 0 = no probe")
        int probe_interval_ms() default 2000;

        @AttributeDefinition(description = "What the probe reads: input:N, holding:N or coil:N (default: the first "
                + "channel, motor or output)")
        String probe() default "";
    }

    private final ModbusDevice device;
    private final ServiceRegistration<Device> registration;

    @Activate
    public ModbusDeviceComponent(BundleContext context, Map<String, Object> properties) {
        ModbusSettings settings;
        try {
            settings = ModbusSettings.parse(properties);
        } catch (ModbusSettings.Invalid e) {
            LOG.error("modbus device configuration {} refused, no device registered: {}", source(properties),
                    e.getMessage());
            device = null;
            registration = null;
            return;
        }
        device = new ModbusDevice(settings);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(Device.DEVICE_ID, settings.id());
        props.put(Device.DEVICE_TYPE, ModbusDevice.type(settings));
        registration = context.registerService(Device.class, device, props);
        LOG.info("modbus device '{}' ({}) on {} unit {}, {} channel(s)", settings.id(), settings.wire().transport().word,
                settings.wire().transport() == ModbusSettings.Transport.RTU ? settings.wire().serialPort()
                        : settings.host() + ":" + settings.port(), settings.unitId(), settings.channels().size());
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            device.close();
        }
    }

    /** The .cfg file's name when FileInstall made the configuration, else its PID. */
    static String source(Map<String, ?> properties) {
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String f = String.valueOf(file);
            return f.substring(f.lastIndexOf('/') + 1);
        }
        Object pid = properties.get("service.pid");
        return pid == null ? PID : String.valueOf(pid);
    }
}
