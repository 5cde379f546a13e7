package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.fleet.internal.Rollout;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Session 7's red team on the fleet channel, at the broker (FINDINGS.md Q8-Q12, Q19): a real Mosquitto, one real
 * gateway container, the controller in the test JVM and an attacker that is just another anonymous client
 * of the broker. Then a second Mosquitto with the ACL file docs/fleet.md gives, to show that it is what
 * keeps such a client off the request and state topics.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FleetAttackIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVIL_RES = "scriptbox/plant/$controller/evil/res";

    private static Path root;
    private static Mosquitto broker;
    private static GatewayProcess gw1;
    private static GatewayProcess gw2;
    private static KeyPair ctlKey;
    private static FleetController signing;
    private static FleetController controller;
    private static KeyPair ops;
    private static Client attacker;

    @BeforeClass
    public static void fleet() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto (apt-get install mosquitto)", Mosquitto.installed());
        root = Distribution.freshFolder("fleet-attack");
        broker = new Mosquitto(Files.createDirectories(root.resolve("broker"))).start();
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("broker.host", "127.0.0.1");
        cfg.put("broker.port", Integer.toString(broker.port()));
        cfg.put("fleet.id", "plant");
        cfg.put("gateway.id", "gw1");
        cfg.put("groups", "line1");
        cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
        cfg.put("keepalive.seconds", "2");
        gw1 = new GatewayProcess("gw1", root, cfg).start();
        ctlKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Map<String, String> cfg2 = new LinkedHashMap<>(cfg);
        cfg2.put("gateway.id", "gw2");
        cfg2.put("groups", "line2");
        cfg2.put("controller.keys", "ctl2=" + Base64.getEncoder().encodeToString(ctlKey.getPublic().getEncoded()));
        gw2 = new GatewayProcess("gw2", root, cfg2).start();
        controller = FleetController.plain("127.0.0.1", broker.port(), "plant", "ctl", root.resolve("controller"),
                Duration.ofSeconds(4)).start();
        signing = FleetController.signed("127.0.0.1", broker.port(), "plant", "ctl2", root.resolve("controller2"),
                Duration.ofSeconds(4), ctlKey.getPrivate()).start();
        attacker = new Client(broker.port(), "mallory", null, null);
        attacker.subscribe(EVIL_RES);
        Await.until("gw2 online", START, () -> view("gw2"), g -> g != null && g.online());
        Await.until("gw1 online with its status", START, () -> view("gw1"), g -> g != null && g.online() && g.health().equals("ok"));
    }

    @AfterClass
    public static void stopAll() throws Exception {
        if (attacker != null) {
            attacker.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (signing != null) {
            signing.close();
        }
        if (gw1 != null) {
            gw1.kill();
        }
        if (gw2 != null) {
            gw2.kill();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static GatewayView view(String id) {
        return controller.gateways().stream().filter(g -> g.id().equals(id)).findFirst().orElse(null);
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    public void a_anAnonymousGatewaySaysLoudlyThatAnyClientMayCommandIt() throws Exception {
        // Q10: the request channel is the broker's to protect; an anonymous client cannot be given ACLs
        Await.until("the start-up warning", STEP, () -> gw1.log(), l -> l.contains("fleet: connecting anonymously"));
        // and it is so: any client's run request is answered on any controller-shaped response topic
        attacker.request("scriptbox/plant/gw1/req/list", "{}", EVIL_RES, "c1");
        JsonNode answer = attacker.answer("c1");
        assertTrue(answer.toString(), answer.path("ok").asBoolean());
    }

    @Test
    public void b_aFakeRetainedDeathOrStatusIsCorrectedByTheGatewayItself() throws Exception {
        // Q11: before, the retained fake stayed: the controller saw gw1 offline and a rollout left it PENDING
        attacker.subscribe("scriptbox/plant/gw1/state");
        int before = attacker.countOn("scriptbox/plant/gw1/state");   // gw1's retained birth
        long t0 = System.nanoTime();
        attacker.publish("scriptbox/plant/gw1/state", "{\"state\":\"offline\",\"gateway\":\"gw1\"}", true);
        attacker.publish("scriptbox/plant/gw1/status", "{\"gateway\":\"gw1\",\"health\":\"ok\",\"groups\":[],"
                + "\"package\":{\"version\":99,\"state\":\"APPLIED\"}}", true);
        // the fake, then gw1's own birth again: what every subscriber (the controller too) sees last
        Await.until("gw1's birth after the fake death", STEP, () -> attacker.countOn("scriptbox/plant/gw1/state") >= before + 2
                && attacker.lastOn("scriptbox/plant/gw1/state").contains("online"), b -> b);
        GatewayView v = Await.until("gw1 online again with its own status", STEP, () -> view("gw1"),
                g -> g.online() && g.packageVersion("line1") == 0 && g.groups().equals(List.of("line1")));
        System.out.printf("FleetAttackIT: a fake death corrected on the broker, and status at the controller, in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(v.toString(), v.online());
        Await.until("one WARN naming the topic", STEP, () -> gw1.log(),
                l -> l.contains("another client published on scriptbox/plant/gw1/"));
    }

    @Test
    public void c_ghostsWithIdsNoGatewayCouldHaveAreIgnoredAndAGhostOfTheGroupHaltsARollout() throws Exception {
        // Q8: ids reach the shell and request topics; a BIDI override or a 65-character id is no gateway's
        attacker.publish("scriptbox/plant/gw\u202e1/state", "{\"state\":\"online\",\"groups\":[\"line1\"]}", true);
        attacker.publish("scriptbox/plant/" + "g".repeat(65) + "/state", "{\"state\":\"online\",\"groups\":[\"line1\"]}", true);
        // a ghost with a valid id in the group: the controller cannot tell it from a gateway (only ACLs can)
        attacker.publish("scriptbox/plant/ghost1/state", "{\"state\":\"online\",\"groups\":[\"line1\"]}", true);
        Await.until("the ghost in the table", STEP, () -> view("ghost1"), g -> g != null && g.online());
        for (GatewayView g : controller.gateways()) {
            assertTrue(g.id(), g.id().matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"));
        }
        // it fails safe: the ghost does not answer, the stage fails, the real gateway is rolled back
        List<PackageScript> scripts = List.of(new PackageScript("blink", "return 'v1'", "name = \"blink\"\nversion = \"1.0.1\"\n"));
        String envelope = PackageSigner.envelope(PackageSigner.sign(new FleetPackage("plant", "line1", 1, scripts, null,
                Instant.now()), "ops", ops.getPrivate()));
        String id = controller.deploy(envelope, List.of("all"), 0);
        Rollout r = Await.until("gw1 rolled back and the ghost's rollback owed", Duration.ofSeconds(40),
                () -> controller.rollout(id).orElseThrow(), x -> x.state() == Rollout.State.ROLLED_BACK);
        assertEquals(r.toString(), "ROLLED_BACK", r.results().get("gw1").outcome());
        assertEquals(r.toString(), "ROLLBACK_OWED", r.results().get("ghost1").outcome());
        assertTrue(r.toString(), r.reason().contains("ghost1: no answer"));
        JsonNode list = controller.request("gw1", "list", JSON.createObjectNode());
        assertFalse("the package is gone from gw1: " + list, list.toString().contains("blink"));
        // Q13: the ghost no longer keeps the rollout ROLLING_BACK (which refused the group's next rollout): it ends
        // ROLLED_BACK after one request timeout with the ghost's rollback owed, and the halt's refusal says so
        try {
            controller.halt(id, false);
            fail("a rolled-back rollout cannot be halted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("rollback owed by 1 gateway(s) [ghost1]"));
        }
        System.out.printf("FleetAttackIT: a ghost of the group: rollout %s, gw1 %s, ghost1 %s%n", r.state(),
                r.results().get("gw1"), r.results().get("ghost1"));
        attacker.publish("scriptbox/plant/ghost1/state", "", true);   // retained cleared
    }

    @Test
    public void d_aFloodOfRequestsIsBoundedAndTheControllerIsStillAnswered() throws Exception {
        // Q9: before, every request waited in an unbounded queue of the gateway's link thread
        int flood = 10_000;
        long t0 = System.nanoTime();
        int sent = 0;
        for (int i = 0; i < flood; i++) {
            sent += attacker.publishQuietly("scriptbox/plant/gw1/req/history", "{}", EVIL_RES, "f" + i) ? 1 : 0;
        }
        long sendMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        // on an open broker a flood costs the controller's requests sent during it (dropped or late: nothing tells
        // the two apart without ACLs); what must hold is bounded memory and a gateway answering again after it
        Await.until("the controller answered after the flood", Duration.ofSeconds(60), FleetAttackIT::listAnswered, b -> b);
        long answerMs = (System.nanoTime() - t1) / 1_000_000;
        int answered = attacker.answers.size();
        String log = gw1.log();
        System.out.printf("FleetAttackIT: flood of %d requests sent in %d ms; the controller answered again %d ms later; "
                + "%d of them answered to the attacker; %d drop lines in the gateway's log%n", sent, sendMs, answerMs,
                answered, count(log, "messages dropped"));
        assertTrue("the log is bounded: " + count(log, "messages dropped"), count(log, "messages dropped") <= 3);
        assertFalse(log.contains("OutOfMemoryError"));
    }

    private static boolean listAnswered() {
        try {
            return controller.request("gw1", "list", JSON.createObjectNode()).path("ok").asBoolean();
        } catch (IllegalStateException noAnswer) {
            return false;
        }
    }

    @Test
    public void e_oversizeAndDeeplyNestedRequestsAreRefusedWithoutHarm() throws Exception {
        // 100,000 nested arrays (200 KB, under the 256 KB of a request that is not a deploy): Jackson's nesting
        // limit, no stack overflow on the link thread
        String deep = "{\"script\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        attacker.request("scriptbox/plant/gw1/req/run", deep, EVIL_RES, "deep");
        JsonNode a = attacker.answer("deep");
        assertEquals(a.toString(), "BAD_REQUEST", a.path("code").asText());
        // 12 MB: above the maximum packet size the gateway gave the broker, which does not send it
        attacker.publishQuietly("scriptbox/plant/gw1/req/list", "{\"pad\":\"" + "x".repeat(12 << 20) + "\"}", EVIL_RES, "big");
        JsonNode list = controller.request("gw1", "list", JSON.createObjectNode());
        assertTrue(list.toString(), list.path("ok").asBoolean());
        assertFalse(gw1.log().contains("OutOfMemoryError"));
    }

    @Test
    public void e2_aRequestWhoseTreeWouldNotFitTheHeapIsRefusedBeforeItIsBuilt() throws Exception {
        // Q19: 10 MB of [{},{},...] is ~280 MB as a JSON tree; the gateway runs with -Xmx160m here
        // 10 MB: under the gateway's maximum packet size (8 MB of package in base64 + 64 KB), so the broker delivers it
        StringBuilder b = new StringBuilder(10 << 20).append("{\"script\":\"x\",\"args\":[");
        while (b.length() < (10 << 20)) {
            b.append("{},");
        }
        String args = b.append("{}]}").toString();
        attacker.request("scriptbox/plant/gw1/req/run", args, EVIL_RES, "tree-run");
        JsonNode run = attacker.answer("tree-run");
        assertEquals(run.toString(), "TOO_LARGE", run.path("code").asText());
        attacker.request("scriptbox/plant/gw1/req/deploy", args.replace("\"args\"", "\"body\""), EVIL_RES, "tree-deploy");
        JsonNode deploy = attacker.answer("tree-deploy");
        assertEquals(deploy.toString(), "BAD_REQUEST", deploy.path("code").asText());
        JsonNode list = controller.request("gw1", "list", JSON.createObjectNode());
        assertTrue(list.toString(), list.path("ok").asBoolean());
        assertFalse(gw1.log().contains("OutOfMemoryError"));
    }

    @Test
    public void f_theDocumentedAclKeepsOtherClientsOffRequestsAndStates() throws Exception {
        // Q12: docs/fleet.md's ACL file, on a real Mosquitto with passwords
        Path dir = Files.createDirectories(root.resolve("acl-broker"));
        Path passwd = dir.resolve("passwd");
        for (String[] user : new String[][] {{"ctl", "c-secret"}, {"gw1", "g1-secret"}, {"gw2", "g2-secret"}, {"mallory", "m"}}) {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/mosquitto_passwd", "-b"));
            if (!Files.exists(passwd)) {
                cmd.add("-c");
            }
            cmd.addAll(List.of(passwd.toString(), user[0], user[1]));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        Files.writeString(dir.resolve("acl"), aclFromTheDocs());
        int port = org.scriptbox.testsupport.net.Ports.free();
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", "listener " + port + " 127.0.0.1",
                "root".equals(System.getProperty("user.name")) ? "user root" : "", confFromTheDocs(),
                "password_file " + passwd, "acl_file " + dir.resolve("acl"), "persistence false",
                "log_dest file " + dir.resolve("mosquitto.log"), ""));
        Process mq = new ProcessBuilder(Mosquitto.BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        try (Client ctl = Await.until("the ACL broker", STEP, () -> Client.tryConnect(port, "ctl", "c-secret"), c -> c != null);
             Client g1 = new Client(port, "gw1", "gw1", "g1-secret");
             Client g2 = new Client(port, "gw2", "gw2", "g2-secret");
             Client mallory = new Client(port, "mallory", "mallory", "m")) {
            g1.subscribe("scriptbox/plant/gw1/req/+");
            ctl.subscribe("scriptbox/plant/+/state");
            ctl.subscribe("scriptbox/plant/$controller/ctl/res");
            refusedOrIgnored(() -> mallory.subscribe("scriptbox/plant/gw1/req/+"));   // must not see the controller's requests
            refusedOrIgnored(() -> mallory.request("scriptbox/plant/gw1/req/run", "{\"script\":\"open_valve\"}",
                    "scriptbox/plant/$controller/ctl/res", "m1"));
            refusedOrIgnored(() -> g2.publish("scriptbox/plant/gw1/state", "{\"state\":\"offline\"}", true));   // gw2 posing as gw1
            // what the ACL cannot stop, as docs/fleet.md says: a gateway may answer on a controller's topic, but it
            // never sees another gateway's requests, so it cannot know their correlation data
            g2.request("scriptbox/plant/$controller/ctl/res", "{\"ok\":true}", "scriptbox/plant/$controller/ctl/res", "forged");
            ctl.request("scriptbox/plant/gw1/req/list", "{}", "scriptbox/plant/$controller/ctl/res", "ok1");
            g1.publish("scriptbox/plant/gw1/state", "{\"state\":\"online\"}", true);
            Await.until("the controller's request at gw1", STEP, () -> g1.byCorrelation.containsKey("ok1"), b -> b);
            Await.until("gw1's own state at the controller", STEP, () -> ctl.lastOn("scriptbox/plant/gw1/state"),
                    s -> s != null && s.contains("online"));
            assertFalse("mallory's request never reached gw1", g1.byCorrelation.containsKey("m1"));
            assertFalse("mallory never saw the controller's request", mallory.byCorrelation.containsKey("ok1"));
            assertEquals("gw2 could not publish gw1's state", 1, ctl.countOn("scriptbox/plant/gw1/state"));
            Await.until("gw2's answer-shaped message at the controller", STEP, () -> ctl.byCorrelation.containsKey("forged"), b -> b);
            // revocations (Q14): only the controller writes them, every gateway reads them
            g1.subscribe("scriptbox/plant/$revoked/line1/+");
            refusedOrIgnored(() -> mallory.publish("scriptbox/plant/$revoked/line1/8", "{\"by\":\"mallory\"}", true));
            ctl.publish("scriptbox/plant/$revoked/line1/7", "{\"by\":\"ctl\"}", true);
            Await.until("the controller's revocation at gw1", STEP, () -> g1.lastOn("scriptbox/plant/$revoked/line1/7"), t -> t != null);
            assertEquals("mallory cannot publish a revocation", null, g1.lastOn("scriptbox/plant/$revoked/line1/8"));
            // Q27: gw2's user connecting with gw1's client id: without use_username_as_clientid MQTT hands it gw1's
            // session (the broker drops gw1, publishes its will, and a clean start deletes what was queued for it)
            try (Client thief = new Client(port, "gw1", "gw2", "g2-secret")) {   // client id test-gw1, as g1's
                ctl.request("scriptbox/plant/gw1/req/list", "{}", "scriptbox/plant/$controller/ctl/res", "ok2");
                Await.until("the controller's next request at gw1", STEP, () -> g1.byCorrelation.containsKey("ok2") || !g1.connected(),
                        b -> b);
                assertTrue("gw1 kept its connection and its session", g1.connected() && g1.byCorrelation.containsKey("ok2"));
                assertTrue(thief.connected());
            }
        } finally {
            mq.destroy();
            mq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    interface Attempt {
        void run() throws Exception;
    }

    /** The broker refuses (Paho throws on a not-authorized reason code) or drops it silently: both hold. */
    private static void refusedOrIgnored(Attempt a) {
        try {
            a.run();
        } catch (Exception e) {
            // refused by the broker
        }
    }

    @Test
    public void g_aGatewayWithControllerKeysTakesOnlySignedRequestsOnceEach() throws Exception {
        // Q10's mechanism: what the ACLs do at the broker, the gateway now does itself
        attacker.subscribe("scriptbox/plant/gw2/req/#");
        attacker.request("scriptbox/plant/gw2/req/list", "{}", EVIL_RES, "u1");
        JsonNode unsigned = attacker.answer("u1");
        assertEquals(unsigned.toString(), "UNAUTHENTICATED", unsigned.path("code").asText());
        JsonNode list = signing.request("gw2", "list", JSON.createObjectNode());
        assertTrue(list.toString(), list.path("ok").asBoolean());
        // the signed request the attacker saw on req/#, sent again as it was (answered on ctl2's topic)
        Client.Captured seen = Await.until("the captured request", STEP, () -> attacker.captured.get("scriptbox/plant/gw2/req/list"),
                c -> c != null && c.responseTopic().equals("scriptbox/plant/$controller/ctl2/res"));
        Client spy = new Client(broker.port(), "spy", null, null);
        try {
            spy.subscribe("scriptbox/plant/$controller/ctl2/res");
            spy.requestBytes("scriptbox/plant/gw2/req/list", seen.payload(), seen.responseTopic(), seen.correlation());
            // since Q26 the exact copy is a duplicate the gateway takes once and does not answer again (a copy the
            // gateway no longer remembers is REPLAY by its sequence number: RequestAuthTest)
            spy.request("scriptbox/plant/gw2/req/list", "{}", seen.responseTopic(), "after-replay");
            JsonNode after = spy.answer("after-replay");   // in order: the copy's turn has passed
            assertEquals(after.toString(), "UNAUTHENTICATED", after.path("code").asText());
            assertEquals("answers to the replayed copy", 0, spy.answerCount(new String(seen.correlation(), StandardCharsets.UTF_8)));
        } finally {
            spy.close();
        }
        // a controller that signs also commands a gateway without keys (gw1 takes the body unchecked)
        JsonNode gw1List = signing.request("gw1", "list", JSON.createObjectNode());
        assertTrue(gw1List.toString(), gw1List.path("ok").asBoolean());
        assertFalse("no anonymity warning where requests are signed", gw2.log().contains("connecting anonymously"));
        Await.until("one WARN line for the refusal", STEP, () -> gw2.log(), l -> l.contains("not signed by a controller key"));
    }

    @Test
    public void h_aRequestDeliveredTwiceIsCarriedOutOnce() throws Exception {
        // Q26: QoS 1 is at least once: a request whose acknowledgement was lost with the link comes again (DUP)
        attacker.request("scriptbox/plant/gw1/req/run", "{\"script\":\"no_such_script\"}", EVIL_RES, "twice");
        attacker.request("scriptbox/plant/gw1/req/run", "{\"script\":\"no_such_script\"}", EVIL_RES, "twice");
        attacker.request("scriptbox/plant/gw1/req/list", "{}", EVIL_RES, "after-twice");
        attacker.answer("after-twice");   // the gateway handles requests in order: the second copy's turn has passed
        assertEquals("answers to the request delivered twice", 1, attacker.answerCount("twice"));
    }

    @Test
    public void i_aPackageAHaltedRolloutDidNotSendCannotBePushedToASigningGatewayOfTheGroup() throws Exception {
        // Q14: v1 of line2 halts at its canary (a ghost sorted before gw2, never answering); gw2 never got it. A
        // client on req/# saw the deploy to the ghost: neither that signed request nor the package inside it,
        // sent to gw2, is taken (the signature binds a request to one gateway and one use; unsigned is refused)
        attacker.subscribe("scriptbox/plant/a-ghost/req/#");
        attacker.publish("scriptbox/plant/a-ghost/state", "{\"state\":\"online\",\"groups\":[\"line2\"]}", true);
        Await.until("the ghost in the signing controller's table", STEP, () -> signing.gateways().stream()
                .filter(g -> g.id().equals("a-ghost")).findFirst().orElse(null), g -> g != null && g.online());
        List<PackageScript> scripts = List.of(new PackageScript("halted", "return 'v1'", "name = \"halted\"\nversion = \"1.0.1\"\n"));
        String envelope = PackageSigner.envelope(PackageSigner.sign(new FleetPackage("plant", "line2", 1, scripts, null,
                Instant.now()), "ops", ops.getPrivate()));
        String id = signing.deploy(envelope, List.of("1", "all"), 0);
        Rollout r = Await.until("halted at the canary", Duration.ofSeconds(40), () -> signing.rollout(id).orElseThrow(),
                x -> x.state() == Rollout.State.ROLLED_BACK);
        assertFalse("gw2 never got it: " + r, r.results().containsKey("gw2"));
        Client.Captured seen = Await.until("the deploy to the ghost, captured", STEP,
                () -> attacker.captured.get("scriptbox/plant/a-ghost/req/deploy"), c -> c != null);
        attacker.requestBytes("scriptbox/plant/gw2/req/deploy", seen.payload(), EVIL_RES, "q14-signed".getBytes(StandardCharsets.UTF_8));
        JsonNode resent = attacker.answer("q14-signed");
        assertEquals(resent.toString(), "UNAUTHENTICATED", resent.path("code").asText());
        byte[] inside = Base64.getDecoder().decode(JSON.readTree(seen.payload()).path("request").asText());
        attacker.requestBytes("scriptbox/plant/gw2/req/deploy", inside, EVIL_RES, "q14-plain".getBytes(StandardCharsets.UTF_8));
        JsonNode plain = attacker.answer("q14-plain");
        assertEquals(plain.toString(), "UNAUTHENTICATED", plain.path("code").asText());
        JsonNode list = signing.request("gw2", "list", JSON.createObjectNode());
        assertFalse("the halted package is not on gw2: " + list, list.toString().contains("halted"));
        attacker.publish("scriptbox/plant/a-ghost/state", "", true);   // retained cleared
    }

    @Test
    public void j_aPackageAHaltedRolloutDidNotSendIsRevokedAlsoOnAGatewayWithoutControllerKeys() throws Exception {
        // Q14 where gateways take unsigned requests (gw1: no controller.keys): v2 of line1 halts at its canary (a ghost
        // sorted before gw1, never answering); gw1 never got it. A client on req/# saw the deploy to the ghost and sends
        // the same package to gw1: before, gw1 applied it; now the controller has published the package's revocation
        // (signed by ops when it signed the package, verified by gw1 with its trusted.keys) and gw1 refuses it
        attacker.subscribe("scriptbox/plant/a-ghost/req/#");
        attacker.publish("scriptbox/plant/a-ghost/state", "{\"state\":\"online\",\"groups\":[\"line1\"]}", true);
        Await.until("the ghost in the table", STEP, () -> view("a-ghost"), g -> g != null && g.online());
        List<PackageScript> scripts = List.of(new PackageScript("revoked", "return 'v2'", "name = \"revoked\"\nversion = \"1.0.2\"\n"));
        String envelope = PackageSigner.revocableEnvelope(new FleetPackage("plant", "line1", 2, scripts, null, Instant.now()),
                "ops", ops.getPrivate());
        String id = controller.deploy(envelope, List.of("1", "all"), 0);
        Rollout r = Await.until("halted at the canary", Duration.ofSeconds(40), () -> controller.rollout(id).orElseThrow(),
                x -> x.state() == Rollout.State.ROLLED_BACK);
        assertFalse("gw1 never got it: " + r, r.results().containsKey("gw1"));
        Client.Captured seen = Await.until("the deploy to the ghost, captured", STEP,
                () -> attacker.captured.get("scriptbox/plant/a-ghost/req/deploy"), c -> c != null);
        assertFalse("a deploy never carries the revocation", new String(seen.payload(), StandardCharsets.UTF_8).contains("revocation"));
        Await.until("gw1 took the revocation", STEP, () -> gw1.log(), l -> l.contains("package version 2 of group line1")
                && l.contains("is revoked by 'ops'"));
        attacker.requestBytes("scriptbox/plant/gw1/req/deploy", seen.payload(), EVIL_RES, "q14-revoked".getBytes(StandardCharsets.UTF_8));
        JsonNode pushed = attacker.answer("q14-revoked");
        assertEquals(pushed.toString(), "REVOKED", pushed.path("code").asText());
        JsonNode list = controller.request("gw1", "list", JSON.createObjectNode());
        assertFalse("the halted package is not on gw1: " + list, list.toString().contains("revoked"));
        // the revocation is retained for gateways that come later; cleared by another client, it is published again
        String topic = "scriptbox/plant/$revoked/line1/2";
        attacker.publish(topic, "", true);
        Client late = new Client(broker.port(), "late", null, null);
        try {
            late.subscribe("scriptbox/plant/$revoked/#");
            Await.until("the revocation retained again", STEP, () -> late.lastOn(topic), t -> t != null && t.contains("\"revocation\""));
        } finally {
            late.close();
        }
        // a forged revocation (another key under the trusted name) of a package nobody halted is ignored, in one line
        String forged = "{\"group\":\"line1\",\"version\":3,\"digest\":\"" + "0".repeat(64) + "\",\"signer\":\"ops\",\"revocation\":\""
                + Base64.getEncoder().encodeToString(new byte[64]) + "\"}";
        attacker.publish("scriptbox/plant/$revoked/line1/3", forged, true);
        Await.until("the forgery ignored", STEP, () -> gw1.log(), l -> l.contains("ignored a revocation on scriptbox/plant/$revoked/line1/3"));
        attacker.publish("scriptbox/plant/$revoked/line1/3", "", true);
        attacker.publish("scriptbox/plant/a-ghost/state", "", true);   // retained cleared
        System.out.printf("FleetAttackIT: halted package pushed to gw1 by another client: %s%n", pushed);
    }

    /** A gateway's signature as docs/fleet.md gives it, made here independently of the fleet bundle. */
    private static String gatewaySignature(java.security.PrivateKey key, String gateway, String topic, byte[] correlation, long seq,
                                           String payload) throws Exception {
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(("scriptbox-gateway\nplant\n" + gateway + "\n" + topic + "\n"
                + (correlation == null ? "" : Base64.getEncoder().encodeToString(correlation)) + "\n" + seq + "\n")
                .getBytes(StandardCharsets.UTF_8));
        s.update(payload.getBytes(StandardCharsets.UTF_8));
        return seq + ":" + Base64.getEncoder().encodeToString(s.sign());
    }

    @Test
    public void k_aControllerWithGatewayKeysTakesNoForgedBirthReplayedStatusOrForgedApplied() throws Exception {
        // births, statuses and answers were the broker's ACLs' alone: any client could publish a ghost birth, a fake
        // status or answer a deploy "applied" (it sees the correlation data on req/#). gw1's key was made at its first
        // start and is in its birth; gw9 is played by the test with its own key
        attacker.subscribe("scriptbox/plant/gw1/state");
        String gw1Key = Await.until("gw1's birth with its key", STEP, () -> attacker.lastOn("scriptbox/plant/gw1/state"),
                t -> t != null && t.contains("\"key\"")).replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        KeyPair gw9 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair mallory = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        java.security.PublicKey gw1Public = java.security.KeyFactory.getInstance("Ed25519")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(Base64.getDecoder().decode(gw1Key)));
        FleetController checking = FleetController.checkingGateways("127.0.0.1", broker.port(), "plant", "ctl3",
                root.resolve("controller3"), Duration.ofSeconds(4), null, Map.of("gw1", gw1Public, "gw9", gw9.getPublic()));
        Client gw9c = new Client(broker.port(), "gw9", null, null);
        try {
            checking.start();
            // the real gateway's signed birth, status and answer are taken
            Await.until("gw1 online at the checking controller", START, () -> checking.gateways().stream()
                    .filter(g -> g.id().equals("gw1")).findFirst().orElse(null), g -> g != null && g.online() && g.health().equals("ok"));
            assertTrue(checking.request("gw1", "list", JSON.createObjectNode()).path("ok").asBoolean());
            // a ghost birth (unsigned) and a forged birth of gw9 (another key): neither reaches the table
            String birth = "{\"state\":\"online\",\"gateway\":\"gw9\",\"groups\":[\"line3\"]}";
            attacker.publish("scriptbox/plant/ghost3/state", "{\"state\":\"online\",\"groups\":[\"line3\"]}", true);
            long seq = System.currentTimeMillis() * 1000;
            attacker.publishSigned("scriptbox/plant/gw9/state", birth, true,
                    gatewaySignature(mallory.getPrivate(), "gw9", "scriptbox/plant/gw9/state", null, seq, birth));
            Await.until("the ghost at the controller without gateway.keys", STEP, () -> view("ghost3"), g -> g != null && g.online());
            Await.until("both dropped", STEP, checking::droppedGatewayMessages, n -> n >= 2);
            assertFalse(checking.gateways().toString(), checking.gateways().stream().anyMatch(g -> g.id().equals("ghost3") || g.online()
                    && g.id().equals("gw9")));
            // gw9 itself: birth, a degraded status, then an ok one; the degraded one replayed by the attacker is dropped
            gw9c.subscribe("scriptbox/plant/gw9/req/#");
            gw9c.publishSigned("scriptbox/plant/gw9/state", birth, true,
                    gatewaySignature(gw9.getPrivate(), "gw9", "scriptbox/plant/gw9/state", null, seq + 1, birth));
            String degraded = "{\"gateway\":\"gw9\",\"groups\":[\"line3\"],\"health\":\"degraded\",\"problem\":\"x\",\"scripts\":[]}";
            String ok = "{\"gateway\":\"gw9\",\"groups\":[\"line3\"],\"health\":\"ok\",\"scripts\":[]}";
            String degradedAuth = gatewaySignature(gw9.getPrivate(), "gw9", "scriptbox/plant/gw9/status", null, seq + 2, degraded);
            gw9c.publishSigned("scriptbox/plant/gw9/status", degraded, true, degradedAuth);
            gw9c.publishSigned("scriptbox/plant/gw9/status", ok, true,
                    gatewaySignature(gw9.getPrivate(), "gw9", "scriptbox/plant/gw9/status", null, seq + 3, ok));
            Await.until("gw9 online and ok", STEP, () -> checking.gateways().stream().filter(g -> g.id().equals("gw9")).findFirst()
                    .orElse(null), g -> g != null && g.online() && g.health().equals("ok"));
            long before = checking.droppedGatewayMessages();
            attacker.publishSigned("scriptbox/plant/gw9/status", degraded, true, degradedAuth);
            Await.until("the replay dropped", STEP, checking::droppedGatewayMessages, n -> n > before);
            assertEquals("ok", checking.gateways().stream().filter(g -> g.id().equals("gw9")).findFirst().orElseThrow().health());
            // gw9 never answers; the attacker answers every deploy it sees "applied": the rollout is not fooled
            attacker.subscribe("scriptbox/plant/gw9/req/#");
            attacker.subscribe("scriptbox/plant/ghost3/req/#");
            attacker.forgedDeployAnswer = "{\"ok\":true,\"version\":1,\"applied\":true}";
            List<PackageScript> scripts = List.of(new PackageScript("line3", "return 1", "name = \"line3\"\nversion = \"1.0.0\"\n"));
            String envelope = PackageSigner.revocableEnvelope(new FleetPackage("plant", "line3", 1, scripts, null, Instant.now()),
                    "ops", ops.getPrivate());
            String id = checking.deploy(envelope, List.of("all"), 0);
            Rollout r = Await.until("the rollout ended", Duration.ofSeconds(40), () -> checking.rollout(id).orElseThrow(),
                    x -> x.state() != Rollout.State.RUNNING && x.state() != Rollout.State.ROLLING_BACK);
            assertTrue("the forged answer was sent", attacker.forged.get() >= 1);
            assertEquals(r.toString(), Rollout.State.ROLLED_BACK, r.state());
            assertFalse(r.toString(), r.results().get("gw9").outcome().equals("APPLIED"));
            assertEquals(r.toString(), Set.of("gw9"), r.results().keySet());   // no ghost in it
            // the same attack on the controller without gateway.keys: the ghost and the forged APPLIED count
            String plain = controller.deploy(envelope, List.of("all"), 0);
            Rollout fooled = Await.until("the rollout ended", Duration.ofSeconds(40), () -> controller.rollout(plain).orElseThrow(),
                    x -> x.state() != Rollout.State.RUNNING && x.state() != Rollout.State.ROLLING_BACK);
            System.out.printf("FleetAttackIT: forged APPLIED: with gateway.keys %s %s (%d dropped); without %s %s%n", r.state(),
                    r.results(), checking.droppedGatewayMessages(), fooled.state(), fooled.results());
            assertEquals("without gateway.keys the forged answers are believed: " + fooled, Rollout.State.COMPLETED, fooled.state());
            assertEquals(fooled.toString(), "APPLIED", fooled.results().get("ghost3").outcome());
        } finally {
            attacker.forgedDeployAnswer = null;
            gw9c.close();
            checking.close();
            attacker.publish("scriptbox/plant/ghost3/state", "", true);
            attacker.publish("scriptbox/plant/gw9/state", "", true);
            attacker.publish("scriptbox/plant/gw9/status", "", true);
        }
    }

    /** docs/fleet.md's mosquitto.conf lines for the ACL file, but the two paths (the test's own files). */
    private static String confFromTheDocs() throws Exception {
        String doc = Files.readString(Distribution.runtimeHome().resolve("../docs/fleet.md"), StandardCharsets.UTF_8);
        int from = doc.indexOf("# mosquitto.conf for scriptbox fleet");
        int to = doc.indexOf("```", from);
        assertTrue("docs/fleet.md has the mosquitto.conf lines", from >= 0 && to > from);
        StringBuilder b = new StringBuilder();
        for (String line : doc.substring(from, to).split("\n")) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("password_file") && !t.startsWith("acl_file")) {
                b.append(t).append('\n');
            }
        }
        assertTrue(b.toString(), b.toString().contains("use_username_as_clientid true"));
        return b.toString();
    }

    /** The ACL file of docs/fleet.md, between its two marker lines (so the test checks what users copy). */
    private static String aclFromTheDocs() throws Exception {
        String doc = Files.readString(Distribution.runtimeHome().resolve("../docs/fleet.md"), StandardCharsets.UTF_8);
        int from = doc.indexOf("# mosquitto acl_file for scriptbox fleet");
        int to = doc.indexOf("```", from);
        assertTrue("docs/fleet.md has the ACL file", from >= 0 && to > from);
        return doc.substring(from, to);
    }

    /** A plain MQTT 5 client: the attacker, or a stand-in for a user of the ACL broker. */
    static final class Client implements AutoCloseable {
        private final MqttAsyncClient client;
        final Map<String, JsonNode> answers = new ConcurrentHashMap<>();
        final Map<String, String> byCorrelation = new ConcurrentHashMap<>();
        private final Map<String, String> last = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final Map<String, Captured> captured = new ConcurrentHashMap<>();
        /** When set, every deploy request this client sees is answered with it at once (a forged answer). */
        volatile String forgedDeployAnswer;
        final AtomicInteger forged = new AtomicInteger();
        private final Map<String, AtomicInteger> answerCounts = new ConcurrentHashMap<>();

        record Captured(byte[] payload, String responseTopic, byte[] correlation) {
        }

        Client(int port, String id, String user, String password) throws MqttException {
            client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "test-" + id, new MemoryPersistence());
            client.setCallback(new MessageCallback() {
                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    String text = new String(m.getPayload(), StandardCharsets.UTF_8);
                    last.put(topic, text);
                    if (m.getProperties() != null && m.getProperties().getResponseTopic() != null) {
                        captured.put(topic, new Captured(m.getPayload(), m.getProperties().getResponseTopic(),
                                m.getProperties().getCorrelationData()));
                        String answer = forgedDeployAnswer;
                        if (answer != null && topic.endsWith("/req/deploy")) {
                            MqttMessage a = new MqttMessage(answer.getBytes(StandardCharsets.UTF_8));
                            a.setQos(1);
                            MqttProperties p = new MqttProperties();
                            p.setCorrelationData(m.getProperties().getCorrelationData());
                            a.setProperties(p);
                            try {
                                client.publish(m.getProperties().getResponseTopic(), a);   // not waited for: Paho's callback thread
                                forged.incrementAndGet();
                            } catch (MqttException e) {
                                // the test sees no forged answer
                            }
                        }
                    }
                    counts.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
                    byte[] c = m.getProperties() == null ? null : m.getProperties().getCorrelationData();
                    if (c != null) {
                        String key = new String(c, StandardCharsets.UTF_8);
                        byCorrelation.put(key, text);
                        try {
                            if (topic.endsWith("/res")) {   // not a request this client sees (it may subscribe to req/#)
                                answerCounts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                                answers.put(key, JSON.readTree(text));
                            }
                        } catch (Exception e) {
                            // not JSON: kept as text only
                        }
                    }
                }





            });
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setMaximumPacketSize(64L << 20);
            o.setReceiveMaximum(65535);
            if (user != null) {
                o.setUserName(user);
                o.setPassword(password.getBytes(StandardCharsets.UTF_8));
            }
            client.connect(o).waitForCompletion(10_000);
        }

        static Client tryConnect(int port, String user, String password) {
            try {
                return new Client(port, user, user, password);
            } catch (MqttException e) {
                return null;
            }
        }

        void subscribe(String filter) throws MqttException {
            client.subscribe(filter, 1).waitForCompletion(10_000);
        }

        void publish(String topic, String text, boolean retained) throws MqttException {
            MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            m.setRetained(retained);
            client.publish(topic, m).waitForCompletion(10_000);
        }

        /** Publishes with a gateway's signature in the user property scriptbox-auth (as docs/fleet.md gives it). */
        void publishSigned(String topic, String text, boolean retained, String auth) throws MqttException {
            MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            m.setRetained(retained);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("scriptbox-auth", auth)));
            m.setProperties(p);
            client.publish(topic, m).waitForCompletion(10_000);
        }

        void request(String topic, String body, String responseTopic, String correlation) throws MqttException {
            MqttMessage m = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(responseTopic);
            p.setCorrelationData(correlation.getBytes(StandardCharsets.UTF_8));
            m.setProperties(p);
            client.publish(topic, m).waitForCompletion(10_000);
        }

        void requestBytes(String topic, byte[] body, String responseTopic, byte[] correlation) throws MqttException {
            MqttMessage m = new MqttMessage(body);
            m.setQos(1);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(responseTopic);
            p.setCorrelationData(correlation);
            m.setProperties(p);
            client.publish(topic, m).waitForCompletion(10_000);
        }

        JsonNode answerTo(byte[] correlation) {
            return answer(new String(correlation, StandardCharsets.UTF_8));
        }

        /** QoS 0, not waited for: as fast as the client sends (a flood). */
        boolean publishQuietly(String topic, String body, String responseTopic, String correlation) {
            MqttMessage m = new MqttMessage(body.getBytes(StandardCharsets.UTF_8));
            m.setQos(0);
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(responseTopic);
            p.setCorrelationData(correlation.getBytes(StandardCharsets.UTF_8));
            m.setProperties(p);
            try {
                client.publish(topic, m);
                return true;
            } catch (MqttException e) {
                return false;
            }
        }

        JsonNode answer(String correlation) {
            return Await.until("an answer to " + correlation, STEP, () -> answers.get(correlation), a -> a != null);
        }

        int answerCount(String correlation) {
            AtomicInteger n = answerCounts.get(correlation);
            return n == null ? 0 : n.get();
        }

        boolean connected() {
            return client.isConnected();
        }

        String lastOn(String topic) {
            return last.get(topic);
        }

        int countOn(String topic) {
            AtomicInteger n = counts.get(topic);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() {
            try {
                client.disconnect().waitForCompletion(3000);
            } catch (MqttException e) {
                // gone already
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                // gone already
            }
        }
    }
}
