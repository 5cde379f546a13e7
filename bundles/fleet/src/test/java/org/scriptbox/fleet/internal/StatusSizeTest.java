package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionStats;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Q48: a gateway's status over the controller's 1 MB inbound limit (long lastError texts on many scripts) was dropped
 * there silently: the gateway's health stayed what it last was, and a rollout counted it healthy.
 */
public class StatusSizeTest {
    private static FleetBench bench;

    @BeforeClass
    public static void broker() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        bench = new FleetBench();
        bench.start(Duration.ofSeconds(5), FleetController.DEFAULT_KEPT);
    }

    @AfterClass
    public static void close() throws Exception {
        if (bench != null) {
            bench.close();
        }
    }

    /** The gateway end: each lastError clipped to 200 characters, the status under 256 KB, saying what it left out. */
    @Test
    public void aGatewaysStatusStaysUnder256KbAndSaysWhatItDropped() throws Exception {
        List<ScriptInfo> scripts = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            scripts.add(new ScriptInfo(ScriptMetadata.defaults("s" + i), ScriptStatus.FAILED, ExecutionStats.EMPTY,
                    ScriptError.of(ErrorKind.RUNTIME, "e".repeat(5_000)), null, Instant.now(), null, 0));
        }
        ObjectNode status = StatusReport.status("gw1", List.of("line1"), scripts, Set.of(), Map.of());
        int size = status.toString().getBytes(StandardCharsets.UTF_8).length;
        assertTrue("status of " + size + " bytes", size <= StatusReport.MAX_STATUS_BYTES);
        for (JsonNode s : status.get("scripts")) {
            assertTrue(s.path("lastError").asText().length() + " characters", s.path("lastError").asText().length() < 240);
        }
        int listed = status.get("scripts").size();
        assertTrue("listed " + listed, listed > 100 && listed < 3_000);
        assertEquals(3_000 - listed, status.path("scriptsDropped").asInt());
        assertTrue(status.path("scriptsNote").asText(), status.path("scriptsNote").asText().contains("not listed"));
        assertEquals("degraded", status.path("health").asText());

        ObjectNode small = StatusReport.status("gw1", List.of("line1"), scripts.subList(0, 10), Set.of(), Map.of());
        assertEquals(10, small.get("scripts").size());
        assertTrue(small.toString(), small.path("scriptsDropped").isMissingNode());
    }

    /** The controller end: counted, the gateway's health unknown, and a rollout stage counts it failed. */
    @Test
    public void anOversizeStatusMakesTheHealthUnknownAndFailsTheStage() throws Exception {
        SimGatewayLink g = bench.gateway("big1", "lineB", false);
        long before = bench.controller.oversizeStatuses();
        g.lastErrorAfterDeploy = (1 << 20) + 1000;   // a gateway of before Q48's clip
        String id = bench.deployAndWait("lineB", 1, 0, State.ROLLED_BACK);
        Rollout r = bench.rollout(id);
        Result res = r.results().get("big1");
        assertTrue(r.toString(), res.detail().contains("health is unknown") && res.detail().contains("over the controller's 1 MB limit"));
        assertTrue(bench.controller.oversizeStatuses() > before);
        g.shortErrors();   // a readable status again: its health is known again
        until("health known again", () -> !bench.view("big1").healthUnknown(), Duration.ofSeconds(10));
        assertEquals("ok", bench.view("big1").health());
    }
}
