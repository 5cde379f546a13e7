package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.testsupport.mqtt.Mosquitto;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Signed births, statuses and answers (a controller's gateway.keys): what a controller believes of a gateway no
 * longer rests on the broker's ACLs alone. The checker and the controller's table without a broker; answers, the
 * will and the user property through a real Mosquitto.
 */
public class GatewayAuthTest {
    private static final String FLEET = "plant";
    private static Mosquitto broker;
    private static int port;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair gw1 = Ed25519Keys.generate();
    private final KeyPair gw2 = Ed25519Keys.generate();
    private final KeyPair mallory = Ed25519Keys.generate();
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final GatewayAuth.Signer signer1 = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get);
    private final GatewayAuth.Signer signer2 = new GatewayAuth.Signer(FLEET, "gw2", gw2.getPrivate(), clock::get);
    private final GatewayAuth.Signer forger = new GatewayAuth.Signer(FLEET, "gw1", mallory.getPrivate(), clock::get);
    @Rule
    public final Closer open = new Closer();

    @BeforeClass
    public static void broker() throws Exception {
        if (Mosquitto.installed()) {   // else the broker tests are skipped; the others run
            broker = new Mosquitto(Files.createTempDirectory("gateway-auth")).start();
            port = broker.port();
        }
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    private GatewayAuth.Checker checker() {
        return new GatewayAuth.Checker(Map.of("gw1", gw1.getPublic(), "gw2", gw2.getPublic()), FLEET, Duration.ofMinutes(10), clock::get);
    }

    /** A controller link that never connects (port 1): its table is fed by hand. */
    private ControllerLink offlineLink(GatewayAuth.Checker checker) {
        return opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", 1), FLEET, "ctl", null, checker));
    }

    private static FleetMessage state(String gateway, String json) {
        return FleetMessage.of(FleetTopics.gateway(FLEET, gateway, FleetTopics.STATE), json, true);
    }

    private static FleetMessage status(String gateway, String health) {
        return FleetMessage.of(FleetTopics.gateway(FLEET, gateway, FleetTopics.STATUS),
                "{\"gateway\":\"" + gateway + "\",\"groups\":[\"line1\"],\"health\":\"" + health + "\",\"scripts\":[]}", true);
    }

    private static String birth(long will) {
        return "{\"state\":\"online\",\"groups\":[\"line1\"],\"will\":" + will + "}";
    }

    @Test
    public void aControllerWithGatewayKeysTakesOnlyWhatEachGatewaySignedOnceAndInOrder() {
        ControllerLink ctl = offlineLink(checker());
        // a ghost (not in gateway.keys) and a forged birth of gw1 (another key): neither reaches the table
        ctl.state(state("ghost1", birth(0)));
        ctl.state(forger.sign(state("gw1", birth(0))));
        ctl.state(state("gw1", birth(0)));   // unsigned
        assertFalse(ctl.gateways().toString(), ctl.gateways().stream().anyMatch(g -> g.online()));
        assertEquals(3, ctl.dropped());
        long will = signer1.nextSeq();
        FleetMessage death = signer1.sign(state("gw1", "{\"state\":\"offline\",\"gateway\":\"gw1\"}"), will);
        ctl.state(signer1.sign(state("gw1", birth(will))));
        ctl.status(signer1.sign(status("gw1", "ok")));
        assertTrue(ctl.gateway("gw1").online());
        assertEquals("ok", ctl.gateway("gw1").health());
        // an older status of gw1 put back (a replay), and gw2's status moved onto gw1's topic: dropped
        FleetMessage degraded = signer1.sign(status("gw1", "degraded"));
        FleetMessage newer = signer1.sign(status("gw1", "ok"));
        ctl.status(newer);
        ctl.status(degraded);
        assertEquals("ok", ctl.gateway("gw1").health());
        FleetMessage gw2Status = signer2.sign(status("gw2", "degraded"));
        ctl.status(new FleetMessage(FleetTopics.gateway(FLEET, "gw1", FleetTopics.STATUS), gw2Status.payload(), true, null, null,
                gw2Status.auth()));
        ctl.status(gw2Status.withAuth(null));
        assertEquals("ok", ctl.gateway("gw1").health());
        assertEquals("?", ctl.gateway("gw2").health());
        assertEquals(6, ctl.dropped());
        // the death the broker publishes was signed at connect, before the birth: taken because the birth named it
        ctl.state(death);
        assertFalse(ctl.gateway("gw1").online());
        ctl.state(signer1.sign(state("gw1", birth(will))));
        assertTrue(ctl.gateway("gw1").online());
        ctl.state(signer1.sign(state("gw1", "{\"state\":\"offline\"}"), will - 1));   // not the will the birth named
        assertTrue(ctl.gateway("gw1").online());
        // a message signed far ahead of the controller's clock would make every later one a replay: dropped
        ctl.status(new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), () -> clock.get() + 3_600_000).sign(status("gw1", "degraded")));
        assertEquals("ok", ctl.gateway("gw1").health());
        ctl.status(signer1.sign(status("gw1", "degraded")));
        assertEquals("degraded", ctl.gateway("gw1").health());
        assertEquals(8, ctl.dropped());
    }

    @Test
    public void aClockFaultHoldsAGatewayBackOneWindowAtMostAndARestartedGatewayGoesOnAboveItsNumbers() throws Exception {
        // Q41 at the controller: a site 100 years ahead for a minute; then the clocks right again
        long real = clock.get();
        clock.set(real + 100L * 365 * 24 * 3600 * 1000);
        ControllerLink ctl = offlineLink(checker());
        GatewayAuth.Signer faulty = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get);
        ctl.status(faulty.sign(status("gw1", "ok")));
        assertEquals("ok", ctl.gateway("gw1").health());
        clock.set(real);
        GatewayAuth.Signer right = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get);
        ctl.status(right.sign(status("gw1", "degraded")));
        assertEquals("held back within the window", "ok", ctl.gateway("gw1").health());
        clock.set(real + 11 * 60_000);
        ctl.status(right.sign(status("gw1", "degraded")));
        assertEquals("not a century", "degraded", ctl.gateway("gw1").health());
        // Q45: a gateway whose clock ran 5 minutes fast, put right and restarted, goes on above the numbers it used
        Path seq = tmp.getRoot().toPath().resolve("fleet-gateway-seq.txt");
        clock.set(real + 20 * 60_000);
        GatewayAuth.Signer fast = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get, seq, Duration.ofMinutes(10));
        ctl.status(fast.sign(status("gw1", "ok")));
        assertEquals("ok", ctl.gateway("gw1").health());
        clock.set(real + 15 * 60_000);
        GatewayAuth.Signer restarted = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get, seq, Duration.ofMinutes(10));
        ctl.status(restarted.sign(status("gw1", "degraded")));
        assertEquals("heard at once after its restart", "degraded", ctl.gateway("gw1").health());
        // a mark far ahead (a clock fault) is not taken: the numbers follow the clock again
        Files.writeString(seq, Long.toString((real + 100L * 365 * 24 * 3600 * 1000) * 1000));
        long next = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), clock::get, seq, Duration.ofMinutes(10)).nextSeq();
        assertTrue(Long.toString(next), next / 1000 <= clock.get() + 1);
    }

    @Test
    public void withoutGatewayKeysEverythingIsTakenAsBeforeAndBirthsShowTheirKeys() {
        ControllerLink ctl = offlineLink(null);
        ctl.state(state("gw1", birth(0)));
        assertTrue(ctl.gateway("gw1").online());
        FleetMessage b = signer2.sign(state("gw2", "{\"state\":\"online\",\"groups\":[\"line1\"],\"key\":\""
                + Ed25519Keys.publicText(gw2.getPublic()) + "\"}"));
        ctl.state(b);
        ctl.state(forger.sign(state("gw3", "{\"state\":\"online\",\"key\":\"" + Ed25519Keys.publicText(gw1.getPublic()) + "\"}")));
        assertEquals("only a key the birth is signed with", Map.of("gw2", Ed25519Keys.publicText(gw2.getPublic())), ctl.presentedKeys());
        assertEquals(0, ctl.dropped());
    }

    @Test
    public void aGatewaysKeyIsMadeOnceKeptOwnerOnlyAndADamagedOneIsNotReplaced() throws Exception {
        Path data = tmp.getRoot().toPath().resolve("data/fleet-gateway-key.pem");
        KeyPair first = GatewayIdentity.load(null, data);
        KeyPair again = GatewayIdentity.load(null, data);
        assertEquals(first.getPublic(), again.getPublic());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        byte[] probe = "x".getBytes(StandardCharsets.UTF_8);
        assertTrue(Ed25519Keys.verify(again.getPublic(), probe, Ed25519Keys.sign(first.getPrivate(), probe)));
        Path configured = tmp.newFile("gw.pem").toPath();
        KeyPair k = Ed25519Keys.generate();
        Files.writeString(configured, Ed25519Keys.privatePem(k.getPrivate()));
        assertEquals(k.getPublic(), GatewayIdentity.load(configured, data).getPublic());
        Files.writeString(data, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        try {
            GatewayIdentity.load(null, data);
            fail("a damaged key is this gateway's identity: not silently replaced");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(data.toString()) && e.getMessage().contains("move it away"));
        }
        try {
            GatewayIdentity.load(tmp.getRoot().toPath().resolve("missing.pem"), data);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("gateway.key "));
        }
    }

    // ---- through a real broker: answers, the user property, the will ----

    private PahoLink link(String clientId, FleetMessage will, int brokerPort) throws Exception {
        BrokerSettings p = BrokerSettings.plain("127.0.0.1", brokerPort);
        BrokerSettings s = new BrokerSettings("127.0.0.1", brokerPort, false, "", "", "", "", "", "", p.sessionExpirySeconds(),
                p.reconnectMin(), p.reconnectMax(), 1);
        PahoLink l = opened(new PahoLink(s, clientId, will, 0));
        return l;
    }

    @Test
    public void aForgedAnswerDoesNotAnswerARequestButTheGatewaysSignedOneDoes() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker != null);
        ControllerLink ctl = opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", port), FLEET, "ctl", null, checker()).start());
        ControllerLink[] ctlRef = {ctl};
        PahoLink gw = link("scriptbox-plant-gw1", null, port);
        PahoLink evil = link("mallory", null, port);
        gw.subscribe(FleetTopics.requests(FLEET, "gw1"), m -> {
            // the attacker (it sees req/# on an open broker) answers first: applied, unsigned, then signed by another key
            byte[] applied = "{\"ok\":true,\"version\":9,\"applied\":true}".getBytes(StandardCharsets.UTF_8);
            FleetMessage forged = new FleetMessage(m.responseTopic(), applied, false, null, m.correlationData());
            evil.send(forged);
            evil.send(forger.sign(forged));
            evil.send(signer2.sign(forged));   // a real gateway's key, but not the one asked
            Thread t = new Thread(() -> {   // the gateway's own answer once the three forged ones reached the controller
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (ctlRef[0].dropped() < 3 && System.nanoTime() - end < 0) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                gw.send(signer1.sign(new FleetMessage(m.responseTopic(), "{\"ok\":false,\"code\":\"REPLAY\"}".getBytes(StandardCharsets.UTF_8),
                        false, null, m.correlationData())));
            });
            t.setDaemon(true);
            t.start();
        });
        gw.start();
        evil.start();
        until("connected", () -> ctl.connected() && gw.connected() && evil.connected(), Duration.ofSeconds(15));
        CompletableFuture<JsonNode> answer = ctl.request("gw1", FleetTopics.DEPLOY, PackageCodec.JSON.createObjectNode(), Duration.ofSeconds(20));
        JsonNode a = answer.get(20, TimeUnit.SECONDS);
        assertEquals("the gateway's own answer, not the forged APPLIED: " + a, "REPLAY", a.path("code").asText());
        assertEquals(3, ctl.dropped());
    }

    @Test
    public void theWillTheBrokerPublishesIsSignedAfreshForEachConnectionAndAnEarlierOneIsNotTaken() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker != null);
        ControllerLink ctl = opened(new ControllerLink(BrokerSettings.plain("127.0.0.1", port), FLEET, "ctl", null, checker()).start());
        List<FleetMessage> deaths = new java.util.concurrent.CopyOnWriteArrayList<>();
        CuttableProxy proxy = opened(new CuttableProxy(port));
        BrokerSettings p = BrokerSettings.plain("127.0.0.1", proxy.port());
        // back 2 s after the cut: time enough to see it offline first
        BrokerSettings s = new BrokerSettings("127.0.0.1", proxy.port(), false, "", "", "", "", "", "", p.sessionExpirySeconds(),
                Duration.ofSeconds(2), Duration.ofSeconds(4), 1);
        PahoLink gw = opened(PahoLink.withFreshWills(s, "scriptbox-plant-gw1", () -> {
            FleetMessage d = signer1.sign(state("gw1", "{\"state\":\"offline\",\"gateway\":\"gw1\"}"));
            deaths.add(d);
            return d;
        }, 0, new InboundBudget(1000, 1 << 20)));
        gw.onConnection(up -> {
            if (up) {   // the birth names this connection's will
                gw.publish(signer1.sign(state("gw1", birth(GatewayAuth.Checker.seqOf(deaths.get(deaths.size() - 1).auth())))));
            }
        });
        gw.start();
        until("gw1 online at the controller", () -> ctl.gateway("gw1").online(), Duration.ofSeconds(15));
        int before = deaths.size();
        proxy.cut();   // without a DISCONNECT: the broker publishes the will, signed by the gateway, and the link comes back
        until("gw1 offline by its signed will", () -> !ctl.gateway("gw1").online(), Duration.ofSeconds(20));
        until("gw1 back with a new will", () -> ctl.gateway("gw1").online() && deaths.size() > before, Duration.ofSeconds(20));
        assertEquals(0, ctl.dropped());
        // the death of the first connection, captured and published again by another client: not this connection's
        PahoLink evil = link("mallory", null, port);
        evil.start();
        until("mallory connected", evil::connected, Duration.ofSeconds(15));
        evil.publish(deaths.get(before - 1));
        until("the old death dropped", () -> ctl.dropped() == 1, Duration.ofSeconds(15));
        assertTrue(ctl.gateway("gw1").online());
        proxy.close();
        until("gw1 offline by this connection's will", () -> !ctl.gateway("gw1").online(), Duration.ofSeconds(20));
        assertEquals(1, ctl.dropped());
    }
}
