package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;

/** Q33: the controller's rollouts indexed by group and gateway, and which of a group's to forget. */
public class RolloutBookTest {
    private static Rollout rollout(String group, long version, State state, String... gateways) {
        Map<String, Result> results = new java.util.LinkedHashMap<>();
        for (String g : gateways) {
            results.put(g, new Result(Result.APPLIED, ""));
        }
        Instant at = Instant.parse("2026-12-02T05:00:00Z").plusSeconds(version);
        return new Rollout(group + "-v" + version, "{}", group, version, null, List.of("all"), 0, 1, state, results, null, at, at);
    }

    @Test
    public void aBirthFindsTheGroupsItHasResultsInWithoutLookingAtAllRollouts() {
        RolloutBook book = new RolloutBook();
        book.put(rollout("line1", 1, State.COMPLETED, "gw1", "gw2"));
        book.put(rollout("line2", 1, State.RUNNING));
        book.put(rollout("line2", 1, State.RUNNING).withResult("gw1", Result.PENDING, "offline"));
        assertEquals(Set.of("line1", "line2"), book.groupsOf("gw1"));
        assertEquals(Set.of("line1"), book.groupsOf("gw2"));
        assertEquals(Set.of(), book.groupsOf("gw3"));
        assertTrue(book.hasGroup("line2"));
        assertFalse(book.hasGroup("line3"));
        assertEquals(1, book.ofGroup("line2").size());
        assertEquals(2, book.size());
    }

    @Test
    public void theNewestFinishedAreKeptAndEveryUnfinishedOne() {
        RolloutBook book = new RolloutBook();
        book.put(rollout("line1", 1, State.COMPLETED, "gw1"));
        book.put(rollout("line1", 2, State.HALTING, "gw1"));
        book.put(rollout("line1", 3, State.ROLLED_BACK, "gw2"));
        book.put(rollout("line1", 4, State.HALTED, "gw2"));
        book.put(rollout("line1", 5, State.RUNNING, "gw2"));
        book.put(rollout("line2", 1, State.COMPLETED, "gw1"));
        assertEquals(List.of("line1-v1", "line1-v3"), book.prunable("line1", 1).stream().map(Rollout::id).toList());
        assertEquals(List.of("line1-v1"), book.prunable("line1", 2).stream().map(Rollout::id).toList());
        assertEquals("at least the newest finished one is kept", List.of("line1-v1", "line1-v3"),
                book.prunable("line1", 0).stream().map(Rollout::id).toList());
        assertEquals(List.of(), book.prunable("line2", 1));
        for (Rollout r : book.prunable("line1", 1)) {
            book.remove(r);
        }
        assertEquals(List.of(2L, 4L, 5L), book.ofGroup("line1").stream().map(Rollout::version).toList());
        assertEquals("gw1 is still in line1-v2 and line2", Set.of("line1", "line2"), book.groupsOf("gw1"));
        book.remove(book.get("line1-v2"));
        assertEquals(Set.of("line2"), book.groupsOf("gw1"));
        assertEquals(Set.of("line1"), book.groupsOf("gw2"));
    }

    /** Q56: the newest of a group is the one started last by the controller's count, not by a clock that stepped. */
    @Test
    public void theNewestIsByTheControllersCountNotByAClockThatStepped() {
        RolloutBook book = new RolloutBook();
        Instant ahead = Instant.parse("2027-06-01T00:00:00Z");   // the clock was set months ahead when v1 started
        Instant corrected = Instant.parse("2026-12-02T05:00:00Z");
        Rollout v1 = new Rollout("line1-v1", "{}", "line1", 1, null, List.of("all"), 0, 1, State.COMPLETED, Map.of(), null,
                ahead, ahead, 0, null, 1);
        Rollout v2 = new Rollout("line1-v2", "{}", "line1", 2, null, List.of("all"), 0, 1, State.COMPLETED, Map.of(), null,
                corrected, corrected, 0, null, 2);
        book.put(v2);
        book.put(v1);
        assertEquals(List.of("line1-v1", "line1-v2"), book.ofGroup("line1").stream().map(Rollout::id).toList());
        assertEquals(2, book.maxSeq());
        assertEquals("the older is the one to forget", List.of("line1-v1"), book.prunable("line1", 1).stream().map(Rollout::id).toList());
        assertEquals("saved and read back", 2, Rollout.fromJson(v2.toJson()).seq());
        Rollout legacy = rollout("line1", 0, State.COMPLETED);   // a file of before seq: older than any counted one
        book.put(legacy);
        assertEquals("line1-v0", book.ofGroup("line1").get(0).id());
    }
}
