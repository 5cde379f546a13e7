package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Session 8's attacks on the fleet channel (FINDINGS.md Q22-...): what a unit test with a real Mosquitto (or no
 * broker at all) can hold. The container-level ones are in itests FleetAttackIT.
 */
public class RedTeamSession8FleetTest {
    private static final String FLEET = "plant";
    private static Path dir;
    private static Mosquitto broker;
    private static int port;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeClass
    public static void broker() throws Exception {
        if (!Mosquitto.installed()) {
            return;   // the broker tests are skipped (assumeBroker); the others run
        }
        dir = Files.createTempDirectory("redteam8");
        broker = new Mosquitto(dir).start();
        port = broker.port();
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop();
        }
    }

    @After
    public void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static void assumeBroker() {
        Assume.assumeTrue("needs mosquitto", broker != null);
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    /** A gateway's side of the link: its own client id and persistent session, recording the commands it handles. */
    private PahoLink gatewayLink(String gateway, List<String> handled, InboundBudget budget,
                                 java.util.function.Consumer<FleetMessage> handler) throws Exception {
        PahoLink l = new PahoLink(BrokerSettings.plain("127.0.0.1", port), "scriptbox-" + FLEET + "-" + gateway, null, 0, budget);
        l.subscribe(FleetTopics.requests(FLEET, gateway), m -> {
            handled.add(m.topic().substring(m.topic().lastIndexOf('/') + 1));
            handler.accept(m);
        });
        l.start();
        until(gateway + " connected", l::connected, Duration.ofSeconds(15));
        return l;
    }

    private ControllerLink controllerLink() throws Exception {
        ControllerLink c = opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", port), FLEET, "ctl").start());
        until("controller connected", c::connected, Duration.ofSeconds(15));
        return c;
    }

    // ---- Q22: a request the controller gave up on was carried out when it reached the gateway later ----

    /**
     * {@code fleet:request gw1 run ...} to a gateway that is away (offline, or its death not seen yet): the
     * controller says "no answer within N s", and the broker kept the request in gw1's persistent session (7 days)
     * and delivered it at gw1's return, which ran it: a command reported failed and then executed.
     */
    @Test
    public void aRequestTheControllerGaveUpOnIsNeverCarriedOutLater() throws Exception {
        assumeBroker();
        List<String> handled = new CopyOnWriteArrayList<>();
        PahoLink gw = gatewayLink("gw1", handled, new InboundBudget(1000, 1 << 20), m -> { });
        gw.close();   // away, its session kept at the broker
        ControllerLink ctl = controllerLink();
        CompletableFuture<JsonNode> run = ctl.request("gw1", FleetTopics.RUN,
                PackageCodec.JSON.createObjectNode().put("script", "open_valve"), Duration.ofSeconds(4));
        try {
            run.join();
            fail("answered by nobody");
        } catch (java.util.concurrent.CompletionException expected) {
            assertTrue(String.valueOf(expected.getCause()), expected.getCause() instanceof java.util.concurrent.TimeoutException);
        }
        // gw1 returns right after the controller said "no answer"
        PahoLink back = opened(gatewayLink("gw1", handled, new InboundBudget(1000, 1 << 20), m -> { }));
        CompletableFuture<JsonNode> marker = ctl.request("gw1", FleetTopics.LIST, PackageCodec.JSON.createObjectNode(),
                Duration.ofSeconds(10));
        until("the next request reached gw1", () -> handled.contains(FleetTopics.LIST), Duration.ofSeconds(10));
        assertEquals("what gw1 carried out after its return (the run was reported unanswered)", List.of(FleetTopics.LIST), handled);
        marker.cancel(true);
    }

    /**
     * The same on the gateway itself: the request reached it while it was busy (a deploy takes seconds; requests
     * wait one at a time for the link's thread) and the controller's time ran out meanwhile: it must not be carried
     * out when its turn comes.
     */
    @Test
    public void aRequestThatExpiredWhileWaitingOnTheGatewayIsNotCarriedOut() throws Exception {
        assumeBroker();
        List<String> handled = new CopyOnWriteArrayList<>();
        InboundBudget budget = new InboundBudget(1000, 1 << 20);
        CompletableFuture<Void> busy = new CompletableFuture<>();
        opened(gatewayLink("gw2", handled, budget, m -> {
            if (m.topic().endsWith("/deploy")) {
                try {
                    busy.get(30, TimeUnit.SECONDS);   // the link thread is applying a package
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        ControllerLink ctl = controllerLink();
        ctl.request("gw2", FleetTopics.DEPLOY, PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(20));
        until("gw2 busy with the deploy", () -> handled.contains(FleetTopics.DEPLOY), Duration.ofSeconds(10));
        CompletableFuture<JsonNode> run = ctl.request("gw2", FleetTopics.RUN,
                PackageCodec.JSON.createObjectNode().put("script", "open_valve"), Duration.ofSeconds(4));
        until("the run waits on gw2's link thread", () -> budget.queued() == 2, Duration.ofSeconds(10));
        until("the controller gave up on the run", run::isDone, Duration.ofSeconds(10));
        busy.complete(null);   // the deploy ends right after the controller said "no answer" to the run
        ctl.request("gw2", FleetTopics.LIST, PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(10));
        until("the next request reached gw2", () -> handled.contains(FleetTopics.LIST), Duration.ofSeconds(10));
        assertEquals("what gw2 carried out (the run was reported unanswered before its turn)",
                List.of(FleetTopics.DEPLOY, FleetTopics.LIST), handled);
    }

    // ---- Q23: fleet:deploy --max-failure-rate NaN / --stages NaN% ----

    @Test
    public void aFailureRateOrStageThatIsNotANumberIsRefused() throws Exception {
        FleetController c = opened(FleetController.plain("127.0.0.1", 1, FLEET, "ctl", tmp.newFolder().toPath(),
                Duration.ofSeconds(1)));
        java.security.KeyPair ops = Ed25519Keys.generate();
        FleetPackage p = new FleetPackage(FLEET, "line1", 1, List.of(new PackageScript("blink", "return 1", null)), null,
                Instant.now());
        String envelope = PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));
        try {
            String id = c.deploy(envelope, List.of("1", "all"), Double.NaN);
            fail("a NaN threshold was taken (rollout " + id + "): every stage is 'above the threshold NaN', and the "
                    + "rollout file holds a bare NaN that no longer reads as JSON");
        } catch (IllegalArgumentException e) {
            assertEquals("the failure threshold must be between 0 and 1", e.getMessage());
        }
        for (String stage : List.of("NaN%", "Infinity%", "-Infinity%")) {
            try {
                Rollout.parseStages("1," + stage);
                fail(stage + " taken as a stage");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("is not a count (1), a share (10%) or all"));
            }
        }
    }

    // ---- Q24: a request to a topic the client library refuses wedged the controller's link ----

    /**
     * {@code fleet:request 'gw1/#' list} (or a command {@code run#}): the gateway id and command were not checked, Paho
     * refuses to publish on a topic with a wildcard, and the link retried the head of its queue every 50 ms for ever:
     * every later request of the controller (deploys, rollbacks, halts' rollbacks) waited behind it.
     */
    @Test
    public void aRequestToATopicNoClientMayPublishOnDoesNotHoldUpTheOthers() throws Exception {
        assumeBroker();
        List<String> handled = new CopyOnWriteArrayList<>();
        opened(gatewayLink("gw3", handled, new InboundBudget(1000, 1 << 20), m -> { }));
        ControllerLink ctl = controllerLink();
        ctl.request("gw3/#", FleetTopics.LIST, PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(60));
        ctl.request("gw3", "run#", PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(60));
        ctl.request("gw3", FleetTopics.LIST, PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(60));
        until("the good request reached gw3 (behind two that no broker takes)", () -> handled.contains(FleetTopics.LIST),
                Duration.ofSeconds(10));
        FleetController c = opened(FleetController.plain("127.0.0.1", port, FLEET, "ctl9", tmp.newFolder().toPath(),
                Duration.ofSeconds(5)));
        for (String[] bad : new String[][] {{"gw3/#", "list"}, {"+", "list"}, {"", "list"}, {"gw3", "run#"}, {"gw3", "a/b"},
                {"gw3", ""}, {"gw\u202e3", "list"}}) {
            try {
                c.request(bad[0], bad[1], PackageCodec.JSON.createObjectNode());
                fail("sent to gateway '" + bad[0] + "' command '" + bad[1] + "'");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("no gateway id '") || e.getMessage().startsWith("no command '"));
                assertFalse(e.getMessage(), e.getMessage().contains("\u202e"));
            }
        }
    }

    // ---- Q25: ghosts' retained births with 64 long groups each: the controller's table by bytes ----

    @Test
    public void theGatewayTableIsBoundedInBytesNotOnlyInEntries() throws Exception {
        ControllerLink ctl = opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", 1), FLEET, "ctl"));
        StringBuilder groups = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            groups.append(i == 0 ? "" : ",").append('"').append(String.format("g%02d", i)).append("x".repeat(61)).append('"');
        }
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String id = "ghost" + i;
            ctl.state(FleetMessage.of(FleetTopics.gateway(FLEET, id, FleetTopics.STATE),
                    "{\"state\":\"offline\",\"groups\":[" + groups + "]}", true));
        }
        System.gc();
        long perGateway = (rt.totalMemory() - rt.freeMemory() - before) / n;
        assertEquals(n, ctl.gateways().size());
        // 100,000 gateways are allowed: at this size that is the whole heap of a small controller
        assertTrue("bytes per ghost gateway: " + perGateway + " (x 100,000 = " + perGateway * 100_000 / (1 << 20) + " MB)",
                perGateway * ControllerLink.MAX_GATEWAYS < (256L << 20));
    }

    // ---- Q26: a request delivered twice (QoS 1 is at least once) was carried out twice ----

    @Test
    public void aRequestDeliveredAgainIsTakenOnceAndTheMemoryOfItIsBounded() {
        RecentRequests recent = new RecentRequests(3);
        byte[] c1 = "c1".getBytes(StandardCharsets.UTF_8);
        String res = "scriptbox/plant/$controller/ctl/res";
        assertTrue(recent.firstTime(res, c1));
        assertFalse("the same request again", recent.firstTime(res, c1));
        assertTrue("the same correlation for another controller", recent.firstTime(res.replace("ctl", "ctl2"), c1));
        assertTrue("no correlation data: nobody can tell two apart", recent.firstTime(res, null));
        assertTrue(recent.firstTime(null, null));
        for (int i = 0; i < 3; i++) {
            assertTrue(recent.firstTime(res, ("x" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertTrue("forgotten once 3 newer ones came", recent.firstTime(res, c1));
    }

    // ---- Q32: every queued request holds its own copy of the package: ghosts of a group x package size ----

    /**
     * A stage (or catch-ups) to N gateways queues N deploy requests, each holding its own copy of the envelope (signed:
     * 4/3 of it) until the link sends it; any broker client can add ghost births to a group, and a controller that lost
     * the broker keeps them all: 400 x 256 KB here.
     */
    @Test
    public void queuedRequestsAreBoundedInBytes() throws Exception {
        ControllerLink ctl = opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", 1), FLEET, "ctl").start());
        com.fasterxml.jackson.databind.node.ObjectNode envelope = PackageCodec.JSON.createObjectNode()
                .put("signer", "ops").put("signature", "x").put("body", "b".repeat(256 * 1024));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 400; i++) {
            ctl.request("ghost" + i, FleetTopics.DEPLOY, envelope, Duration.ofSeconds(60));
        }
        Thread.sleep(500);   // the link thread takes them into its queue
        System.gc();
        long held = (rt.totalMemory() - rt.freeMemory() - before) >> 20;
        assertTrue("MB held by 400 queued deploys of a 256 KB package: " + held, held < 32);
    }

    // ---- Q29: a halt the data area could not take was lost at the next controller start ----

    @Test
    public void aHaltThatCannotBeSavedStillHaltsAndSaysSo() throws Exception {
        assumeBroker();
        Path data = tmp.newFolder().toPath();
        FleetController c = opened(FleetController.plain("127.0.0.1", port, FLEET, "ctl29", data, Duration.ofSeconds(30)).start());
        List<String> handled = new CopyOnWriteArrayList<>();
        for (String id : List.of("h1", "h2")) {   // online, in the group, never answering: the stage waits
            PahoLink l = opened(gatewayLink(id, handled, new InboundBudget(1000, 1 << 20), m -> { }));
            l.publish(FleetMessage.of(FleetTopics.gateway(FLEET, id, FleetTopics.STATE),
                    "{\"state\":\"online\",\"groups\":[\"line29\"]}", true));
        }
        until("both known", () -> c.gateways().stream().filter(g -> g.groups().contains("line29")).count() == 2,
                Duration.ofSeconds(10));
        java.security.KeyPair ops = Ed25519Keys.generate();
        String envelope = PackageSigner.envelope(PackageSigner.sign(new FleetPackage(FLEET, "line29", 1,
                List.of(new PackageScript("blink", "return 1", null)), null, Instant.now()), "ops", ops.getPrivate()));
        String id = c.deploy(envelope, List.of("1", "all"), 0);
        until("the canary's deploy sent", () -> handled.contains(FleetTopics.DEPLOY), Duration.ofSeconds(10));
        Path blocker = Files.createDirectories(data.resolve("rollouts").resolve(id + ".json.tmp"));
        Files.writeString(blocker.resolve("x"), "x");   // every save of it fails now, as on a full disk
        String answer = c.halt(id, false);
        until("the halt reached the rollout", () -> c.rollout(id).orElseThrow().state() != Rollout.State.RUNNING,
                Duration.ofSeconds(10));
        c.close();
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);   // the disk has room again
        FleetController again = opened(FleetController.plain("127.0.0.1", port, FLEET, "ctl29", data, Duration.ofSeconds(30)).start());
        until("loaded", () -> again.rollout(id).isPresent(), Duration.ofSeconds(10));
        until("after the restart the rollout is halted, not resumed (the halt answered: " + answer + ")",
                () -> again.rollout(id).orElseThrow().state() != Rollout.State.RUNNING, Duration.ofSeconds(15));
        assertEquals("no deploy of the next stage after the restart", 1, handled.stream().filter(FleetTopics.DEPLOY::equals).count());
    }

    // ---- Q30: signed requests had no time bound: one wrong controller clock locked the fleet out for years ----

    @Test
    public void aSignedRequestFarFromTheGatewaysClockIsRefusedAndPoisonsNothing() throws Exception {
        java.security.KeyPair ctlKey = Ed25519Keys.generate();
        long now = System.currentTimeMillis();
        RequestAuth.Checker gw = new RequestAuth.Checker(java.util.Map.of("ctl", ctlKey.getPublic()), FLEET, "gw1",
                tmp.getRoot().toPath().resolve("seq.json"), Duration.ofMinutes(10), () -> now);
        RequestAuth.Signer signer = new RequestAuth.Signer("ctl", ctlKey.getPrivate());
        String res = FleetTopics.responses(FLEET, "ctl");
        // the controller's clock was set to 2126 for a while (a bad NTP answer, an RTC fault): its numbers are 100 years ahead
        long future = (now + Duration.ofDays(36_500).toMillis()) * 1000;
        assertEquals("CLOCK", refusal(gw, signer, res, future, "a"));
        // a copy held back 20 minutes (the broker dropped the expired original; nothing newer reached gw1 since)
        assertEquals("STALE", refusal(gw, signer, res, (now - Duration.ofMinutes(20).toMillis()) * 1000, "b"));
        // the controller's next request, with its clock right again, is taken (before: REPLAY for the next 100 years)
        byte[] c = "c".getBytes(StandardCharsets.UTF_8);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        long seq = now * 1000;
        FleetMessage m = new FleetMessage(FleetTopics.request(FLEET, "gw1", "list"),
                signer.wrap(FLEET, "gw1", "list", res, c, seq, body), false, res, c);
        assertEquals("{}", new String(gw.check(m, "list"), StandardCharsets.UTF_8));
    }

    private static String refusal(RequestAuth.Checker gw, RequestAuth.Signer signer, String res, long seq, String corr) {
        byte[] c = corr.getBytes(StandardCharsets.UTF_8);
        FleetMessage m = new FleetMessage(FleetTopics.request(FLEET, "gw1", "run"), signer.wrap(FLEET, "gw1", "run", res, c, seq,
                "{\"script\":\"open_valve\"}".getBytes(StandardCharsets.UTF_8)), false, res, c);
        try {
            gw.check(m, "run");
            return "taken";
        } catch (Refusal r) {
            assertFalse(r.getMessage(), r.getMessage().contains("Exception"));
            return r.code();
        }
    }

    // ---- Q31: a gateway in two groups: one version rule for both groups' packages ----

    /**
     * docs/fleet.md's own example gateway is in {@code groups = line1, building-b}; each group's rollouts number their
     * packages (the controller checks versions per group), but the gateway's ledger keeps one "last version": after
     * building-b's v30, line1's v8 is a DOWNGRADE for good; the other way round, a gateway that joins a group takes any
     * of that group's old packages above its own last version.
     */
    @Test
    public void eachGroupsPackagesHaveTheirOwnVersions() throws Exception {
        java.security.KeyPair ops = Ed25519Keys.generate();
        PackageVerifier verifier = new PackageVerifier(PackageVerifier.trustedKeys(new String[] {"ops=" + Ed25519Keys.publicText(ops.getPublic())}),
                FLEET, java.util.Set.of("line1", "building-b"), 1 << 20);
        Path file = tmp.getRoot().toPath().resolve("ledger.json");
        PackageLedger ledger = new PackageLedger(file, List.of("line1", "building-b"));
        PackageVerifier.Verified b30 = verifier.verify(PackageSigner.sign(new FleetPackage(FLEET, "building-b", 30,
                List.of(new PackageScript("hvac", "return 1", null)), null, Instant.now()), "ops", ops.getPrivate()));
        assertTrue(ledger.admit("building-b", 30, b30.digest()));
        ledger.record(new PackageLedger.Entry("building-b", 30, "ops", b30.digest(), Instant.now(), PackageLedger.State.APPLIED,
                List.of("hvac"), List.of(), null));
        PackageVerifier.Verified l8 = verifier.verify(PackageSigner.sign(new FleetPackage(FLEET, "line1", 8,
                List.of(new PackageScript("blink", "return 1", null)), null, Instant.now()), "ops", ops.getPrivate()));
        try {
            assertTrue(ledger.admit("line1", 8, l8.digest()));
        } catch (Refusal r) {
            fail("line1's v8 on a gateway of line1 and building-b: " + r.code() + " " + r.getMessage());
        }
        ledger.record(new PackageLedger.Entry("line1", 8, "ops", l8.digest(), Instant.now(), PackageLedger.State.APPLIED,
                List.of("blink"), List.of(), null));
        // and each group's rule still holds, also after a restart
        PackageLedger again = new PackageLedger(file, List.of("line1", "building-b"));
        for (Object[] c : new Object[][] {{"line1", 7L, "DOWNGRADE"}, {"building-b", 29L, "DOWNGRADE"}, {"line1", 8L, "REPLAY"}}) {
            try {
                again.admit((String) c[0], (Long) c[1], "other");
                fail(c[0] + " v" + c[1] + " taken");
            } catch (Refusal r) {
                assertEquals(r.getMessage(), c[2], r.code());
                assertTrue(r.getMessage(), r.getMessage().contains("of group " + c[0]));
            }
        }
    }

}
