package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.testsupport.await.Until.until;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Session 11's attacks on the controller's rollout side: two controllers on one data folder, hand-edited and cut
 * files (rollout, owed rollbacks, the gateway's ledger).
 */
public class RedTeamSession11LedgerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    @Rule
    public Closer closer = new Closer();
    private FleetBench bench;


    private void bench() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        bench = closer.add(new FleetBench());
    }

    /** Before: the second started, and both rewrote the same rollout files and drove the same rollouts. */
    @Test
    public void aSecondControllerOnTheSameDataFolderIsRefused() throws Exception {
        bench();
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        FleetController second = FleetController.plain("127.0.0.1", bench.port, FleetBench.FLEET, "ctl2", bench.data,
                Duration.ofSeconds(3));
        try {
            second.start();
            fail("two controllers on one data folder");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("another controller uses the data folder"));
        } finally {
            second.close();
        }
        bench.stopController();
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);   // free again once the first stopped
        assertTrue(bench.controller.rollouts().isEmpty());
    }

    /** A hand-edited rollout file whose group is a path: not loaded (its group names the owed-rollbacks file). */
    @Test
    public void aRolloutFileWhoseGroupIsAPathIsNotLoaded() throws Exception {
        Path dir = tmp.newFolder("rollouts").toPath();
        Instant now = Instant.now();
        Rollout r = new Rollout("line1-v1-x", "{}", "line1", 1, null, List.of("all"), 0, 1, State.ROLLED_BACK,
                Map.of("gw1", new Result(Result.ROLLBACK_OWED, "")), null, now, now, 0, null, 1);
        ObjectNode o = r.toJson();
        o.put("group", "../../evil");
        Files.writeString(dir.resolve("a.json"), o.toString());
        ObjectNode p = r.toJson();
        p.put("id", "../../evil");
        Files.writeString(dir.resolve("b.json"), p.toString());
        Files.writeString(dir.resolve("c.json"), r.toJson().toString());
        List<Rollout> loaded = new RolloutStore(dir).load();
        assertEquals("only the sound one", List.of("line1-v1-x"), loaded.stream().map(Rollout::id).toList());
    }

    /** A rollout file cut short (a disk fault) and the gateway's ledger cut short: neither is taken as empty. */
    @Test
    public void cutFilesAreNotTakenAsEmpty() throws Exception {
        Path dir = tmp.newFolder("rollouts2").toPath();
        Instant now = Instant.now();
        String json = new Rollout("line1-v1-x", "{}", "line1", 1, null, List.of("all"), 0, 1, State.COMPLETED, Map.of(), null,
                now, now, 0, null, 1).toJson().toString();
        Files.writeString(dir.resolve("line1-v1-x.json"), json.substring(0, json.length() / 2));
        assertEquals(List.of(), new RolloutStore(dir).load());
        Path ledgerFile = tmp.getRoot().toPath().resolve("fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(ledgerFile, List.of("line1"));
        ledger.record(new PackageLedger.Entry("line1", 7, "ops", "d7", now, PackageLedger.State.ROLLING_BACK, List.of("a"),
                List.of(new PackageLedger.Undo("a", true, "return 1", "x")), null));
        byte[] all = Files.readAllBytes(ledgerFile);
        Files.write(ledgerFile, java.util.Arrays.copyOf(all, all.length - 5));
        try {
            new PackageLedger(ledgerFile, List.of("line1"));
            fail("a cut ledger read as a ledger");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is damaged"));
        }
    }

    /** A damaged owed-rollbacks file: the controller starts, never overwrites it, and keeps the owing rollout. */
    @Test
    public void aDamagedOwedRollbacksFileIsNotOverwrittenAndTheOwingRolloutIsKept() throws Exception {
        bench();
        Path owedFile = Files.createDirectories(bench.data.resolve("owed-rollbacks")).resolve("lineQ.json");
        Files.writeString(owedFile, "{\"group\":\"lineQ\",\"owed\":[{\"gateway\":");   // cut by hand
        bench.start(Duration.ofSeconds(2), 1);
        bench.gateway("a1", "lineQ", false);
        SimGatewayLink ghost = bench.gateway("a2", "lineQ", true);
        String v1 = bench.deployAndWait("lineQ", 1, 0, State.ROLLED_BACK);
        bench.away(ghost);
        bench.deployAndWait("lineQ", 2, 1.0, State.COMPLETED);
        bench.deployAndWait("lineQ", 3, 1.0, State.COMPLETED);
        assertTrue("kept: its owed rollback could not be handed on", bench.controller.rollout(v1).isPresent());
        assertEquals("{\"group\":\"lineQ\",\"owed\":[{\"gateway\":", Files.readString(owedFile));
        SimGatewayLink back = bench.gateway("a2", "lineQ", false);
        until("its rollback and the newest package", () -> back.received.size() >= 2, Duration.ofSeconds(15));
        assertEquals(List.of("rollback 1", "deploy 3"), back.received);
    }

    /** A rollout file whose seq was edited to the end of the range: the next deploy is refused, not wrapped to oldest. */
    @Test
    public void aSeqEditedToTheEndOfTheRangeIsRefusedNotWrapped() throws Exception {
        bench();
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        bench.gateway("s1", "lineS", false);
        String v1 = bench.deployAndWait("lineS", 1, 1.0, State.COMPLETED);
        bench.stopController();
        Path f = bench.data.resolve("rollouts/" + v1 + ".json");
        ObjectNode o = (ObjectNode) PackageCodec.JSON.readTree(Files.readAllBytes(f));
        o.put("seq", Long.MAX_VALUE);
        Files.writeString(f, o.toString());
        bench.start(Duration.ofSeconds(3), FleetController.DEFAULT_KEPT);
        try {
            bench.controller.deploy(bench.envelope("lineS", 2), List.of("all"), 1.0);
            fail("a rollout with a wrapped seq, older than all");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("highest seq"));
        }
    }
}
