package org.scriptbox.itests;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 callback for the tests' own clients, which only read messages: every other event is ignored. */
abstract class MessageCallback implements MqttCallback {
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
    public void authPacketArrived(int reason, MqttProperties p) {
    }
}
