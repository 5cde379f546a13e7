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
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.testsupport.mqtt.Mosquitto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.scriptbox.testsupport.pki.TestPki;

/**
 * Issue 18.1 with a secured broker: a real Mosquitto whose TLS listener requires a client certificate of the
 * test's CA (certificates made with openssl in the test) and whose second listener requires a password; one
 * real gateway container. With its certificate the gateway connects and takes a signed package. Then its
 * configuration is changed to each way of being refused (no certificate, one of another CA, an expired one, a
 * broker certificate it does not trust, a host name the certificate does not name, a wrong password): each is
 * one WARN line naming the setting however often it retries (the broker sees the retries), no stack trace,
 * and no Paho thread is left per attempt. Given its certificate back, it connects again.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FleetTlsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLEET = "secure";
    private static Path root;
    private static TestPki pki;
    private static Mosquitto broker;
    private static GatewayProcess gateway;
    private static FleetController controller;
    private static KeyPair ops;

    @BeforeClass
    public static void start() throws Exception {
        Assume.assumeTrue("needs Eclipse Mosquitto and openssl", Mosquitto.installed() && TestPki.available());
        root = Distribution.freshFolder("fleet-tls");
        pki = TestPki.create(root.resolve("pki"), "ctl", "ctl-secret", "gw1", "right");
        broker = new Mosquitto(Files.createDirectories(root.resolve("broker")), pki).start();
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        gateway = new GatewayProcess("gw1", root, good()).start();
        controller = FleetController.withPassword("127.0.0.1", broker.passwordPort(), "ctl", "ctl-secret", FLEET, "ctl",
                root.resolve("controller"), Duration.ofSeconds(20)).start();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (controller != null) {
            controller.close();
        }
        if (gateway != null) {
            gateway.kill();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static Map<String, String> good() {
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("broker.host", "localhost");
        cfg.put("broker.port", Integer.toString(broker.port()));
        cfg.put("tls", "true");
        cfg.put("tls.truststore", pki.file("ca-trust.p12").toString());
        cfg.put("tls.truststore.password", TestPki.PASSWORD);
        cfg.put("tls.keystore", pki.file("gw1.p12").toString());
        cfg.put("tls.keystore.password", TestPki.PASSWORD);
        cfg.put("fleet.id", FLEET);
        cfg.put("gateway.id", "gw1");
        cfg.put("groups", "line1");
        cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
        cfg.put("keepalive.seconds", "2");
        cfg.put("reconnect.min.ms", "100");
        cfg.put("reconnect.max.ms", "400");
        return cfg;
    }

    private static boolean online() {
        return controller.gateways().stream().anyMatch(g -> g.id().equals("gw1") && g.online());
    }

    private static JsonNode request(String command, String body) throws Exception {
        return controller.request("gw1", command, (ObjectNode) JSON.readTree(body));
    }

    @Test
    public void a_withItsCertificateTheGatewayConnectsAndTakesASignedPackage() throws Exception {
        Await.until("gw1 online over TLS", Duration.ofSeconds(90), FleetTlsIT::online);
        FleetPackage p = new FleetPackage(FLEET, "line1", 1, List.of(new PackageScript("blink", "return 'tls'",
                "name = \"blink\"\nversion = \"1.0.0\"\n")), null, Instant.now());
        JsonNode r = request("deploy", PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate())));
        assertTrue(r.toString(), r.path("ok").asBoolean());
        JsonNode run = request("run", "{\"script\":\"blink\"}");
        assertEquals(run.toString(), "tls", run.path("values").path(0).asText());
        assertTrue(gateway.log(), gateway.log().contains("fleet: connected to ssl://localhost:" + broker.port()));
    }

    @Test
    public void b_eachRefusalIsOneLineNamingTheSetting() throws Exception {
        refused("no client certificate", Map.of("tls.keystore", ""),
                "the broker requires a client certificate and tls.keystore is empty");
        List<String> threads = gateway.threadNames();
        assertTrue("jcmd lists the gateway's threads: " + threads, threads.stream().anyMatch(n -> n.startsWith("fleet-link")));
        List<String> paho = threads.stream().filter(n -> n.startsWith("MQTT Con")).toList();
        assertTrue("a refused attempt leaves no Paho connect thread behind: " + paho, paho.size() <= 1);
        refused("a certificate of another CA", Map.of("tls.keystore", pki.file("stranger.p12").toString()),
                "the broker refused the client certificate in tls.keystore " + pki.file("stranger.p12")
                        + " (CN=stranger, issued by CN=otherca): it does not trust its issuer, or it revoked it");
        refused("an expired certificate", Map.of("tls.keystore", pki.file("old.p12").toString()),
                "the broker refused the client certificate in tls.keystore " + pki.file("old.p12")
                        + " (CN=old, issued by CN=ca): it expired at 2020-01-02T00:00:00Z");
        refused("a broker of a CA it does not trust", Map.of("tls.truststore", pki.file("otherca-trust.p12").toString()),
                "the broker's certificate (CN=server, issued by CN=ca) is not signed by a CA in tls.truststore "
                        + pki.file("otherca-trust.p12"));
        refused("a host name the broker's certificate does not name", Map.of("broker.host", "127.0.0.1"),
                "the broker's certificate names [localhost], not broker.host 127.0.0.1");
        refused("a wrong password", Map.of("tls", "false", "broker.host", "127.0.0.1", "broker.port",
                        Integer.toString(broker.passwordPort()), "username", "gw1", "password", "wrong"),
                "the broker did not authorise user name 'gw1' (username, password; the broker's ACL)");
        String log = gateway.log();
        assertFalse("no stack trace in the gateway's log", log.contains("\tat org.eclipse.paho") || log.contains("MqttException"));
    }

    @Test
    public void c_givenItsCertificateBackItConnectsAgain() throws Exception {
        gateway.reconfigure(good());
        Await.until("gw1 online again", Duration.ofSeconds(30), FleetTlsIT::online);
        assertEquals("tls", request("run", "{\"script\":\"blink\"}").path("values").path(0).asText());
    }

    /** Issue 18.2: opt-in telemetry of the container's simulated devices (runtime/etc sim-1, sim-2), at its interval. */
    @Test
    public void d_telemetryIsSentOnlyWhenConfiguredAtItsInterval() throws Exception {
        List<String[]> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttAsyncClient watcher = new MqttAsyncClient("tcp://127.0.0.1:" + broker.passwordPort(), "watcher", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("ctl");
        o.setPassword("ctl-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        watcher.setCallback(new MessageCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                got.add(new String[] {topic, new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8)});
            }





        });
        watcher.connect(o).waitForCompletion(10_000);
        try {
            watcher.subscribe("scriptbox/" + FLEET + "/gw1/telemetry/#", 1).waitForCompletion(10_000);
            Thread.sleep(1500);   // a window to show that nothing is sent while telemetry is not configured
            assertEquals("off unless configured", List.of(), got);
            Map<String, String> cfg = good();
            cfg.put("telemetry.channels", "sim-1/temperature, sim-1/voltage, sim-2/*");
            cfg.put("telemetry.interval.ms", "1000");
            gateway.reconfigure(cfg);
            Await.until("telemetry of both devices", Duration.ofSeconds(30), () -> got.stream().anyMatch(m -> m[0].endsWith("/sim-1"))
                    && got.stream().anyMatch(m -> m[0].endsWith("/sim-2")));
            JsonNode sim1 = JSON.readTree(got.stream().filter(m -> m[0].endsWith("/sim-1")).findFirst().orElseThrow()[1]);
            assertTrue(sim1.toString(), sim1.path("values").path("temperature").isNumber() && sim1.path("values").path("voltage").isNumber());
            assertEquals(sim1.toString(), 2, sim1.path("values").size());
            JsonNode sim2 = JSON.readTree(got.stream().filter(m -> m[0].endsWith("/sim-2")).findFirst().orElseThrow()[1]);
            // sim-2/*: all its channels (runtime/etc: temperature, pressure, motor0.speed; pressure fails by design)
            assertEquals(sim2.toString(), 3, sim2.path("values").size());
            assertTrue(sim2.toString(), sim2.path("values").path("temperature").isNumber()
                    && sim2.path("values").path("pressure").path("error").asText().equals("simulated bad value"));
            int before = got.size();
            long t0 = System.nanoTime();
            Thread.sleep(3000);   // measuring the rate over a window
            double seconds = (System.nanoTime() - t0) / 1e9;
            int n = got.size() - before;
            assertTrue(n + " messages in " + seconds + " s for two devices at one a second each", n >= 2 && n <= 2 * (seconds + 1));
        } finally {
            watcher.disconnect().waitForCompletion(5000);
            watcher.close();
        }
    }

    /** One WARN line with the sentence while the broker sees at least four attempts of this configuration. */
    private static void refused(String what, Map<String, String> change, String sentence) throws Exception {
        Map<String, String> cfg = good();
        cfg.putAll(change);
        long before = attempts();
        gateway.reconfigure(cfg);
        Await.until(what + ": the gateway says why", Duration.ofSeconds(30), () -> gateway.log().contains(sentence));
        Await.until(what + ": it retries", Duration.ofSeconds(20), () -> attempts() - before >= 4);
        Await.until(what + ": the controller sees it offline", Duration.ofSeconds(10), () -> !online());
        long lines = gateway.log().lines().filter(l -> l.contains(sentence)).count();
        assertEquals(what + ": one line, not one per attempt\n" + gateway.log(), 1, lines);
    }

    /** Connections the broker refused or accepted (a TLS refusal logs an OpenSSL error, a password one a CONNACK). */
    private static long attempts() {
        return broker.log().lines().filter(l -> l.contains("OpenSSL Error[0]") || l.contains("not authorised")
                || l.contains("New client connected")).count();
    }
}
