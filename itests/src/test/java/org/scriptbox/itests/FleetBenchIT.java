package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.Test;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.fleet.internal.Rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Benchmark (-Dscriptbox.bench=true; issue 18.6): a rollout to 500 gateways (-Dscriptbox.bench.gateways)
 * in stages 1, 10 %, all, on a real Mosquitto: simulated gateways (one MQTT 5 client each, speaking the
 * protocol: birth, last will, retained status, deploy answered after a real Ed25519 verification and the
 * version rule) plus two real scriptbox containers. Prints the time to roll out to all, the broker's message
 * rate ($SYS), and the controller's heap (after GC, with and without it).
 */
public class FleetBenchIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLEET = "bench";
    private static final int GATEWAYS = Integer.getInteger("scriptbox.bench.gateways", 500);
    private static final int REAL = Integer.getInteger("scriptbox.bench.realGateways", 2);

    /** One simulated gateway: the protocol's gateway side without a container behind it. */
    private static final class SimGateway implements MqttCallback {
        final String id;
        final MqttAsyncClient client;
        final PublicKey trusted;
        volatile long version;

        SimGateway(String id, int port, PublicKey trusted) throws MqttException {
            this.id = id;
            this.trusted = trusted;
            this.client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "sim-" + id, new MemoryPersistence());
            client.setCallback(this);
        }

        String topic(String leaf) {
            return FleetTopics.gateway(FLEET, id, leaf);
        }

        IMqttToken connect() throws MqttException {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(3600L);
            o.setKeepAliveInterval(60);
            MqttMessage will = new MqttMessage(("{\"state\":\"offline\",\"gateway\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            will.setQos(1);
            will.setRetained(true);
            o.setWill(topic(FleetTopics.STATE), will);
            return client.connect(o);
        }

        void birth() throws MqttException {
            client.subscribe(FleetTopics.requests(FLEET, id), 1).waitForCompletion(30_000);
            publish(topic(FleetTopics.STATE), "{\"state\":\"online\",\"gateway\":\"" + id + "\",\"groups\":[\"all\"]}", true, null, null);
            status();
        }

        void status() throws MqttException {
            publish(topic(FleetTopics.STATUS), "{\"gateway\":\"" + id + "\",\"health\":\"ok\",\"groups\":[\"all\"],\"scripts\":[],"
                    + "\"package\":{\"version\":" + version + ",\"state\":\"APPLIED\"}}", true, null, null);
        }

        void publish(String topic, String json, boolean retained, String responseTopic, byte[] correlation) throws MqttException {
            MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            m.setRetained(retained);
            if (correlation != null) {
                MqttProperties p = new MqttProperties();
                p.setCorrelationData(correlation);
                m.setProperties(p);
            }
            client.publish(topic, m);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            MqttProperties p = message.getProperties();
            String reply;
            if (topic.endsWith("/deploy")) {
                JsonNode env = JSON.readTree(message.getPayload());
                byte[] body = Base64.getDecoder().decode(env.path("body").asText());
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(trusted);
                s.update(body);
                long v = JSON.readTree(body).path("version").asLong();
                if (!s.verify(Base64.getDecoder().decode(env.path("signature").asText()))) {
                    reply = "{\"ok\":false,\"code\":\"BAD_SIGNATURE\",\"message\":\"bad signature\"}";
                } else if (v <= version) {
                    reply = "{\"ok\":false,\"code\":\"DOWNGRADE\",\"message\":\"old\"}";
                } else {
                    version = v;
                    reply = "{\"ok\":true,\"version\":" + v + ",\"applied\":true}";
                    status();
                }
            } else {
                reply = "{\"ok\":true,\"status\":\"COMPLETED\",\"values\":[]}";
            }
            publish(p.getResponseTopic(), reply, false, null, p.getCorrelationData());
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken t) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int code, MqttProperties p) {
        }
    }

    @Test
    public void rolloutToFiveHundredGateways() throws Exception {
        assumeTrue("benchmark: run with -Dscriptbox.bench=true", Boolean.getBoolean("scriptbox.bench"));
        assumeTrue("needs Eclipse Mosquitto", Mosquitto.installed());
        Path root = Distribution.freshFolder("fleet-bench");
        KeyPair ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        List<SimGateway> sims = new ArrayList<>();
        List<GatewayProcess> real = new ArrayList<>();
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(root.resolve("broker"))).start()) {
            for (int i = 0; i < REAL; i++) {
                Map<String, String> cfg = new LinkedHashMap<>();
                cfg.put("broker.host", "127.0.0.1");
                cfg.put("broker.port", Integer.toString(broker.port()));
                cfg.put("fleet.id", FLEET);
                cfg.put("gateway.id", String.format("real%02d", i));
                cfg.put("groups", "all");
                cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
                real.add(new GatewayProcess("real" + i, root, cfg).start());
            }
            List<IMqttToken> connects = new ArrayList<>();
            for (int i = 0; i < GATEWAYS - REAL; i++) {
                SimGateway g = new SimGateway(String.format("sim%04d", i), broker.port(), ops.getPublic());
                sims.add(g);
                connects.add(g.connect());
            }
            for (int i = 0; i < sims.size(); i++) {
                connects.get(i).waitForCompletion(60_000);
                sims.get(i).birth();
            }
            Runtime rt = Runtime.getRuntime();
            long before = heapAfterGc(rt);
            FleetController controller = FleetController.plain("127.0.0.1", broker.port(), FLEET, "bench",
                    root.resolve("controller"), Duration.ofSeconds(60)).start();
            try {
                Await.until("all gateways online at the controller", Duration.ofSeconds(180),
                        () -> controller.gateways().stream().filter(GatewayView::online).count(), n -> n == GATEWAYS);
                long known = heapAfterGc(rt);
                SysCounter sys = new SysCounter(broker.port());
                long[] start = sys.read();
                String envelope = PackageSigner.envelope(PackageSigner.sign(new FleetPackage(FLEET, "all", 1,
                        List.of(new PackageScript("blink", "return 1", "name = \"blink\"\nversion = \"1.0.0\"\n")), "blink",
                        Instant.now()), "ops", ops.getPrivate()));
                long t0 = System.nanoTime();
                String id = controller.deploy(envelope, List.of("1", "10%", "all"), 0);
                Rollout r = Await.until("the rollout", Duration.ofSeconds(600), () -> controller.rollout(id).orElseThrow(),
                        x -> x.state() != Rollout.State.RUNNING);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long[] end = sys.read();
                long during = heapAfterGc(rt);
                assertEquals(r.reason(), Rollout.State.COMPLETED, r.state());
                assertEquals(GATEWAYS, r.count("APPLIED"));
                System.out.printf("fleet bench: %d gateways (%d real containers), rollout in stages 1,10%%,all: %.2f s%n",
                        GATEWAYS, REAL, seconds);
                System.out.printf("fleet bench: broker messages received %d, sent %d in %.2f s: %.0f msg/s in, %.0f msg/s out%n",
                        end[0] - start[0], end[1] - start[1], seconds, (end[0] - start[0]) / seconds, (end[1] - start[1]) / seconds);
                System.out.printf("fleet bench: controller heap (after GC): %.1f MB with %d gateways known, %.1f MB after the rollout%n",
                        (known - before) / 1e6, GATEWAYS, (during - before) / 1e6);
                sys.close();
            } finally {
                controller.close();
            }
        } finally {
            for (SimGateway g : sims) {
                try {
                    g.client.disconnectForcibly(0, 100, false);
                    g.client.close(true);
                } catch (MqttException e) {
                    // leaving anyway
                }
            }
            for (GatewayProcess g : real) {
                g.kill();
            }
        }
    }

    private static long heapAfterGc(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The broker's own totals, from $SYS/broker/messages/{received,sent} (published every second). */
    private static final class SysCounter implements MqttCallback, AutoCloseable {
        private final MqttAsyncClient client;
        private final AtomicLong received = new AtomicLong(-1);
        private final AtomicLong sent = new AtomicLong(-1);

        SysCounter(int port) throws MqttException {
            client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "bench-sys", new MemoryPersistence());
            client.setCallback(this);
            client.connect().waitForCompletion(10_000);
            client.subscribe("$SYS/broker/messages/+", 0).waitForCompletion(10_000);
        }

        /** A fresh pair: waits for the next update of both counters. */
        long[] read() {
            received.set(-1);
            sent.set(-1);
            Await.until("$SYS message counters", Duration.ofSeconds(10), () -> received.get() >= 0 && sent.get() >= 0);
            return new long[] {received.get(), sent.get()};
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long v = Long.parseLong(new String(message.getPayload(), StandardCharsets.UTF_8).trim());
            if (topic.endsWith("/received")) {
                received.set(v);
            } else if (topic.endsWith("/sent")) {
                sent.set(v);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken t) {
        }

        @Override
        public void connectComplete(boolean reconnect, String uri) {
        }

        @Override
        public void authPacketArrived(int code, MqttProperties p) {
        }

        @Override
        public void close() throws MqttException {
            client.disconnect().waitForCompletion(5000);
            client.close();
        }
    }
}
