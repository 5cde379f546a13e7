package org.scriptbox.fleet.internal;

import java.lang.reflect.Field;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.internal.MqttConnectionState;

/**
 * Turns off Paho's outgoing MQTT 5 topic aliases for one connection; call it right after each connect completed,
 * before the first publish of that connection.
 * <p>
 * Why: Paho 1.2.5 uses aliases whenever the broker's CONNACK allows them (Mosquitto: 10) and replaces the topic of
 * a publish by its alias in the very message it keeps for a resend (eclipse-paho/paho.mqtt.java#1104). A QoS 1
 * message still unacknowledged when the link is lost (an answer to a controller) is sent again at the reconnect
 * with an alias of the old connection and no topic: the broker drops the client as a protocol error, at every
 * reconnect, and the message is never delivered. Without aliases every publish, and every resend, names its topic.
 * Paho has no option for it: the connection's alias maximum is set from the CONNACK, so it is set to 0 after.
 */
public final class PahoAliases {
    private static final Field CONNECTION = connectionField();

    private PahoAliases() {
    }

    private static Field connectionField() {
        try {
            Field f = MqttAsyncClient.class.getDeclaredField("mqttConnection");
            f.setAccessible(true);
            return f.getType() == MqttConnectionState.class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** @return false when this Paho has no such field (another version): aliases stay as the broker allows */
    public static boolean off(MqttAsyncClient client) {
        if (CONNECTION == null) {
            return false;
        }
        try {
            ((MqttConnectionState) CONNECTION.get(client)).setOutgoingTopicAliasMaximum(0);
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }
}
