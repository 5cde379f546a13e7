package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.fleet.internal.SimGatewayLink.commands;
import static org.scriptbox.testsupport.await.Until.until;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;
import org.scriptbox.testsupport.mqtt.Mosquitto;


/**
 * Issue 18.4 (the rollout's halt and health) against a real Mosquitto, with the real controller and simulated
 * gateways speaking the protocol over our own {@link PahoLink} (they answer in order, one request at a time, as
 * a gateway does; a test can hold a gateway's deploy answer): a halt mid-stage answers at once, sends no further
 * deploy, stays HALTING while a deploy is on the way and rolls that gateway back when it answers; a soak fails a
 * gateway whose status turns degraded, and a restarted controller does not start the soak again.
 */
public class ControllerHaltSoakTest {
    private static final String FLEET = "plant";
    private static Path dir;
    private static Mosquitto broker;
    private static int port;
    private static KeyPair ops;

    private final List<SimGatewayLink> sims = new ArrayList<>();
    private FleetController controller;
    private Path data;

    @BeforeClass
    public static void broker() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        dir = Files.createTempDirectory("controller-halt");
        broker = new Mosquitto(Files.createDirectories(dir.resolve("broker"))).start();
        port = broker.port();
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    @Before
    public void controller() throws Exception {
        data = Files.createTempDirectory(dir, "ctl");
    }

    @After
    public void close() {
        if (controller != null) {
            controller.close();
        }
        sims.forEach(SimGatewayLink::close);
    }

    private FleetController startController() throws IOException {
        return startController(Duration.ofSeconds(8));
    }

    private FleetController startController(Duration requestTimeout) throws IOException {
        return startController(requestTimeout, FleetController.DEFAULT_KEPT);
    }

    private FleetController startController(Duration requestTimeout, int kept) throws IOException {
        controller = FleetController.plain("127.0.0.1", port, FLEET, "ctl", data, requestTimeout).keepFinished(kept).start();
        return controller;
    }

    /** Gateways of group {@code group}, all online and seen by the controller. */
    private List<SimGatewayLink> gateways(String group, String... ids) throws Exception {
        List<SimGatewayLink> out = new ArrayList<>();
        for (String id : ids) {
            SimGatewayLink s = new SimGatewayLink(port, FLEET, id, group, false);
            sims.add(s);
            out.add(s);
        }
        until("gateways seen", () -> controller.gateways().stream().filter(GatewayView::online)
                .filter(g -> g.groups().contains(group)).count() == ids.length, Duration.ofSeconds(15));
        return out;
    }

    /** The gateway's link is lost (its will: offline, seen by the controller), then it is gone. */
    private void die(SimGatewayLink s) throws InterruptedException {
        s.sayOffline();
        until(s.id + " offline", () -> !controller.gateways().stream().filter(v -> v.id().equals(s.id)).findFirst().orElseThrow()
                .online(), Duration.ofSeconds(10));
        s.close();
    }

    private boolean online(String gateway) {
        return controller.gateways().stream().anyMatch(v -> v.id().equals(gateway) && v.online());
    }

