package org.scriptbox.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-execution resource limits. Defaults are the seed design's {@code ScriptResourceLimits}; a
 * script's metadata may lower them and the operator's configuration caps them.
 *
 * @param maxExecutionTime wall-clock limit of one execution
 * @param maxMemoryBytes   bytes one execution may allocate (measured, summed over its threads)
 * @param maxInstructions  Lua VM instructions one execution may run
 * @param maxStringLength  longest string a script may build, in characters
 * @param maxTableSize     most elements one table may hold
 * @param maxCallDepth     deepest Lua call nesting
 * @param maxCoroutines    most coroutines alive at once in one execution
 */
public record ResourceLimits(Duration maxExecutionTime, long maxMemoryBytes, long maxInstructions,
                             int maxStringLength, int maxTableSize, int maxCallDepth, int maxCoroutines) {

    /** The seed's defaults: 30 s, 50 MB, 1,000,000 operations, 10,000 chars, 1,000 elements, 50 levels; 16 coroutines. */
    public static final ResourceLimits DEFAULTS = new ResourceLimits(
            Duration.ofSeconds(30), 50L * 1024 * 1024, 1_000_000L, 10_000, 1_000, 50, 16);

    public ResourceLimits {
        Objects.requireNonNull(maxExecutionTime, "maxExecutionTime");
        if (maxExecutionTime.isNegative() || maxExecutionTime.isZero()) {
            throw new IllegalArgumentException("maxExecutionTime must be positive");
        }
        requirePositive(maxMemoryBytes, "maxMemoryBytes");
        requirePositive(maxInstructions, "maxInstructions");
        requirePositive(maxStringLength, "maxStringLength");
        requirePositive(maxTableSize, "maxTableSize");
        requirePositive(maxCallDepth, "maxCallDepth");
        requirePositive(maxCoroutines, "maxCoroutines");
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** The smaller of each limit of this and {@code cap}: a script may ask for less than the operator allows, never more. */
    public ResourceLimits cappedBy(ResourceLimits cap) {
        return new ResourceLimits(
                maxExecutionTime.compareTo(cap.maxExecutionTime) <= 0 ? maxExecutionTime : cap.maxExecutionTime,
                Math.min(maxMemoryBytes, cap.maxMemoryBytes),
                Math.min(maxInstructions, cap.maxInstructions),
                Math.min(maxStringLength, cap.maxStringLength),
                Math.min(maxTableSize, cap.maxTableSize),
                Math.min(maxCallDepth, cap.maxCallDepth),
                Math.min(maxCoroutines, cap.maxCoroutines));
    }
}
