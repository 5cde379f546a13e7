package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

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
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Session 9's red team on the fleet with a real gateway container (FINDINGS.md Q38-...): what a signed package may
 * hold (names the deploy folder keeps for tests, names from the network, a misbehaving health check, many scripts),
 * and a gateway killed with SIGKILL while it applies a package. One real Mosquitto, one container (gw1, group line1),
 * the controller in the test JVM. The package versions go up from test to test (the gateway's ledger keeps them).
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RedTeamSession9FleetIT {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path root;
    private static Mosquitto broker;
    private static GatewayProcess gw1;
    private static FleetController controller;
    private static KeyPair ops;
    private static long version = 100;

    @BeforeClass
    public static void fleet() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto (apt-get install mosquitto)", Mosquitto.installed());
        root = Distribution.freshFolder("fleet-redteam9");
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
        controller = FleetController.plain("127.0.0.1", broker.port(), "plant", "ctl", root.resolve("controller"),
                Duration.ofSeconds(120)).start();
        Await.until("gw1 online with its status", START, () -> view("gw1"), g -> g != null && g.online() && g.health().equals("ok"));
    }

    @AfterClass
    public static void stopAll() throws Exception {
        if (controller != null) {
            controller.close();
        }
        if (gw1 != null) {
            gw1.kill();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static GatewayView view(String id) {
        return controller.gateways().stream().filter(g -> g.id().equals(id)).findFirst().orElse(null);
    }

    private static String envelope(List<PackageScript> scripts, String health) {
        return PackageSigner.envelope(PackageSigner.sign(new FleetPackage("plant", "line1", ++version, scripts, health,
                Instant.now()), "ops", ops.getPrivate()));
    }

    private static JsonNode deploy(String envelope) throws Exception {
        return controller.request("gw1", "deploy", (ObjectNode) JSON.readTree(envelope));
    }

    private static List<String> live() {
        List<String> names = new ArrayList<>();
        controller.request("gw1", "list", JSON.createObjectNode()).path("scripts").forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    private static void noJavaText(JsonNode answer) {
        String m = answer.path("message").asText();
        assertFalse(answer.toString(), m.contains("Exception") || m.contains("\tat ") || m.contains("java."));
    }

    // ---- Q38: a package script named x_test was live until the gateway's next restart ----

    @Test
    public void a_aPackageScriptNamedLikeTestsIsRefusedAndNothingOfThePackageStays() throws Exception {
        JsonNode answer = deploy(envelope(List.of(new PackageScript("blink", "return 'blink'", null),
                new PackageScript("blink_test", "return 'not a test'", null)), null));
        System.out.println("RedTeamSession9FleetIT a: " + answer);
        assertFalse(answer.toString(), answer.path("ok").asBoolean());
        assertEquals(answer.toString(), "DEPLOY_FAILED", answer.path("code").asText());
        assertTrue(answer.toString(), answer.path("message").asText().contains("ends in \"_test\""));
        noJavaText(answer);
        assertEquals("all or nothing: blink went back too", List.of(), live().stream().filter(n -> n.startsWith("blink")).toList());
        try (Stream<Path> files = Files.list(gw1.deploy)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("blink")).toList());
        }
    }

    // ---- names from the network: refused with one sentence, before any path is made of them (held) ----

    @Test
    public void b_scriptNamesThatAreNoIdsAreRefusedInOneSentence() throws Exception {
        for (String name : List.of("a\u0000b", "bl\u00efnk", "x".repeat(65), "..", ".hidden", "-x", "a/../../etc/passwd",
                "blink.stats", "\u202eknilb")) {
            JsonNode answer = deploy(envelope(List.of(new PackageScript("ok1", "return 1", null),
                    new PackageScript(name, "return 2", null)), null));
            assertFalse(name + ": " + answer, answer.path("ok").asBoolean());
            assertTrue(name + ": " + answer, List.of("BAD_NAME", "DEPLOY_FAILED", "BAD_SCRIPT").contains(answer.path("code").asText()));
            assertFalse(name + ": " + answer, answer.path("message").asText().contains("\u0000")
                    || answer.path("message").asText().contains("\u202e"));
            noJavaText(answer);
        }
        assertFalse("nothing of the refused packages is live", live().contains("ok1"));
        try (Stream<Path> files = Files.walk(gw1.deploy.getParent())) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().equals("passwd.lua")));
        }
    }

    // ---- a health check that loops for ever, or answers more than the controller reads (held / reported) ----

    @Test
    public void c_aHealthCheckThatLoopsForEverOrAnswersTooMuchFailsTheRolloutWithAReason() throws Exception {
        String loop = envelope(List.of(new PackageScript("spin", "while true do end", null)), "spin");
        String id = controller.deploy(loop, List.of("all"), 0);
        Rollout r = Await.until("the looping health check rolled back", STEP, () -> controller.rollout(id).orElseThrow(),
                x -> x.state() == Rollout.State.ROLLED_BACK);
        System.out.println("RedTeamSession9FleetIT c loop: " + r.reason());
        assertTrue(r.reason(), r.reason().contains("health check spin: "));
        assertFalse("the rollback took spin away", live().contains("spin"));

        // a result of 5 MB: the script's own limits end it (max_string_length), the answer never grows
        String big = envelope(List.of(new PackageScript("chatty", "return string.rep('x', 5000000)", null)), "chatty");
        String id2 = controller.deploy(big, List.of("all"), 0);
        Rollout r2 = Await.until("the chatty health check's rollout rolled back", STEP, () -> controller.rollout(id2).orElseThrow(),
                x -> x.state() == Rollout.State.ROLLED_BACK);
        System.out.println("RedTeamSession9FleetIT c big: " + r2.reason());
        assertTrue(r2.reason(), r2.reason().contains("health check chatty: FAILED chatty.lua:1: string length limit"));
    }

    // ---- many scripts in one package: how long the gateway's one link thread is busy (figure) ----

    @Test
    public void d_aPackageOfManyScriptsIsAppliedAndMeasured() throws Exception {
        List<PackageScript> scripts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            scripts.add(new PackageScript(String.format("m%04d", i), "return " + i, null));
        }
        String envelope = envelope(scripts, null);
        long t0 = System.nanoTime();
        JsonNode answer = deploy(envelope);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("RedTeamSession9FleetIT d: 500 scripts applied in %d ms (%s)%n", ms, answer);
        assertTrue(answer.toString(), answer.path("applied").asBoolean());
        t0 = System.nanoTime();
        JsonNode back = controller.request("gw1", "rollback", JSON.createObjectNode().put("version", version));
        System.out.printf("RedTeamSession9FleetIT d: rolled back in %d ms (%s)%n", (System.nanoTime() - t0) / 1_000_000, back);
        assertFalse(live().contains("m0000"));
    }

    // ---- Q39: a gateway killed while it applies a package ----

    /**
     * SIGKILL (a power cut) while the gateway applies a package of 400 scripts, 80 of them in its deploy folder: after
     * the restart those 80 are live beside the 320 old or absent ones, for good: the deploy request was acknowledged
     * before it was carried out, so nothing asks again; the ledger says APPLYING and the status shows the package
     * "APPLYING" for ever. A rollout's timeout rolls it back eventually (its rollback restores the undo), a
     * {@code fleet:request deploy} or a halted rollout does not.
     */
    @org.junit.Ignore("Q39 (fleet-ledger): an apply interrupted by a crash must be put back (or finished) at the next start")
    @Test
    public void e_aGatewayKilledWhileItAppliesAPackageRestartsWithAWholeVersionAndSaysWhich() throws Exception {
        controller.request("gw1", "list", JSON.createObjectNode());
        int n = 400;
        List<PackageScript> scripts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scripts.add(new PackageScript(String.format("k%04d", i), "return " + i, null));
        }
        String envelope = envelope(scripts, null);
        long v = version;
        CompletableFuture<JsonNode> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return deploy(envelope);
            } catch (Exception e) {
                return JSON.createObjectNode().put("noAnswer", e.getMessage());
            }
        });
        long written = Await.until("part of the package in the deploy folder", STEP, () -> count(gw1.deploy, "k"),
                c -> c >= n / 5);
        gw1.kill();
        long atKill = count(gw1.deploy, "k");
        System.out.printf("RedTeamSession9FleetIT e: killed with %d (then %d) of %d scripts in the deploy folder%n", written, atKill, n);
        gw1.start();
        Await.until("gw1 back online with a status", START, () -> view("gw1"), g -> g != null && g.online());
        Thread.sleep(3_000);   // the deployer loaded the folder, the gateway published its status
        List<String> live = live().stream().filter(s -> s.startsWith("k")).toList();
        GatewayView g = view("gw1");
        JsonNode history = controller.request("gw1", "history", JSON.createObjectNode());
        System.out.printf("RedTeamSession9FleetIT e: after the restart %d of %d package scripts live; status package %d %s; "
                + "history %s; the controller's wait: %s%n", live.size(), n, g.packageVersion(), g.packageState(),
                history.path("packages").path(0), answer.isDone() ? answer.join() : "still waiting");
        answer.cancel(true);
        assertTrue("a whole version after the restart (none or all of the package's " + n + " scripts), not " + live.size(),
                live.isEmpty() || live.size() == n);
        if (live.isEmpty()) {
            assertFalse("the status does not say the package is in place: " + g, g.packageVersion() == v
                    && g.packageState().equals("APPLIED"));
        }
    }

    private static long count(Path folder, String prefix) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".lua")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
