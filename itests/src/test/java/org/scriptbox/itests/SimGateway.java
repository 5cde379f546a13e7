package org.scriptbox.itests;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.fleet.internal.PahoAliases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One simulated gateway for {@link FleetBenchIT}: the gateway side of the protocol without a container behind
 * it, on its own MQTT 5 connection (its own client id, persistent session, last will), as a real gateway
 * is seen by the broker and the controller: birth and retained status, deploy answered after a real Ed25519
 * verification and the version rule (no replay, no downgrade), rollback, and every other request answered
 * as a completed run.
 */
final class SimGateway extends MessageCallback {
    private static final ObjectMapper JSON = new ObjectMapper();
    final String fleet;
    final String id;
    final MqttAsyncClient client;
    private final PublicKey trusted;
    private volatile long version;
    private volatile long previous;
    volatile boolean mute;   // receives requests and answers none (a gateway hung behind a live link)
    // what could not be published while the link was down (an answer, a status): sent after the next birth, as a
    // real gateway's outbox does
    private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> unsent = new java.util.concurrent.ConcurrentLinkedQueue<>();

    SimGateway(String fleet, String id, int port, PublicKey trusted) throws MqttException {
        this.fleet = fleet;
        this.id = id;
        this.trusted = trusted;
        this.client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "sim-" + id, new MemoryPersistence());
        client.setCallback(this);
    }

    long version() {
        return version;
    }

    private String topic(String leaf) {
        return FleetTopics.gateway(fleet, id, leaf);
    }

    /** Loses the link without a DISCONNECT (a NAT timeout, a cut cable): the broker publishes the last will. */
    void drop() {
        try {
            client.disconnectForcibly(0, 100, false);   // 0 would wait for ever
        } catch (MqttException e) {
            // already down
        }
    }

    /** Connects again (the session resumes: what was queued for it arrives) and is born again. */
    void rejoin() throws MqttException {
        if (!client.isConnected()) {   // a retry after a birth that failed may find the link up already
            connect().waitForCompletion(60_000);
        }
        birth();
        for (int n = unsent.size(); n > 0; n--) {   // once each: one that fails again waits for the next birth
            Object[] m = unsent.poll();
            if (m != null) {
                publish((String) m[0], (String) m[1], (Boolean) m[2], (MqttProperties) m[3]);
            }
        }
    }

    boolean connected() {
        return client.isConnected();
    }

    IMqttToken connect() throws MqttException {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setKeepAliveInterval(60);
        o.setConnectionTimeout(60);
        MqttMessage will = new MqttMessage(("{\"state\":\"offline\",\"gateway\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        will.setRetained(true);
        o.setWill(topic(FleetTopics.STATE), will);
        return client.connect(o);
    }

    /** Subscribes to its requests, then publishes its birth and status (as a gateway does at every connect). */
    void birth() throws MqttException {
        // as PahoLink does: an answer in flight at a drop was resent alias-only, a protocol error at every rejoin
        PahoAliases.off(client);
        client.subscribe(FleetTopics.requests(fleet, id), 1).waitForCompletion(60_000);
        publish(topic(FleetTopics.STATE), "{\"state\":\"online\",\"gateway\":\"" + id + "\",\"groups\":[\"all\"]}", true, null);
        status();
    }

    private void status() {
        publish(topic(FleetTopics.STATUS), "{\"gateway\":\"" + id + "\",\"health\":\"ok\",\"groups\":[\"all\"],\"scripts\":[],"
                + "\"package\":{\"version\":" + version + ",\"state\":\"APPLIED\"}}", true, null);
    }

    /** QoS 1 (a few at a time, far below the broker's receive maximum); kept for after the next birth when down. */
    private void publish(String topic, String json, boolean retained, MqttProperties props) {
        MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        m.setRetained(retained);
        if (props != null) {
            m.setProperties(props);
        }
        try {
            client.publish(topic, m);
        } catch (MqttException e) {
            unsent.add(new Object[] {topic, json, retained, props});
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws Exception {
        if (mute) {
            return;
        }
        MqttProperties p = message.getProperties();
        String reply;
        if (topic.endsWith("/" + FleetTopics.DEPLOY)) {
            reply = deploy(JSON.readTree(message.getPayload()));
        } else if (topic.endsWith("/" + FleetTopics.ROLLBACK)) {
            long v = JSON.readTree(message.getPayload()).path("version").asLong();
            if (v == version && v != 0) {
                version = previous;
                status();
                reply = "{\"ok\":true,\"rolledBack\":true,\"version\":" + v + "}";
            } else {
                reply = "{\"ok\":true,\"rolledBack\":false,\"message\":\"package " + v + " is not in place\"}";
            }
        } else {
            reply = "{\"ok\":true,\"status\":\"COMPLETED\",\"values\":[]}";
        }
        if (p != null && p.getResponseTopic() != null) {
            MqttProperties r = new MqttProperties();
            r.setCorrelationData(p.getCorrelationData());
            publish(p.getResponseTopic(), reply, false, r);
        }
    }

    private String deploy(JsonNode env) throws Exception {
        byte[] body = Base64.getDecoder().decode(env.path("body").asText());
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(trusted);
        s.update(body);
        if (!s.verify(Base64.getDecoder().decode(env.path("signature").asText()))) {
            return "{\"ok\":false,\"code\":\"BAD_SIGNATURE\",\"message\":\"bad signature\"}";
        }
        long v = JSON.readTree(body).path("version").asLong();
        if (v == version) {
            return "{\"ok\":true,\"version\":" + v + ",\"applied\":false}";
        }
        if (v < version) {
            return "{\"ok\":false,\"code\":\"DOWNGRADE\",\"message\":\"version " + v + " is below " + version + "\"}";
        }
        previous = version;
        version = v;
        status();
        return "{\"ok\":true,\"version\":" + v + ",\"applied\":true}";
    }

    void kill() {
        try {
            client.disconnectForcibly(0, 100, false);
            client.close(true);
        } catch (MqttException e) {
            // leaving anyway
        }
    }





}
