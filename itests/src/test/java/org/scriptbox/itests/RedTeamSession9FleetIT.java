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

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
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
    private static Process broker;
    private static int port;
    private static GatewayProcess gw1;
    private static FleetController controller;
    private static KeyPair ops;
    private static long version = 100;

    @BeforeClass
    public static void fleet() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto (apt-get install mosquitto)", Files.isExecutable(Path.of("/usr/sbin/mosquitto")));
        root = Distribution.freshFolder("fleet-redteam9");
        broker = startBroker(Files.createDirectories(root.resolve("broker")));
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("broker.host", "127.0.0.1");
        cfg.put("broker.port", Integer.toString(port));
        cfg.put("fleet.id", "plant");
        cfg.put("gateway.id", "gw1");
        cfg.put("groups", "line1");
        cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
        cfg.put("keepalive.seconds", "2");
        gw1 = new GatewayProcess("gw1", root, cfg).start();
        controller = FleetController.plain("127.0.0.1", port, "plant", "ctl", root.resolve("controller"),
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
            broker.destroy();
            broker.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A Mosquitto of its own on a free loopback port (no persistence: nothing here restarts it). */
    private static Process startBroker(Path dir) throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "root".equals(System.getProperty("user.name")) ? "user root" : "",
                "listener " + port + " 127.0.0.1", "allow_anonymous true", "max_queued_messages 10000",
                "log_dest file " + dir.resolve("mosquitto.log"), ""));
        Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        Await.until("the broker accepts connections", START, () -> {
            try (java.net.Socket c = new java.net.Socket()) {
                c.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }, up -> up);
        return p;
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
        JsonNode history = controller.request("gw1", "history", JSON.createObjectNode());
        JsonNode newest = history.path("packages").path(0);
        System.out.printf("RedTeamSession9FleetIT e: after the restart %d of %d package scripts live; history: version %d %s (%s); "
                + "the controller's wait: %s%n", live.size(), n, newest.path("version").asLong(), newest.path("state").asText(),
                newest.path("reason").asText(), answer.isDone() ? answer.join() : "still waiting");
        answer.cancel(true);
        assertTrue("a whole version after the restart (none or all of the package's " + n + " scripts), not " + live.size(),
                live.isEmpty() || live.size() == n);
        assertEquals(v, newest.path("version").asLong());
        assertFalse("the ledger does not say a package is in place while only part of it is: " + newest,
                live.size() != n && newest.path("state").asText().equals("APPLIED"));
    }

    // ---- Q47: forged retained revocations: one Ed25519 verification each on the gateway's one link thread ----

    /**
     * Revocations (session 9, without controller.keys) are retained on {@code $revoked/<group>/<version>}, and each
     * gateway verifies every one it is sent with its trusted.keys, on its link thread. Any client of the broker (the
     * open broker revocations are for) publishes 20,000 forgeries, retained, naming the trusted signer: each costs a
     * verification (1.4-5 ms here), the broker sends them all again at every subscribe (each reconnect), and while the
     * link thread verifies, requests wait and the inbound bound drops what comes beyond it (a real revocation too).
     * Measured on fleet-auth 6c4893a (06:08, load 20): the controller's {@code list} right after the flood was dropped
     * ("1 messages dropped: 1000 wait for this link's thread already"): no answer within 120 s.
     */
    @Test
    public void f_forgedRetainedRevocationsDoNotHoldTheGatewaysRequests() throws Exception {
        MqttAsyncClient mallory = new MqttAsyncClient("tcp://127.0.0.1:" + port, "mallory9", new MemoryPersistence());
        mallory.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
        String sig = Base64.getEncoder().encodeToString(new byte[64]);
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long v = 1_000_000 + i;
            String payload = "{\"group\":\"line1\",\"version\":" + v + ",\"digest\":\"" + "ab".repeat(32) + "\",\"signer\":\"ops\","
                    + "\"revocation\":\"" + sig + "\",\"reason\":\"x\"}";
            MqttMessage m = new MqttMessage(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            m.setQos(0);
            m.setRetained(true);
            while (true) {
                try {
                    mallory.publish("scriptbox/plant/$revoked/line1/" + v, m);
                    break;
                } catch (MqttException full) {   // Paho's own in-flight bound: wait a little
                    Thread.sleep(5);
                }
            }
        }
        System.out.printf("RedTeamSession9FleetIT f: %d forged revocations published in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
        long t1 = System.nanoTime();
        JsonNode list = controller.request("gw1", "list", JSON.createObjectNode());
        long live = (System.nanoTime() - t1) / 1_000_000;
        gw1.stop();
        gw1.start();
        Await.until("gw1 back online", START, () -> view("gw1"), g -> g != null && g.online());
        long t2 = System.nanoTime();
        String after;
        try {
            after = controller.request("gw1", "list", JSON.createObjectNode()).toString();
        } catch (IllegalStateException e) {
            after = e.getMessage();
        }
        long atStart = (System.nanoTime() - t2) / 1_000_000;
        String log = gw1.log();
        System.out.printf("RedTeamSession9FleetIT f: a list answered %d ms after the flood (%s), %d ms after a restart (%s); "
                + "log: %d lines about forged revocations, dropped: %s%n", live, list.path("ok"), atStart, after.length() > 80
                ? after.substring(0, 80) : after, log.split("revocation", -1).length - 1, log.contains("messages dropped"));
        for (int i = 0; i < n; i++) {   // the broker's retained store as it was
            MqttMessage clear = new MqttMessage(new byte[0]);
            clear.setRetained(true);
            while (true) {
                try {
                    mallory.publish("scriptbox/plant/$revoked/line1/" + (1_000_000 + i), clear);
                    break;
                } catch (MqttException full) {
                    Thread.sleep(5);
                }
            }
        }
        mallory.disconnect().waitForCompletion(10_000);
        assertTrue("a request after 20,000 forged revocations took " + live + " ms", live < 5_000);
        assertTrue("a request right after a restart with 20,000 forged revocations retained took " + atStart + " ms", atStart < 5_000);
        assertFalse("requests dropped while it verified forgeries", log.contains("messages dropped"));
    }

    private static long count(Path folder, String prefix) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".lua")).count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
