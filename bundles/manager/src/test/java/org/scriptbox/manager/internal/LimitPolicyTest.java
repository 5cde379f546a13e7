package org.scriptbox.manager.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.ResourceLimits;

public class LimitPolicyTest {

    private static Map<String, Object> config(long timeMs, long memory, long instructions) {
        return Map.of("max.execution.time.ms", timeMs, "max.memory.bytes", memory, "max.instructions", instructions);
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

    @Test
    public void eachBadValueIsRefusedAloneAndKeepsItsCap() {
        LimitPolicy policy = new LimitPolicy();
        policy.configure(config(2_000, 1_000_000, 5_000));
        policy.configure(Map.of("max.execution.time.ms", "abc", "max.memory.bytes", "2000000", "max.instructions", "-1"));
        assertEquals(Duration.ofSeconds(2), policy.caps().maxExecutionTime());
        assertEquals(2_000_000, policy.caps().maxMemoryBytes());
        assertEquals(5_000, policy.caps().maxInstructions());
    }

    /** Red-team F6: caps the container cannot honour (threads, the heap, the engine's depth ceiling) are refused. */
    @Test
    public void capsTheContainerCannotHonourAreRefused() {
        LimitPolicy policy = new LimitPolicy();
        policy.configure(Map.of("max.coroutines", "100000", "max.call.depth", "1000000", "max.string.length", "2147483647",
                "max.memory.bytes", String.valueOf(Runtime.getRuntime().maxMemory()), "max.table.size", "2000000000"));
        assertEquals(ResourceLimits.DEFAULTS, policy.caps());
        policy.configure(Map.of("max.coroutines", "1000", "max.call.depth", "200", "max.string.length", "100000",
                "max.memory.bytes", String.valueOf(LimitPolicy.maxMemoryCap())));
        assertEquals(1_000, policy.caps().maxCoroutines());
        assertEquals(200, policy.caps().maxCallDepth());
        assertEquals(100_000, policy.caps().maxStringLength());
        assertEquals(LimitPolicy.maxMemoryCap(), policy.caps().maxMemoryBytes());
    }
}
