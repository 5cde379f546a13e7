package org.scriptbox.devices.internal;

import java.util.Map;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.config.ConfigReader;
import org.scriptbox.api.security.Permission;
import org.scriptbox.api.security.PermissionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's device policy. Defaults (rate limit) come from {@code etc/org.scriptbox.devices.policy.cfg},
 * grants from the {@link PolicyRule} factory configurations.
 * <p>
 * With no rule configured the seed's behaviour holds: a script is granted every known permission it
 * requests, on every device. As soon as one rule exists the policy is closed: a script holds a permission
 * on a device only if some rule matching its name lists both.
 * <p>
 * Per script, the matching rules and its token bucket are cached; any policy change drops the cache
 * (and so refills the buckets).
 */
@Component(service = {PermissionService.class, DevicePolicy.class}, configurationPid = DevicePolicy.PID)
@Designate(ocd = DevicePolicy.Config.class)
public class DevicePolicy implements PermissionService {
    static final String PID = "org.scriptbox.devices.policy";
    private static final Logger LOG = LoggerFactory.getLogger(DevicePolicy.class);

    @ObjectClassDefinition(name = "scriptbox device policy", description = "Rate limits for the device API")
    public @interface Config {
        @AttributeDefinition(description = "Tokens per second each script's bucket refills")
        double rate() default 10.0;

        @AttributeDefinition(description = "Bucket size (the burst a script may spend at once)")
        double burst() default 50.0;

        @AttributeDefinition(description = "Tokens a motor or output command costs")
        double command_cost() default 1.0;

        @AttributeDefinition(description = "Tokens a status or telemetry read costs")
        double read_cost() default 0.5;
    }

    /** Rate-limit defaults. */
    record Limits(double rate, double burst, double commandCost, double readCost) {
        static final Limits SEED = new Limits(10.0, 50.0, 1.0, 0.5);
    }

    /** What the policy says about one script: its matching rules and its bucket. */
    record ScriptPolicy(List<PolicyRule> rules, TokenBucket bucket) {
    }

    private final List<PolicyRule> rules = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<String, ScriptPolicy> cache = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private volatile Limits limits;

    /** For the metatype only, {@link Config}: the raw properties are read by {@link #toLimits}, which refuses bad values. */
    @Activate
    public DevicePolicy(Map<String, Object> properties) {
        this(toLimits(properties, Limits.SEED), System::nanoTime);
    }

    DevicePolicy(Limits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    /** A refused value keeps its current one. */
    @Modified
    void modified(Map<String, Object> properties) {
        limits = toLimits(properties, limits);
        cache.clear();
    }

    static Limits toLimits(Map<String, ?> properties, Limits current) {
        ConfigReader r = new ConfigReader(PID, properties);
        Limits d = Limits.SEED;
        Limits l = new Limits(r.doubleBetween("rate", 0.001, 1_000_000, d.rate(), current.rate()),
                r.doubleBetween("burst", 0.001, 1_000_000, d.burst(), current.burst()),
                r.doubleBetween("command.cost", 0, 1_000_000, d.commandCost(), current.commandCost()),
                r.doubleBetween("read.cost", 0, 1_000_000, d.readCost(), current.readCost()));
        r.refusals().forEach(LOG::error);
        return l;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addRule(PolicyRule rule) {
        rules.add(rule);
        cache.clear();
        LOG.info("device policy: {} added", rule);
    }

    void removeRule(PolicyRule rule) {
        rules.remove(rule);
        cache.clear();
        LOG.info("device policy: {} removed", rule);
    }

    @Override
    public Set<String> grant(String scriptName, Set<String> requested) {
        Set<String> granted = new LinkedHashSet<>();
        ScriptPolicy policy = forScript(scriptName);
        for (String p : requested) {
            if (Permission.fromId(p).isEmpty()) {
                continue;
            }
            if (rules.isEmpty() || policy.rules().stream().anyMatch(r -> r.permissions().contains(p))) {
                granted.add(p);
            }
        }
        return Set.copyOf(granted);
    }

    @Override
    public boolean isAllowed(String scriptName, Set<String> granted, String permission, String deviceId) {
        if (!granted.contains(permission)) {
            return false;
        }
        if (rules.isEmpty()) {
            return true;
        }
        for (PolicyRule r : forScript(scriptName).rules()) {
            if (r.allows(permission, deviceId)) {
                return true;
            }
        }
        return false;
    }

    /** The script's token bucket (shared by all its executions until the policy changes). */
    TokenBucket bucket(String scriptName) {
        return forScript(scriptName).bucket();
    }

    Limits limits() {
        return limits;
    }

    private ScriptPolicy forScript(String scriptName) {
        ScriptPolicy p = cache.get(scriptName);
        return p != null ? p : cache.computeIfAbsent(scriptName, this::build);
    }

    private ScriptPolicy build(String scriptName) {
        List<PolicyRule> matching = new ArrayList<>();
        Limits l = limits;
        double rate = Double.POSITIVE_INFINITY;
        double burst = Double.POSITIVE_INFINITY;
        for (PolicyRule r : rules) {
            if (r.appliesTo(scriptName)) {
                matching.add(r);
                // A rule's limits replace the defaults; several matching rules with limits: the tightest wins.
                if (r.rate() > 0) {
                    rate = Math.min(rate, r.rate());
                }
                if (r.burst() > 0) {
                    burst = Math.min(burst, r.burst());
                }
            }
        }
        return new ScriptPolicy(List.copyOf(matching), new TokenBucket(Double.isInfinite(rate) ? l.rate() : rate,
                Double.isInfinite(burst) ? l.burst() : burst, nanoClock));
    }
}
