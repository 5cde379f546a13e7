package org.scriptbox.devices.internal;

import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.security.Permission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One operator rule of the device policy, one factory configuration each
 * ({@code etc/org.scriptbox.devices.rule-NAME.cfg}): the scripts it applies to, the permissions it lets
 * them hold and the devices they may use them on, and optionally a tighter rate limit.
 */
@Component(service = PolicyRule.class, configurationPid = PolicyRule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PolicyRule.Config.class, factory = true)
public class PolicyRule {
    static final String PID = "org.scriptbox.devices.rule";
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRule.class);

    @ObjectClassDefinition(name = "scriptbox device policy rule",
            description = "Grants permissions to scripts whose names match, on the devices that match.")
    public @interface Config {
        @AttributeDefinition(description = "Comma-separated script name patterns (* and ?)")
        String scripts() default "*";

        @AttributeDefinition(description = "Comma-separated permissions (device:read, device:write, "
                + "device:control, system:info, telemetry:read), or * for all")
        String permissions() default "";

        @AttributeDefinition(description = "Comma-separated device id patterns (* and ?)")
        String devices() default "*";

        @AttributeDefinition(description = "Tokens per second for matching scripts; 0 or less keeps the default")
        double rate() default 0;

        @AttributeDefinition(description = "Bucket size for matching scripts; 0 or less keeps the default")
        double burst() default 0;
    }

    private final Glob scripts;
    private final Set<String> permissions;
    private final Glob devices;
    private final double rate;
    private final double burst;

    /** For the metatype only, {@link Config}: the numbers are read through ConfigReader, which refuses bad ones. */
    @Activate
    public PolicyRule(Map<String, Object> properties) {
        this(text(properties, "scripts", "*"), text(properties, "permissions", ""), text(properties, "devices", "*"),
                properties);
    }

    private PolicyRule(String scripts, String permissions, String devices, Map<String, Object> properties) {
        this(scripts, permissions, devices, number(properties, "rate"), number(properties, "burst"));
    }

    private static String text(Map<String, Object> properties, String key, String defaultValue) {
        Object v = properties.get(key);
        return v == null ? defaultValue : v instanceof String[] a ? String.join(",", a) : String.valueOf(v);
    }

    /** 0 (absent) keeps the policy's default; a negative or non-number is refused with one line and means 0 too. */
    private static double number(Map<String, Object> properties, String key) {
        Object pid = properties.get("service.pid");
        ConfigReader r = new ConfigReader(pid == null ? PID : String.valueOf(pid), properties);
        double v = r.doubleBetween(key, 0, 1_000_000, 0, 0);
        r.refusals().forEach(LOG::error);
        return v;
    }

    PolicyRule(String scripts, String permissions, String devices, double rate, double burst) {
        this.scripts = Glob.of(scripts);
        this.devices = Glob.of(devices);
        this.permissions = parsePermissions(permissions);
        this.rate = rate;
        this.burst = burst;
    }

    private static Set<String> parsePermissions(String text) {
        Set<String> result = new LinkedHashSet<>();
        for (String p : Glob.split(text)) {
            if (p.equals("*")) {
                for (Permission each : Permission.values()) {
                    result.add(each.id());
                }
            } else if (Permission.fromId(p).isPresent()) {
                result.add(p);
            } else {
                // A typo must not silently widen or break the policy: the unknown name grants nothing.
                LOG.warn("device policy rule: unknown permission '{}' ignored", p);
            }
        }
        return Set.copyOf(result);
    }

    boolean appliesTo(String scriptName) {
        return scripts.matches(scriptName);
    }

    boolean allows(String permission, String deviceId) {
        return permissions.contains(permission) && (deviceId == null || devices.matches(deviceId));
    }

    Set<String> permissions() {
        return permissions;
    }

    double rate() {
        return rate;
    }

    double burst() {
        return burst;
    }

    @Override
    public String toString() {
        return "rule[scripts=" + scripts + ", permissions=" + permissions + ", devices=" + devices
                + (rate > 0 ? ", rate=" + rate : "") + (burst > 0 ? ", burst=" + burst : "") + "]";
    }
}
