package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class RolloutTest {
    @Test
    public void stagesAreCumulativeSizesOfTheGroupAndNeverEmpty() {
        assertEquals(1, Rollout.size("1", 500));
        assertEquals(50, Rollout.size("10%", 500));
        assertEquals(1, Rollout.size("10%", 3));
        assertEquals(2, Rollout.size("50%", 3));
        assertEquals(500, Rollout.size("all", 500));
        assertEquals(3, Rollout.size("5", 3));
    }

    @Test
    public void aBadStageIsNamed() {
        for (String bad : List.of("0", "150%", "abc", "-1", "1,,all")) {
            try {
                Rollout.parseStages(bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertEquals(true, e.getMessage().startsWith("stage '"));
            }
        }
        assertEquals(List.of("1", "10%", "all"), Rollout.parseStages("1, 10%, all"));
    }

    @Test
    public void theFailureRateCountsAnsweredGatewaysOnlyAndTheStateSurvivesItsJson() {
        Instant t = Instant.parse("2026-12-01T19:00:00Z");
        Rollout r = new Rollout("g-v1", "{}", "g", 1, "health", List.of("1", "all"), 0.25, 1, Rollout.State.RUNNING,
                Map.of(), null, t, t)
                .withResult("a", Rollout.Result.APPLIED, "deployed")
                .withResult("b", Rollout.Result.FAILED, "BAD_SCRIPT: x")
                .withResult("c", Rollout.Result.PENDING, "offline");
        assertEquals(0.5, r.failureRate(), 1e-9);
        Rollout back = Rollout.fromJson(r.toJson());
        assertEquals(r.results(), back.results());
        assertEquals(r.stages(), back.stages());
        assertEquals("health", back.healthCheck());
        assertEquals(0.25, back.maxFailureRate(), 0);
        assertEquals(1, back.stage());
    }
}