    private static String envelope(String group, long version) {
        FleetPackage p = new FleetPackage(FLEET, group, version, List.of(new PackageScript("blink", "return 1",
                "name = \"blink\"\nversion = \"1.0.0\"\n")), null, Instant.now());
        return PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));
    }

    private Rollout rollout(String id) {
        return controller.rollout(id).orElseThrow();
    }

    @Test
    public void aHaltMidStageAnswersAtOnceSendsNothingMoreAndUndoesWhatWasOnTheWay() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineA", "a1", "a2", "a3", "a4");
        SimGatewayLink slow = g.get(1);
        slow.holdDeploys();
        String id = controller.deploy(envelope("lineA", 1), List.of("2", "all"), 0);
        until("a1 applied, a2 got its deploy", () -> rollout(id).results().containsKey("a1")
                && commands(slow.received).contains("deploy"), Duration.ofSeconds(15));

        long t0 = System.nanoTime();
        String answer = controller.halt(id, false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue("answered at once: " + ms + " ms", ms < 1000);
        assertTrue(answer, answer.startsWith("halting rollout " + id) && answer.contains("[a2]"));
        until("HALTING", () -> rollout(id).state() == State.HALTING, Duration.ofSeconds(5));
        assertEquals(Result.IN_FLIGHT, rollout(id).results().get("a2").outcome());
        assertTrue(rollout(id).reason(), rollout(id).reason().contains("[a2]"));
        Thread.sleep(300);   // a window in which a HALTED report would be wrong: the answer is still held
        assertEquals("not reported halted while a2 may still apply it", State.HALTING, rollout(id).state());

        slow.releaseDeploys();   // a2 applies it now, then takes the rollback that was queued behind the deploy
        until("HALTED", () -> rollout(id).state() == State.HALTED, Duration.ofSeconds(15));
        Rollout r = rollout(id);
        assertEquals(r.toString(), Result.ROLLED_BACK, r.results().get("a2").outcome());
        assertTrue(r.results().get("a2").detail(), r.results().get("a2").detail().contains("it applied it; rolled back"));
        assertEquals(List.of("deploy", "rollback"), commands(slow.received));
        assertEquals("a1 keeps it (no --rollback)", Result.APPLIED, r.results().get("a1").outcome());
        assertEquals(List.of("deploy"), commands(g.get(0).received));
        assertEquals("no further deploy after the halt", List.of(), commands(g.get(2).received));
        assertEquals(List.of(), commands(g.get(3).received));
        assertFalse(r.results().containsKey("a3"));
    }

    @Test
    public void aHaltWithRollbackRollsBackEveryoneIncludingTheOneOnTheWay() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineB", "b1", "b2", "b3");
        g.get(2).holdDeploys();
        String id = controller.deploy(envelope("lineB", 1), List.of("all"), 0);
        until("b1, b2 applied", () -> rollout(id).count(Result.APPLIED) == 2 && commands(g.get(2).received).contains("deploy"),
                Duration.ofSeconds(15));
        String answer = controller.halt(id, true);
        assertTrue(answer + "\n" + rollout(id) + "\n" + g.get(2).received, answer.contains("[b3]") && answer.contains("rolled back"));
        until("ROLLING_BACK", () -> rollout(id).state() == State.ROLLING_BACK, Duration.ofSeconds(5));
        g.get(2).releaseDeploys();
        until("ROLLED_BACK", () -> rollout(id).state() == State.ROLLED_BACK, Duration.ofSeconds(15));
        for (SimGatewayLink s : g) {
            assertEquals(s.id, List.of("deploy", "rollback"), commands(s.received));
            assertEquals(s.id, Result.ROLLED_BACK, rollout(id).results().get(s.id).outcome());
        }
        assertEquals("rollout " + id + " is ROLLED_BACK: nothing to halt", haltRefused(id));
    }

    /** A halt of a finished rollout: refused in one sentence (returned). */
    private String haltRefused(String id) {
        try {
            controller.halt(id, true);
            fail("a finished rollout cannot be halted");
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    public void aGatewayDegradedDuringTheSoakHaltsAndRollsBack() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineC", "c1", "c2");
        String id = controller.deploy(envelope("lineC", 1), List.of("1", "all"), 0, Duration.ofSeconds(20));
        until("c1 soaking", () -> rollout(id).soakUntil() != null, Duration.ofSeconds(15));
        g.get(0).degrade("blink: FAILED blink.lua:3: sensor gone");
        until("ROLLED_BACK", () -> rollout(id).state() == State.ROLLED_BACK, Duration.ofSeconds(15));
        Rollout r = rollout(id);
        assertTrue(r.reason(), r.reason().contains("c1: the gateway's health is degraded during the soak of stage 1: blink: FAILED blink.lua:3: sensor gone"));
        assertEquals("the next stage never started", List.of(), commands(g.get(1).received));
        assertEquals(List.of("deploy", "rollback"), commands(g.get(0).received));
    }

    @Test
    public void aSoakDoesNotHoldUpAnotherGroupsRollout() throws Exception {
        startController();
        gateways("lineF", "f1", "f2");
        List<SimGatewayLink> other = gateways("lineG", "g1");
        String soaking = controller.deploy(envelope("lineF", 1), List.of("1", "all"), 0, Duration.ofSeconds(30));
        until("lineF soaking", () -> rollout(soaking).soakUntil() != null, Duration.ofSeconds(15));
        String id = controller.deploy(envelope("lineG", 1), List.of("all"), 0);
        until("lineG completed during lineF's soak", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(10));
        assertEquals(List.of("deploy"), commands(other.get(0).received));
        assertEquals(State.RUNNING, rollout(soaking).state());
        String answer = controller.halt(soaking, false);
        assertTrue(answer, answer.startsWith("halting rollout " + soaking + ": no further gateway is sent the package"));
        until("halted during the soak", () -> rollout(soaking).state() == State.HALTED, Duration.ofSeconds(5));
        assertEquals(null, rollout(soaking).soakUntil());
    }

    @Test
    public void aDeployNotAnsweredInTimeIsAskedAgainAtItsBirthNotLeftFailed() throws Exception {
        startController(Duration.ofSeconds(2));
        List<SimGatewayLink> g = gateways("lineH", "h1", "h2");
        g.get(1).holdDeploys();
        String id = controller.deploy(envelope("lineH", 1), List.of("all"), 1.0);   // failures tolerated
        until("COMPLETED with h2 unanswered", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        Result h2 = rollout(id).results().get("h2");
        assertEquals(Result.FAILED, h2.outcome());
        assertTrue(h2.detail(), h2.detail().startsWith("no answer within 2 s: it may still apply it"));
        g.get(1).releaseDeploys();   // it applies it after all (its answer finds nobody waiting)
        until("h2 applied late", () -> g.get(1).version == 1, Duration.ofSeconds(10));
        g.get(1).rebirth();
        until("h2 recorded as what it did", () -> rollout(id).results().get("h2").outcome().equals(Result.APPLIED),
                Duration.ofSeconds(10));
        assertEquals(List.of("deploy", "deploy"), commands(g.get(1).received));
    }

    @Test
    public void aGatewayAlreadyDegradedByAnotherScriptStillGetsThePackage() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineI", "i1", "i2");
        g.get(0).degrade("pump: FAILED pump.lua:9: no such device");   // not a script of the package
        until("seen degraded", () -> controller.gateways().stream().anyMatch(v -> v.id().equals("i1") && v.degraded()),
                Duration.ofSeconds(10));
        String id = controller.deploy(envelope("lineI", 1), List.of("1", "all"), 0, Duration.ofMillis(600));
        until("COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        assertEquals(Result.APPLIED, rollout(id).results().get("i1").outcome());
        assertEquals(List.of("deploy"), commands(g.get(1).received));
    }

    @Test
    public void aGatewayDegradedRightAfterTheDeployFails() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineD", "d1", "d2");
        g.get(0).problemAfterDeploy = "health: TIMEOUT";
        String id = controller.deploy(envelope("lineD", 1), List.of("1", "all"), 0);
        until("ROLLED_BACK", () -> rollout(id).state() == State.ROLLED_BACK, Duration.ofSeconds(15));
        assertTrue(rollout(id).reason(), rollout(id).reason().contains("degraded after the deploy: health: TIMEOUT"));
        assertEquals(List.of(), commands(g.get(1).received));
    }

    @Test
    public void aRestartedControllerFinishesTheSoakItWasInNotANewOne() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineE", "e1", "e2");
        String id = controller.deploy(envelope("lineE", 1), List.of("1", "all"), 0, Duration.ofSeconds(4));
        until("e1 soaking", () -> rollout(id).soakUntil() != null, Duration.ofSeconds(15));
        Instant soakUntil = rollout(id).soakUntil();
        // restarted 2.5 s into the soak: a new soak would end 2.5 s after this one
        until("2.5 s into the soak", () -> Instant.now().isAfter(soakUntil.minusMillis(1500)), Duration.ofSeconds(10));
        controller.close();
        controller = null;
        startController();
        until("COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        Instant done = rollout(id).updatedAt();
        assertTrue("completed at " + done + ", the soak ended at " + soakUntil, !done.isBefore(soakUntil)
                && done.isBefore(soakUntil.plusMillis(2000)));
        assertEquals("stage 1 was not run again", List.of("deploy"), commands(g.get(0).received));
        assertEquals(List.of("deploy"), commands(g.get(1).received));
    }

    /**
     * Q33: the controller kept every rollout for ever, in memory (with its package) and as a file, and each birth
     * looked at all of them. Now each group keeps its newest finished rollouts (3 here), every unfinished one, and a
     * package only in its newest; what is beyond is deleted, files and memory. A restart, also with a shorter
     * history, prunes again and resumes the rollout that was under way.
     */
    @Test
    public void theHistoryIsBoundedInMemoryAndFilesAndARestartResumesWhatIsUnfinished() throws Exception {
        startController(Duration.ofSeconds(8), 3);
        List<SimGatewayLink> k = gateways("histA", "ha1");
        List<SimGatewayLink> l = gateways("histB", "hb1");
        for (int v = 1; v <= 12; v++) {
            String id = controller.deploy(envelope("histA", v), List.of("all"), 0);
            until("v" + v + " COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        }
        // pruned on the group's lane right after the last one finished
        until("3 rollouts kept, files and memory, only the newest with its package",
                () -> files().equals(List.of("histA-v10", "histA-v11", "histA-v12")) && controller.rollouts().stream()
                        .map(r -> r.envelope().isEmpty()).toList().equals(List.of(true, true, false)), Duration.ofSeconds(10));
        // per kept rollout: itself, its halt signal, its (empty) in-flight and catch-up sets, the newest's package tree
        until("held in memory: bounded by the kept rollouts (12 rollouts held 12 x 4 and more)",
                () -> controller.held() <= 3 * 4 + 1, Duration.ofSeconds(10));
        List<Rollout> kept = controller.rollouts().stream().filter(r -> r.group().equals("histA")).toList();
        assertEquals(kept.toString(), List.of(10L, 11L, 12L), kept.stream().map(Rollout::version).toList());
        assertEquals(12, k.get(0).received.size());
        try {
            controller.deploy(envelope("histA", 9), List.of("all"), 0);
            fail("the group's version is still known after the pruning");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("package version 9 is not above version 12 of rollout histA-v12"));
        }

        // histB: 4 finished, then one under way (its gateway holds the deploy) when the controller stops
        for (int v = 1; v <= 4; v++) {
            String id = controller.deploy(envelope("histB", v), List.of("all"), 0);
            until("histB v" + v + " COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        }
        l.get(0).holdDeploys();
        String running = controller.deploy(envelope("histB", 5), List.of("all"), 0);
        until("l1 got v5", () -> l.get(0).received.size() == 5, Duration.ofSeconds(15));
        until("histB: 3 finished kept and the one under way", () -> files().stream().filter(x -> x.startsWith("histB")).toList()
                .equals(List.of("histB-v2", "histB-v3", "histB-v4", "histB-v5")), Duration.ofSeconds(10));
        controller.close();
        controller = null;
        startController(Duration.ofSeconds(8), 2);   // a shorter history now
        assertEquals(List.of("histA-v11", "histA-v12"), files().stream().filter(x -> x.startsWith("histA")).toList());
        assertEquals(List.of("histB-v3", "histB-v4", "histB-v5"), files().stream().filter(x -> x.startsWith("histB")).toList());
        assertEquals(List.of(3L, 4L, 5L), controller.rollouts().stream().filter(r -> r.group().equals("histB")).map(Rollout::version).toList());
        assertEquals(State.RUNNING, rollout(running).state());
        l.get(0).releaseDeploys();
        until("the rollout under way resumed and COMPLETED", () -> rollout(running).state() == State.COMPLETED,
                Duration.ofSeconds(20));
        assertEquals(5, l.get(0).version);
        until("histB pruned to 2 once v5 finished", () -> files().stream().filter(x -> x.startsWith("histB")).toList()
                .equals(List.of("histB-v4", "histB-v5")), Duration.ofSeconds(10));
    }

    /** The rollout files in the data area, by rollout id without its time suffix (sorted), markers included. */
    private List<String> files() {
        try (java.util.stream.Stream<Path> f = Files.list(data.resolve("rollouts"))) {
            return f.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp"))
                    .map(n -> n.replaceAll("-[0-9a-z]+\\.json$", "")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A halt while deploys were on the way to gateways that then answer nothing (away, or never coming back): the
     * rollout stayed HALTING for ever. Now the halt's rollback round waits one request timeout, then the rollout is
     * HALTED with those gateways "rollback owed"; the rollback still reaches each when it comes back: one that
     * shows the package in its status (it applied it) gets it then, one born again gets it at its birth.
     */
    @Test
    public void aHaltWhoseGatewaysNeverAnswerEndsHaltedWithTheirRollbackOwed() throws Exception {
        startController(Duration.ofSeconds(2));
        gateways("haltC", "hc1");
        SimGatewayLink applied = new SimGatewayLink(port, FLEET, "hc2", "haltC", true);
        SimGatewayLink away = new SimGatewayLink(port, FLEET, "hc3", "haltC", true);
        sims.add(applied);
        sims.add(away);
        until("hc2, hc3 seen", () -> online("hc2") && online("hc3"), Duration.ofSeconds(15));
        String id = controller.deploy(envelope("haltC", 1), List.of("all"), 0);
        until("the deploys sent", () -> rollout(id).results().containsKey("hc1") && commands(applied.ignored).contains("deploy")
                && commands(away.ignored).contains("deploy"), Duration.ofSeconds(15));
        String answer = controller.halt(id, false);
        assertTrue(answer, answer.contains("[hc2, hc3]"));
        until("HALTED after one request timeout, not HALTING for ever", () -> rollout(id).state() == State.HALTED,
                Duration.ofSeconds(20));
        Rollout r = rollout(id);
        for (String g : List.of("hc2", "hc3")) {
            assertEquals(r.toString(), Result.ROLLBACK_OWED, r.results().get(g).outcome());
            assertTrue(r.results().get(g).detail(), r.results().get(g).detail().startsWith("its deploy was on the way at the halt "
                    + "and neither it nor the rollback behind it was answered within 2 s: it may have applied it"));
        }
        assertTrue(r.reason(), r.reason().contains("rollback owed by 2 gateway(s) [hc2, hc3]"));
        assertEquals(List.of("deploy", "rollback"), commands(applied.ignored));
        assertTrue(haltRefused(id), haltRefused(id).contains("HALTED (rollback owed by 2 gateway(s) [hc2, hc3]"));

        // hc2 answers again and its status shows the package (it applied it): rolled back, without a new birth
        applied.mute = false;
        applied.version = 1;
        applied.status();
        until("hc2 rolled back", () -> rollout(id).results().get("hc2").outcome().equals(Result.ROLLED_BACK), Duration.ofSeconds(10));
        assertEquals(List.of("rollback"), commands(applied.received));
        assertEquals(0, applied.version);
        assertTrue(rollout(id).results().get("hc2").detail(), rollout(id).results().get("hc2").detail().contains("rolled back"));
        // hc3 is born again: its owed rollback at its birth
        away.mute = false;
        away.rebirth();
        until("hc3's owed rollback answered", () -> rollout(id).results().get("hc3").outcome().equals(Result.ROLLED_BACK),
                Duration.ofSeconds(10));
        assertEquals(List.of("rollback"), commands(away.received));
        assertEquals(State.HALTED, rollout(id).state());
        assertEquals("", rollout(id).owedText());
    }

    /**
     * Q13: a gateway that never answers (a ghost birth, a gateway dead for good) fails the stage, the rollout is
     * rolled back and ends ROLLED_BACK with that gateway "rollback owed" after one request timeout (it stayed
     * ROLLING_BACK for ever and the group's next rollout was refused); the halt's refusal and the shell say so; when it
     * returns, its owed rollback goes first, then the newer rollout's package.
     */
    @Test
    public void aGatewayThatNeverAnswersEndsRolledBackWithItsRollbackOwedAndTheGroupMovesOn() throws Exception {
        startController(Duration.ofSeconds(2));
        gateways("lineJ", "j1");
        SimGatewayLink ghost = new SimGatewayLink(port, FLEET, "j2", "lineJ", true);
        sims.add(ghost);
        until("j2 seen", () -> online("j2"), Duration.ofSeconds(15));
        String v1 = controller.deploy(envelope("lineJ", 1), List.of("all"), 0);
        until("ROLLED_BACK", () -> rollout(v1).state() == State.ROLLED_BACK, Duration.ofSeconds(15));
        Rollout r = rollout(v1);
        assertEquals(r.toString(), Result.ROLLED_BACK, r.results().get("j1").outcome());
        assertEquals(r.toString(), Result.ROLLBACK_OWED, r.results().get("j2").outcome());
        assertTrue(r.results().get("j2").detail(), r.results().get("j2").detail().contains("sent again when it returns"));
        assertEquals(List.of("deploy", "rollback"), commands(ghost.ignored));
        assertTrue(haltRefused(v1), haltRefused(v1).contains("ROLLED_BACK (rollback owed by 1 gateway(s) [j2]"));
        String v2 = controller.deploy(envelope("lineJ", 2), List.of("all"), 1.0);   // accepted: the group is not blocked
        until("v2 COMPLETED", () -> rollout(v2).state() == State.COMPLETED, Duration.ofSeconds(15));
        ghost.mute = false;
        ghost.rebirth();
        until("j2's owed rollback answered and v2 caught up", () -> rollout(v1).results().get("j2").outcome().equals(Result.ROLLED_BACK)
                && rollout(v2).results().get("j2").outcome().equals(Result.APPLIED), Duration.ofSeconds(15));
        assertEquals("the old rollout's rollback first, then the new package", List.of("rollback", "deploy"), commands(ghost.received));
        assertEquals("", rollout(v1).owedText());
        assertEquals(2, ghost.version);
    }

    /** Point 3: a stage waiting for a silent gateway holds its own group only; the halt of it answers at once. */
    @Test
    public void aStageWaitingForASilentGatewayDoesNotDelayAnotherGroup() throws Exception {
        startController(Duration.ofSeconds(8));
        SimGatewayLink silent = new SimGatewayLink(port, FLEET, "k1", "lineK", true);
        sims.add(silent);
        List<SimGatewayLink> other = gateways("lineL", "l1");
        until("k1 seen", () -> online("k1"), Duration.ofSeconds(15));
        String waiting = controller.deploy(envelope("lineK", 1), List.of("all"), 0);
        until("k1 got its deploy", () -> commands(silent.ignored).contains("deploy"), Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        String id = controller.deploy(envelope("lineL", 1), List.of("all"), 0);
        until("lineL completed while lineK waits", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue("lineL took " + ms + " ms beside lineK's 8 s wait", ms < 4000);
        assertEquals(State.RUNNING, rollout(waiting).state());
        assertEquals(List.of("deploy"), commands(other.get(0).received));
        long h0 = System.nanoTime();
        String answer = controller.halt(waiting, false);
        assertTrue(answer, answer.contains("[k1]"));
        until("HALTING", () -> rollout(waiting).state() == State.HALTING, Duration.ofSeconds(3));
        assertTrue("halted in " + (System.nanoTime() - h0) / 1_000_000 + " ms", System.nanoTime() - h0 < 3_000_000_000L);
    }

    /**
     * Q18: gateways coming back are caught up side by side: one that is hung (takes its catch-up, answers nothing)
     * does not hold up the others, and stays PENDING (asked again at its next birth), never FAILED.
     */
    @Test
    public void catchUpsGoSideBySideAndAHungOneStaysPending() throws Exception {
        startController(Duration.ofSeconds(6));
        List<SimGatewayLink> g = gateways("lineM", "m0", "m1", "m2", "m3");
        for (int i = 0; i < 3; i++) {
            die(g.get(i));
        }
        until("3 offline", () -> controller.gateways().stream().filter(v -> v.groups().contains("lineM") && !v.online()).count() == 3,
                Duration.ofSeconds(10));
        String id = controller.deploy(envelope("lineM", 1), List.of("all"), 0);
        until("COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(15));
        assertEquals(rollout(id).toString(), 3, rollout(id).count(Result.PENDING));
        SimGatewayLink hung = new SimGatewayLink(port, FLEET, "m0", "lineM", true);
        sims.add(hung);
        until("m0's catch-up sent", () -> commands(hung.ignored).contains("deploy"), Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        sims.add(new SimGatewayLink(port, FLEET, "m1", "lineM", false));
        sims.add(new SimGatewayLink(port, FLEET, "m2", "lineM", false));
        until("m1, m2 caught up", () -> rollout(id).count(Result.APPLIED) == 3, Duration.ofSeconds(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue("caught up in " + ms + " ms, not behind m0's 6 s", ms < 3000);
        assertEquals(Result.PENDING, rollout(id).results().get("m0").outcome());
        until("m0's catch-up timed out", () -> rollout(id).results().get("m0").detail().contains("not answered"), Duration.ofSeconds(15));
        assertEquals(Result.PENDING, rollout(id).results().get("m0").outcome());
        hung.mute = false;
        hung.rebirth();
        until("m0 caught up at its next birth", () -> rollout(id).count(Result.APPLIED) == 4, Duration.ofSeconds(10));
    }

    /** A stage's answers are saved in batches: one synced rewrite of the rollout file per batch, not per answer. */
    @Test
    public void aStagesAnswersAreSavedInBatches() throws Exception {
        startController();
        String[] ids = new String[24];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "p" + i;
        }
        gateways("lineP", ids);
        long before = controller.saves();
        String id = controller.deploy(envelope("lineP", 1), List.of("all"), 0);
        until("COMPLETED", () -> rollout(id).state() == State.COMPLETED, Duration.ofSeconds(20));
        assertEquals(ids.length, rollout(id).count(Result.APPLIED));
        // the start, the answers, the next stage and the end: before, 24 answers were 24 rewrites
        long saves = controller.saves() - before;
        System.out.println("ControllerHaltSoakTest: " + ids.length + " answers of one stage, " + saves + " saves in all");
        assertTrue(saves + " saves for " + ids.length + " answers", saves <= 3 + ids.length / 3);
    }

    /**
     * Q32: deploys beyond the controller's bytes in flight wait as the stage's one JSON tree; after a halt, those
     * still waiting are never sent (the gateways that were sent theirs get the rollback behind it).
     */
    @Test
    public void deploysHeldBackForRoomAreNeverSentAfterAHalt() throws Exception {
        startController();
        String[] ids = new String[20];
        List<SimGatewayLink> g = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            ids[i] = String.format("q%02d", i);
            SimGatewayLink s = new SimGatewayLink(port, FLEET, ids[i], "lineQ", true);   // never answer: the room frees at the timeout only
            sims.add(s);
            g.add(s);
        }
        until("20 seen", () -> controller.gateways().stream().filter(v -> v.groups().contains("lineQ") && v.online()).count() == 20,
                Duration.ofSeconds(20));
        FleetPackage p = new FleetPackage(FLEET, "lineQ", 1, List.of(new PackageScript("blink", "return 1 --" + "x".repeat(3 << 19),
                "name = \"blink\"\nversion = \"1.0.0\"\n")), null, Instant.now());
        String big = PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));   // ~2 MB: 20 are ~40 MB
        String id = controller.deploy(big, List.of("all"), 0);
        // sent while under 16 MB in flight (the size is far from a multiple of it): all of them arrive, no more
        long sent = (ControllerLink.MAX_BYTES_OUT + big.length() - 1) / big.length();
        until("the deploys that fit in 16 MB arrived", () -> g.stream().filter(s -> commands(s.ignored).contains("deploy")).count()
                == sent, Duration.ofSeconds(20));
        controller.halt(id, false);
        assertTrue("some held back: " + sent + " of 20 sent", sent < 20);
        // the first deploys time out (8 s): the held ones are answered NOT_SENT, the rollbacks behind them go out
        until("every gateway sent a rollback", () -> g.stream().allMatch(s -> commands(s.ignored).contains("rollback")), Duration.ofSeconds(30));
        assertEquals("no deploy after the halt", sent, g.stream().filter(s -> commands(s.ignored).contains("deploy")).count());
        System.out.println("ControllerHaltSoakTest: " + sent + " of 20 deploys of " + big.length() / 1024 + " KB sent before the halt");
    }

    /** A catch-up on the way when the operator halts: the rollback follows it at once (HALTING until answered). */
    @Test
    public void aCatchUpOnTheWayAtAHaltIsRolledBack() throws Exception {
        startController();
        List<SimGatewayLink> g = gateways("lineN", "n1", "n2");
        die(g.get(1));
        String id = controller.deploy(envelope("lineN", 1), List.of("all", "all"), 0, Duration.ofSeconds(60));
        until("soaking with n2 PENDING", () -> rollout(id).soakUntil() != null, Duration.ofSeconds(15));
        assertEquals(Result.PENDING, rollout(id).results().get("n2").outcome());
        SimGatewayLink back = new SimGatewayLink(port, FLEET, "n2", "lineN", false);
        back.holdDeploys();
        sims.add(back);
        until("n2's catch-up arrived", () -> commands(back.received).contains("deploy"), Duration.ofSeconds(10));
        String answer = controller.halt(id, false);
        assertTrue(answer, answer.contains("[n2]"));
        until("HALTING", () -> rollout(id).state() == State.HALTING, Duration.ofSeconds(5));
        back.releaseDeploys();
        until("HALTED", () -> rollout(id).state() == State.HALTED, Duration.ofSeconds(15));
        assertEquals(List.of("deploy", "rollback"), commands(back.received));
        assertEquals(0, back.version);
        assertTrue(rollout(id).results().get("n2").detail(), rollout(id).results().get("n2").detail().contains("it applied it; rolled back"));
    }
}
