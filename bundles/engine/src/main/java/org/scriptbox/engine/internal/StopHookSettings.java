package org.scriptbox.engine.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The budget of a script's {@code on_stop} hook (engine configuration): its instructions and time, and the
 * host libraries whose functions it may call (by {@code ScriptLibrary.name()}; others are refused).
 */
record StopHookSettings(long instructions, Duration time, Set<String> libraries) {
    static final long DEFAULT_INSTRUCTIONS = 100_000;
    static final long DEFAULT_TIME_MS = 1_000;
    static final StopHookSettings DEFAULTS = new StopHookSettings(DEFAULT_INSTRUCTIONS,
            Duration.ofMillis(DEFAULT_TIME_MS), Set.of("devices"));

    StopHookSettings {
        if (instructions <= 0) {
            throw new IllegalArgumentException("on_stop instructions must be positive, was " + instructions);
        }
        Objects.requireNonNull(time, "time");
        if (time.isZero() || time.isNegative()) {
            throw new IllegalArgumentException("on_stop time must be positive, was " + time.toMillis() + " ms");
        }
        libraries = Set.copyOf(libraries);
    }
}
