package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Q46: forgetting old rollouts (rollouts.kept) forgot the rollback a gateway away still owed (ROLLBACK_OWED): back, it
 * got only the newest package, and the scripts only the rolled-back package had stayed live. Q56: the newest rollout
 * of a group was the one with the latest start time, so a clock step made an old one newest.
 */
public class OwedRollbackTest {
    private FleetBench bench;

    @Before
    public void broker() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        bench = new FleetBench();
    }

    @After
    public void close() throws Exception {
        if (bench != null) {
            bench.close();
        }
    }

    /** v1 rolled back while a2 did not answer (rollback owed); a2 away through v2..v4; v1 forgotten (kept 2). */
    private String owedThenForgotten() throws Exception {
        bench.start(Duration.ofSeconds(2), 2);
        bench.gateway("a1", "lineQ", false);
        SimGatewayLink ghost = bench.gateway("a2", "lineQ", true);
        String v1 = bench.deployAndWait("lineQ", 1, 0, State.ROLLED_BACK);
        assertEquals(bench.rollout(v1).toString(), Result.ROLLBACK_OWED, bench.rollout(v1).results().get("a2").outcome());
        bench.away(ghost);
        for (int v = 2; v <= 4; v++) {
            bench.deployAndWait("lineQ", v, 1.0, State.COMPLETED);
        }
        until("v1 forgotten", () -> bench.controller.rollout(v1).isEmpty(), Duration.ofSeconds(10));
        return v1;
    }

    @Test
    public void aRollbackOwedOutlivesItsForgottenRolloutAndIsSentAtTheReturn() throws Exception {
        owedThenForgotten();
        Path file = bench.data.resolve("owed-rollbacks/lineQ.json");
        assertTrue("kept durably", Files.exists(file));
        SimGatewayLink back = bench.gateway("a2", "lineQ", false);
        until("the owed rollback and the newest package", () -> back.received.size() >= 2, Duration.ofSeconds(15));
        assertEquals("the forgotten rollout's rollback first, then the newest package", List.of("rollback 1", "deploy 4"),
                back.received);
        until("cleared at its answer", () -> !Files.exists(file), Duration.ofSeconds(10));
    }

    @Test
    public void aRollbackOwedSurvivesAControllerRestart() throws Exception {
        owedThenForgotten();
        bench.stopController();
        bench.start(Duration.ofSeconds(2), 2);
        SimGatewayLink back = bench.gateway("a2", "lineQ", false);
        until("the owed rollback and the newest package", () -> back.received.size() >= 2, Duration.ofSeconds(15));
        assertEquals(List.of("rollback 1", "deploy 4"), back.received);
        until("cleared", () -> !Files.exists(bench.data.resolve("owed-rollbacks/lineQ.json")), Duration.ofSeconds(10));
        // its catch-up's answer recorded before the stop (one not recorded is asked again, rightly)
        until("v4 recorded applied", () -> bench.controller.rollouts().stream().anyMatch(r -> r.version() == 4
                && Result.APPLIED.equals(r.results().get("a2").outcome())), Duration.ofSeconds(10));
        bench.stopController();
        bench.start(Duration.ofSeconds(2), 2);
        back.rebirth();   // a later return: nothing owed any more
        until("v4 seen applied", () -> bench.controller.rollouts().stream().anyMatch(r -> r.version() == 4
                && Result.APPLIED.equals(r.results().get("a2").outcome())), Duration.ofSeconds(10));
        assertEquals(List.of("rollback 1", "deploy 4"), back.received);
    }

    /** Away through a completed rollout and then a rolled-back one: back, it gets the newest completed package. */
    @Test
    public void aGatewayAwayThroughACompletedAndARolledBackRolloutGetsTheCompletedPackage() throws Exception {
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        SimGatewayLink c1 = bench.gateway("c1", "lineC", false);
        bench.away(bench.gateway("c3", "lineC", false));
        String v1 = bench.deployAndWait("lineC", 1, 1.0, State.COMPLETED);
        assertEquals(Result.PENDING, bench.rollout(v1).results().get("c3").outcome());
        c1.problemAfterDeploy = "blink: FAILED boom";
        bench.deployAndWait("lineC", 2, 0, State.ROLLED_BACK);
        SimGatewayLink back = bench.gateway("c3", "lineC", false);
        until("c3 caught up with v1", () -> Result.APPLIED.equals(bench.rollout(v1).results().get("c3").outcome()),
                Duration.ofSeconds(15));
        assertEquals(List.of("deploy 1"), back.received);
    }

    /** Q56: v1 started while the clock was a month ahead; v2 after it was corrected: v2 is the newest. */
    @Test
    public void theNewestRolloutIsTheOneStartedLastWhateverTheClockDid() throws Exception {
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        bench.gateway("t1", "lineT", false);
        String v1 = bench.deployAndWait("lineT", 1, 1.0, State.COMPLETED);
        bench.stopController();
        Path f = bench.data.resolve("rollouts/" + v1 + ".json");
        ObjectNode o = (ObjectNode) PackageCodec.JSON.readTree(Files.readAllBytes(f));
        o.put("startedAt", Instant.now().plus(Duration.ofDays(30)).toString());   // the clock was ahead then
        Files.writeString(f, o.toString());
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        String v2 = bench.deployAndWait("lineT", 2, 1.0, State.COMPLETED);
        SimGatewayLink late = bench.gateway("t2", "lineT", false);   // joins the group: catches up with the newest
        until("t2 caught up", () -> !late.received.isEmpty(), Duration.ofSeconds(15));
        assertEquals(List.of("deploy 2"), late.received);
        assertEquals(v2, bench.controller.rollouts().get(bench.controller.rollouts().size() - 1).id());
        assertFalse(bench.rollout(v2).envelope().isEmpty());
    }
}
