package org.scriptbox.api.fleet;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One MQTT message as scriptbox sees it, immutable (the byte arrays are copied in and out), so that it
 * can cross from the client library's threads to ours.
 *
 * @param topic           the topic
 * @param payload         the body (JSON for every scriptbox topic)
 * @param retained        whether the broker keeps it as the topic's current value
 * @param responseTopic   MQTT 5 response topic of a request, or null
 * @param correlationData MQTT 5 correlation data of a request or a response, or null
 * @param auth            the sender's signature over the message (the MQTT 5 user property {@link #AUTH_PROPERTY},
 *                        so that the payload stays what every reader expects), or null
 */
public record FleetMessage(String topic, byte[] payload, boolean retained, String responseTopic, byte[] correlationData,
                           String auth) {
    /** The MQTT 5 user property that carries {@link #auth()}. */
    public static final String AUTH_PROPERTY = "scriptbox-auth";

    public FleetMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload.clone();
        correlationData = correlationData == null ? null : correlationData.clone();
    }

    /** A message without a signature. */
    public FleetMessage(String topic, byte[] payload, boolean retained, String responseTopic, byte[] correlationData) {
        this(topic, payload, retained, responseTopic, correlationData, null);
    }

    /** The same message carrying {@code signature} as its {@link #auth()}. */
    public FleetMessage withAuth(String signature) {
        return new FleetMessage(topic, payload, retained, responseTopic, correlationData, signature);
    }

    /** A plain message without request properties. */
    public static FleetMessage of(String topic, String json, boolean retained) {
        return new FleetMessage(topic, json.getBytes(StandardCharsets.UTF_8), retained, null, null);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public byte[] correlationData() {
        return correlationData == null ? null : correlationData.clone();
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
