package org.scriptbox.manager.internal;

import java.time.Duration;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.config.ConfigReader;
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

    // Caps the container can honour (red-team F6: every cap up to Integer/Long.MAX_VALUE was accepted). A value
    // beyond them is refused with one line, as any bad value, instead of being accepted or silently lowered.
    /** The engine's own ceiling on call depth (Luaj overflows the Java stack far above it). */
    static final int MAX_CALL_DEPTH = 200;
    /** Each coroutine is a Java thread in Luaj. */
    static final int MAX_COROUTINES = 1_000;
    /** 16 M characters: a string is a byte array, and each copy of it is charged to memory too. */
    static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    static final int MAX_TABLE_SIZE = 10_000_000;

    /** Half the heap (at least the default): one run's limit at or above the heap is the container's OutOfMemoryError. */
    static long maxMemoryCap() {
        return Math.max(ResourceLimits.DEFAULTS.maxMemoryBytes(), Runtime.getRuntime().maxMemory() / 2);
    }

    private volatile ResourceLimits caps = ResourceLimits.DEFAULTS;

    /** Each value is checked on its own: a bad one is refused with one line and keeps its current cap. */
    @Activate
    @Modified
    void configure(Map<String, Object> properties) {
        ResourceLimits c = caps;
        ResourceLimits d = ResourceLimits.DEFAULTS;
        ConfigReader r = new ConfigReader(PID, properties);
        caps = new ResourceLimits(
                Duration.ofMillis(r.longBetween("max.execution.time.ms", 1, 31L * 24 * 3600 * 1000,
                        d.maxExecutionTime().toMillis(), c.maxExecutionTime().toMillis())),
                r.longBetween("max.memory.bytes", 1024, maxMemoryCap(), d.maxMemoryBytes(), c.maxMemoryBytes()),
                r.longBetween("max.instructions", 1, Long.MAX_VALUE, d.maxInstructions(), c.maxInstructions()),
                r.intBetween("max.string.length", 1, MAX_STRING_LENGTH, d.maxStringLength(), c.maxStringLength()),
                r.intBetween("max.table.size", 1, MAX_TABLE_SIZE, d.maxTableSize(), c.maxTableSize()),
                r.intBetween("max.call.depth", 1, MAX_CALL_DEPTH, d.maxCallDepth(), c.maxCallDepth()),
                r.intBetween("max.coroutines", 1, MAX_COROUTINES, d.maxCoroutines(), c.maxCoroutines()));
        r.refusals().forEach(LOG::error);
        LOG.info("execution limits capped at {}", caps);
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
