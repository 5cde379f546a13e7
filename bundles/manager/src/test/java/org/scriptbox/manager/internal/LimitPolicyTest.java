package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;

import java.lang.annotation.Annotation;
import java.time.Duration;

import org.junit.Test;
import org.scriptbox.api.ResourceLimits;

public class LimitPolicyTest {

    private static LimitPolicy.Config config(long timeMs, long memory, long instructions) {
        return new LimitPolicy.Config() {
            @Override public Class<? extends Annotation> annotationType() { return LimitPolicy.Config.class; }
            @Override public long max_execution_time_ms() { return timeMs; }
            @Override public long max_memory_bytes() { return memory; }
            @Override public long max_instructions() { return instructions; }
            @Override public int max_string_length() { return 10_000; }
            @Override public int max_table_size() { return 1_000; }
            @Override public int max_call_depth() { return 50; }
            @Override public int max_coroutines() { return 16; }
        };
    }

    private static ResourceLimits asking(Duration time, long memory, long instructions) {
        return new ResourceLimits(time, memory, instructions, 10_000, 1_000, 50, 16);
    }

    @Test
    public void aScriptCannotRaiseItsLimitsAboveTheOperatorsCaps() {
        LimitPolicy policy = new LimitPolicy();
        policy.configure(config(2_000, 1_000_000, 5_000));
        ResourceLimits got = LimitPolicy.effective(policy, asking(Duration.ofDays(1), 1L << 40, Long.MAX_VALUE));
        assertEquals(Duration.ofSeconds(2), got.maxExecutionTime());
        assertEquals(1_000_000, got.maxMemoryBytes());
        assertEquals(5_000, got.maxInstructions());
    }

    @Test
    public void aScriptMayAskForLessAndWithoutLimitsGetsTheCaps() {
        LimitPolicy policy = new LimitPolicy();
        policy.configure(config(2_000, 1_000_000, 5_000));
        assertEquals(Duration.ofMillis(100),
                LimitPolicy.effective(policy, asking(Duration.ofMillis(100), 1_000_000, 5_000)).maxExecutionTime());
        assertEquals(policy.caps(), LimitPolicy.effective(policy, null));
    }

    @Test
    public void withoutAPolicyTheSeedDefaultsCap() {
        ResourceLimits got = LimitPolicy.effective(null, asking(Duration.ofDays(1), 1L << 40, Long.MAX_VALUE));
        assertEquals(ResourceLimits.DEFAULTS, got);
    }

    @Test
    public void anInvalidConfigurationKeepsThePreviousCaps() {
        LimitPolicy policy = new LimitPolicy();
        policy.configure(config(2_000, 1_000_000, 5_000));
        ResourceLimits before = policy.caps();
        policy.configure(config(0, -1, 5_000));
        assertEquals(before, policy.caps());
    }
}
