package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

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

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.api.fleet.SignedPackage;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.fleet.internal.Rollout;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Issue 18 end to end: a real Mosquitto broker started by the test on a loopback port, three real scriptbox
 * containers as separate JVMs (gateways of fleet "plant", group "line1"; gw3 also in "building-b"), and the controller in the test
 * JVM. The steps build on each other (one broker and one set of gateways, to keep the build fast): refusals,
 * a staged rollout, replay and downgrade, a failing canary that halts and rolls back, a gateway killed
 * during a rollout that catches up when it returns, a broker and controller restart mid-rollout, and a gateway
 * in two groups whose packages keep their own versions and scripts.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FleetIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLEET = "plant";
    private static final List<String> IDS = List.of("gw1", "gw2", "gw3");

    private static Path root;
    private static Mosquitto broker;
    private static final Map<String, GatewayProcess> gateways = new LinkedHashMap<>();
    private static FleetController controller;
    private static KeyPair ops;
    private static KeyPair stranger;

    @BeforeClass
    public static void fleet() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto (apt-get install mosquitto)", Mosquitto.installed());
        root = Distribution.freshFolder("fleet");
        broker = new Mosquitto(Files.createDirectories(root.resolve("broker"))).start();
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        for (String id : IDS) {
            Map<String, String> cfg = new LinkedHashMap<>();
            cfg.put("broker.host", "127.0.0.1");
            cfg.put("broker.port", Integer.toString(broker.port()));
            cfg.put("fleet.id", FLEET);
            cfg.put("gateway.id", id);
            cfg.put("groups", id.equals("gw3") ? "line1, building-b" : "line1");   // gw3: two groups, each its own versions
            cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
            cfg.put("keepalive.seconds", "2");
            cfg.put("reconnect.min.ms", "200");
            cfg.put("reconnect.max.ms", "2000");
            gateways.put(id, new GatewayProcess(id, root, cfg).start());
        }
        controller = newController();
        Await.until("three gateways online", START, () -> online().size(), n -> n == 3);
    }

    private static FleetController newController() throws Exception {
        return FleetController.plain("127.0.0.1", broker.port(), FLEET, "ctl", root.resolve("controller"),
                Duration.ofSeconds(20)).start();
    }

    @AfterClass
    public static void stopAll() throws Exception {
        if (controller != null) {
            controller.close();
        }
        for (GatewayProcess g : gateways.values()) {
            g.kill();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static List<String> online() {
        List<String> ids = new ArrayList<>();
        controller.gateways().stream().filter(GatewayView::online).forEach(g -> ids.add(g.id()));
        return ids;
    }

    private static GatewayView view(String id) {
        return controller.gateways().stream().filter(g -> g.id().equals(id)).findFirst().orElse(null);
    }

    private static FleetPackage pkg(String group, long version, String script, String lua) {
        return new FleetPackage(FLEET, group, version, List.of(new PackageScript(script, lua,
                "name = \"" + script + "\"\nversion = \"2." + version + ".0\"\n")), null, Instant.now());
    }

    private static FleetPackage pkg(long version, String value, String health) {
        List<PackageScript> scripts = new ArrayList<>();
        scripts.add(new PackageScript("blink", "return '" + value + "'",
                "name = \"blink\"\nversion = \"1." + version + ".0\"\n"));
        if (health != null) {
            scripts.add(new PackageScript("health", health, "name = \"health\"\nversion = \"1." + version + ".0\"\n"));
        }
        return new FleetPackage(FLEET, "line1", version, scripts, health == null ? null : "health", Instant.now());
    }

    private static String envelope(FleetPackage p) {
        return PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));
    }

    private static JsonNode request(String gateway, String command, String body) throws Exception {
        return controller.request(gateway, command, (ObjectNode) JSON.readTree(body));
    }

    private static JsonNode deployDirect(String gateway, String envelope) throws Exception {
        return request(gateway, "deploy", envelope);
    }

    private static String blink(String gateway) throws Exception {
        JsonNode r = request(gateway, "run", "{\"script\":\"blink\"}");
        assertTrue(r.toString(), r.path("ok").asBoolean());
        return r.path("values").path(0).asText();
    }

    private static Rollout finished(String id) {
        return Await.until("rollout " + id + " to finish", STEP, () -> controller.rollout(id).orElseThrow(),
                r -> r.state() != Rollout.State.RUNNING && r.state() != Rollout.State.ROLLING_BACK);
    }

    @Test
    public void a_gatewaysPublishBirthAndRetainedStatus() {
        for (String id : IDS) {
            GatewayView v = Await.until(id + "'s status", STEP, () -> view(id), g -> g != null && g.health().equals("ok"));
            assertEquals(id.equals("gw3") ? List.of("line1", "building-b") : List.of("line1"), v.groups());
            assertEquals(0, v.packageVersion("line1"));
        }
    }

    @Test
    public void b_unsignedWronglySignedAndTamperedPackagesAreRefusedWithAReason() throws Exception {
        FleetPackage p = pkg(1, "evil", null);
        SignedPackage good = PackageSigner.sign(p, "ops", ops.getPrivate());
        String body = Base64.getEncoder().encodeToString(good.body());

        JsonNode unsigned = deployDirect("gw1", "{\"body\":\"" + body + "\"}");
        assertEquals(unsigned.toString(), "UNSIGNED", unsigned.path("code").asText());
        JsonNode untrusted = deployDirect("gw1", PackageSigner.envelope(PackageSigner.sign(p, "mallory", stranger.getPrivate())));
        assertEquals(untrusted.toString(), "UNTRUSTED_SIGNER", untrusted.path("code").asText());
        JsonNode wrongKey = deployDirect("gw1", PackageSigner.envelope(PackageSigner.sign(p, "ops", stranger.getPrivate())));
        assertEquals(wrongKey.toString(), "BAD_SIGNATURE", wrongKey.path("code").asText());
        String tamperedBody = new String(good.body(), java.nio.charset.StandardCharsets.UTF_8).replace("evil", "eviL");
        JsonNode tampered = deployDirect("gw1", PackageSigner.envelope(new SignedPackage(
                tamperedBody.getBytes(java.nio.charset.StandardCharsets.UTF_8), "ops", good.signature())));
        assertEquals(tampered.toString(), "BAD_SIGNATURE", tampered.path("code").asText());
        assertFalse(tampered.toString(), tampered.path("message").asText().contains("Exception"));

        JsonNode list = request("gw1", "list", "{}");
        assertFalse("nothing of the refused packages runs: " + list, list.toString().contains("blink"));
        assertFalse(Files.exists(gateways.get("gw1").deploy.resolve("blink.lua")));
        Await.until("one log line per refusal", STEP, () -> gateways.get("gw1").log().split("refused package", -1).length - 1,
                n -> n == 4);
        try {
            controller.deploy("{\"body\":\"" + body + "\"}", List.of("all"), 0);
            fail("the controller rolls out only signed packages");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not signed"));
        }
    }

    @Test
    public void c_aSignedPackageRollsOutToTheGroupInStages() throws Exception {
        String id = controller.deploy(envelope(pkg(1, "v1", "return true")), List.of("1", "50%", "all"), 0);
        Rollout r = finished(id);
        assertEquals(r.toString(), Rollout.State.COMPLETED, r.state());
        for (String g : IDS) {
            assertEquals(r.results().toString(), "APPLIED", r.results().get(g).outcome());
            assertEquals("v1", blink(g));
            assertTrue(Files.exists(gateways.get(g).deploy.resolve("blink.lua")));
            Await.until(g + " reports package 1", STEP, () -> view(g).packageVersion("line1"), v -> v == 1);
        }
        JsonNode history = request("gw2", "history", "{\"script\":\"blink\"}");
        assertEquals(history.toString(), "ops", history.path("packages").path(0).path("signer").asText());
        assertEquals("APPLIED", history.path("packages").path(0).path("state").asText());
    }

    @Test
    public void d_aReplayChangesNothingAndADowngradeIsRefused() throws Exception {
        String v1 = envelope(pkg(1, "v1", "return true"));
        JsonNode again = deployDirect("gw1", envelope(pkg(1, "v1-other", null)));
        assertEquals(again.toString(), "REPLAY", again.path("code").asText());
        String id = controller.deploy(envelope(pkg(2, "v2", "return true")), List.of("all"), 0);
        assertEquals(Rollout.State.COMPLETED, finished(id).state());
        JsonNode old = deployDirect("gw2", v1);
        assertEquals(old.toString(), "DOWNGRADE", old.path("code").asText());
        try {
            controller.deploy(v1, List.of("all"), 0);
            fail("the controller refuses a version not above the group's last rollout");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("package version 1 is not above version 2 of rollout"));
        }
        assertEquals("v2", blink("gw2"));
    }

    @Test
    public void e_aFailingCanaryHaltsTheRolloutAndRollsItBack() throws Exception {
        String v3 = envelope(pkg(3, "v3", "error('sensor missing')"));
        String id = controller.deploy(v3, List.of("1", "all"), 0);
        Rollout r = finished(id);
        assertEquals(r.toString(), Rollout.State.ROLLED_BACK, r.state());
        assertEquals("only the canary got it: " + r.results(), 1, r.results().size());
        String canary = r.results().keySet().iterator().next();
        assertEquals("ROLLED_BACK", r.results().get(canary).outcome());
        assertTrue(r.reason(), r.reason().contains("health check health"));
        for (String g : IDS) {
            assertEquals(g, "v2", blink(g));
        }
        JsonNode replay = deployDirect(canary, v3);
        assertEquals(replay.toString(), "REPLAY", replay.path("code").asText());
    }

    @Test
    public void f_aGatewayKilledDuringARolloutCatchesUpWhenItReturns() throws Exception {
        GatewayProcess gw3 = gateways.get("gw3");
        gw3.kill();
        Await.until("gw3's last will", STEP, () -> view("gw3").online(), o -> !o);
        String id = controller.deploy(envelope(pkg(4, "v4", "return true")), List.of("1", "all"), 0);
        Rollout r = finished(id);
        assertEquals(r.toString(), Rollout.State.COMPLETED, r.state());
        assertEquals(r.results().toString(), "PENDING", r.results().get("gw3").outcome());
        gw3.start();
        Await.until("gw3 caught up", START, () -> controller.rollout(id).orElseThrow().results().get("gw3").outcome(),
                o -> o.equals("APPLIED"));
        assertEquals("v4", blink("gw3"));
    }

    @Test
    public void g_aBrokerAndControllerRestartMidRolloutLoseNothing() throws Exception {
        String id = controller.deploy(envelope(pkg(5, "v5", "return true")), List.of("1", "all"), 0);
        broker.stop();
        controller.close();
        broker.start();
        controller = newController();
        // a gateway whose will the broker published on its way down is PENDING and catches up at its birth
        Rollout r = Await.until("rollout " + id + " applied everywhere", STEP, () -> controller.rollout(id).orElseThrow(),
                x -> x.state() == Rollout.State.COMPLETED && x.count("APPLIED") == IDS.size());
        for (String g : IDS) {
            assertEquals("v5", blink(g));
        }
    }

    @Test
    public void h_aPackageEveryGatewayRefusesEndsRolledBackNotStuck() throws Exception {
        // signed, but with a key the gateways do not trust under the trusted name: refused before any record
        String forged = PackageSigner.envelope(PackageSigner.sign(pkg(6, "forged", null), "ops", stranger.getPrivate()));
        String id = controller.deploy(forged, List.of("all"), 0.5);
        Rollout r = finished(id);
        assertEquals(r.toString(), Rollout.State.ROLLED_BACK, r.state());
        assertTrue(r.reason(), r.reason().contains("BAD_SIGNATURE"));
        for (String g : IDS) {
            assertEquals("v5", blink(g));
        }
    }

    /**
     * Q31: gw3 is in line1 and building-b, whose rollouts number their packages on their own. building-b's v30 does
     * not make line1's v7 a downgrade; each group's version is in gw3's status; a building-b package naming line1's
     * script is refused with its code (the rollout shows it) and changes nothing; rolling building-b back leaves
     * line1's script as it is, and rolling line1 back leaves a script building-b's package holds by then.
     */
    @Test
    public void i_aGatewayInTwoGroupsKeepsEachGroupsVersionsAndScripts() throws Exception {
        String b30 = controller.deploy(envelope(pkg("building-b", 30, "hvac", "return 'b30'")), List.of("all"), 0);
        Rollout r = finished(b30);
        assertEquals(r.toString(), Rollout.State.COMPLETED, r.state());
        assertEquals("only gw3 is in building-b: " + r.results(), List.of("gw3"), List.copyOf(r.results().keySet()));
        String l7 = controller.deploy(envelope(pkg(7, "v7", "return true")), List.of("1", "all"), 0);
        r = finished(l7);
        assertEquals(r.toString(), Rollout.State.COMPLETED, r.state());
        assertEquals("line1's v7 below building-b's v30 on gw3: " + r.results(), "APPLIED", r.results().get("gw3").outcome());
        assertEquals("v7", blink("gw3"));
        GatewayView v = Await.until("gw3's status with both groups' packages", STEP, () -> view("gw3"),
                g -> g.packageVersion("line1") == 7 && g.packageVersion("building-b") == 30);
        assertEquals("APPLIED", v.packageState("building-b"));

        // a package of building-b that names line1's script: refused, nothing changed, its code in the rollout
        String clash = controller.deploy(envelope(pkg("building-b", 31, "blink", "return 'b31'")), List.of("all"), 0);
        r = finished(clash);
        assertEquals(r.toString(), Rollout.State.ROLLED_BACK, r.state());
        String refused = "SCRIPT_OF_OTHER_GROUP: script 'blink' is in place here from group line1's package 7";
        assertTrue(r.reason(), r.reason().contains("gw3: " + refused));
        assertTrue(r.results().toString(), r.results().get("gw3").detail().startsWith("failed: " + refused));
        assertEquals("v7", blink("gw3"));

        // rolling building-b's v30 back removes its script and leaves line1's
        JsonNode back = request("gw3", "rollback", "{\"group\":\"building-b\",\"version\":30}");
        assertTrue(back.toString(), back.path("rolledBack").asBoolean());
        JsonNode list = request("gw3", "list", "{}");
        assertFalse(list.toString(), list.toString().contains("\"hvac\""));
        assertEquals("v7", blink("gw3"));
        JsonNode history = request("gw3", "history", "{}");
        assertEquals(history.toString(), "building-b", history.path("packages").path(0).path("group").asText());
        assertEquals("ROLLED_BACK", history.path("packages").path(0).path("state").asText());
        Await.until("gw3's status: building-b rolled back, line1 at 7", STEP, () -> view("gw3"),
                g -> g.packageState("building-b").equals("ROLLED_BACK") && g.packageVersion("line1") == 7);

        // line1's blink undeployed by hand, then building-b's v32 takes the name: rolling line1's v7 back leaves it
        assertTrue(request("gw3", "undeploy", "{\"script\":\"blink\"}").path("undeployed").asBoolean());
        r = finished(controller.deploy(envelope(pkg("building-b", 32, "blink", "return 'b32'")), List.of("all"), 0));
        assertEquals(r.toString(), Rollout.State.COMPLETED, r.state());
        assertEquals("b32", blink("gw3"));
        JsonNode line1Back = request("gw3", "rollback", "{\"group\":\"line1\",\"version\":7}");
        assertTrue(line1Back.toString(), line1Back.path("rolledBack").asBoolean()
                && line1Back.path("message").asText().contains("blink (group building-b's package 32)"));
        assertEquals("building-b's blink stays", "b32", blink("gw3"));
    }
}
