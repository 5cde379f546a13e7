package org.scriptbox.manager.internal;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ResourceLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's caps on execution limits (PID {@code org.scriptbox.limits}). Script metadata is written
 * by whoever drops the file, so its {@code [limits]} may only lower what the operator allows: every
 * execution runs under {@code requested.cappedBy(caps)}, and a script without {@code [limits]} under the caps.
 */
@Component(service = LimitPolicy.class, configurationPid = LimitPolicy.PID)
@Designate(ocd = LimitPolicy.Config.class)
public class LimitPolicy {
    static final String PID = "org.scriptbox.limits";
    private static final Logger LOG = LoggerFactory.getLogger(LimitPolicy.class);

    @ObjectClassDefinition(name = "scriptbox execution limits",
            description = "Caps on every execution; a script's [limits] may ask for less, never for more")
    public @interface Config {
        @AttributeDefinition(description = "Wall-clock time of one execution, milliseconds")
        long max_execution_time_ms() default 30_000;

        @AttributeDefinition(description = "Bytes one execution may allocate")
        long max_memory_bytes() default 50L * 1024 * 1024;

        @AttributeDefinition(description = "Lua VM instructions one execution may run")
        long max_instructions() default 1_000_000;

        @AttributeDefinition(description = "Longest string, in characters")
        int max_string_length() default 10_000;

        @AttributeDefinition(description = "Most elements in one table")
        int max_table_size() default 1_000;

        @AttributeDefinition(description = "Deepest Lua call nesting")
        int max_call_depth() default 50;

        @AttributeDefinition(description = "Most coroutines alive at once")
        int max_coroutines() default 16;
    }

    private volatile ResourceLimits caps = ResourceLimits.DEFAULTS;

    @Activate
    @Modified
    void configure(Config config) {
        try {
            caps = new ResourceLimits(Duration.ofMillis(config.max_execution_time_ms()), config.max_memory_bytes(),
                    config.max_instructions(), config.max_string_length(), config.max_table_size(),
                    config.max_call_depth(), config.max_coroutines());
            LOG.info("execution limits capped at {}", caps);
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} refused, the caps stay at {}: {}", PID, caps, e.getMessage());
        }
    }

    ResourceLimits caps() {
        return caps;
    }

    /** The limits an execution runs under: what the script asked for, never above the caps. */
    static ResourceLimits effective(LimitPolicy policy, ResourceLimits requested) {
        ResourceLimits cap = policy == null ? ResourceLimits.DEFAULTS : policy.caps();
        return requested == null ? cap : requested.cappedBy(cap);
    }
}
