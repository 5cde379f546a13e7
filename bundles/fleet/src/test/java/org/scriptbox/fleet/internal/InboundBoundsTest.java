package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * Q47: revocations (any broker client may publish them, retained) wait under a bound of their own: a flood of them,
 * while the link's thread is busy, no longer fills the bound requests wait under, so a request is not dropped.
 */
public class InboundBoundsTest {
    private static Mosquitto broker;

    @BeforeClass
    public static void start() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        broker = new Mosquitto(Files.createTempDirectory("inbound-bounds")).start();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test(timeout = 120_000)
    public void aFloodOfRevocationsDoesNotDropARequest() throws Exception {
        InboundBudget shared = new InboundBudget(1_000, 3L << 20);   // the gateway's requests' bound
        InboundBudget revocations = new InboundBudget(1_000, 8L << 20);   // small here: some of the flood is dropped
        CountDownLatch busy = new CountDownLatch(1);
        AtomicInteger revs = new AtomicInteger();
        AtomicInteger requests = new AtomicInteger();
        PahoLink link = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "bounds-gw", null, 0, shared);
        AtomicInteger up = new AtomicInteger();
        link.onConnection(u -> up.addAndGet(u ? 1 : 0));
        link.subscribe("plant/gw1/req/#", m -> requests.incrementAndGet());
        link.subscribe("plant/$revoked/line1/#", m -> {
            if (revs.incrementAndGet() == 1) {
                try {   // the link's thread busy (verifying), while the flood comes in
                    busy.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, revocations);
        java.util.concurrent.atomic.AtomicBoolean probed = new java.util.concurrent.atomic.AtomicBoolean();
        link.subscribe("plant/probe", m -> probed.set(true));   // subscribed last: once it hears, all are in place
        link.start();
        MqttAsyncClient mallory = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), "mallory47", new MemoryPersistence());
        try {
            until("connected", () -> up.get() > 0, Duration.ofSeconds(15));
            mallory.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            until("subscribed", () -> {
                try {
                    publish(mallory, "plant/probe", "{}");
                } catch (Exception e) {
                    return false;
                }
                return probed.get();
            }, Duration.ofSeconds(15));
            int n = 3_000;
            for (int i = 0; i < n; i++) {
                publish(mallory, "plant/$revoked/line1/" + (1_000_000 + i), "{\"forged\":" + i + "}");
            }
            until("the revocations' bound full", () -> revocations.queued() >= 1_000, Duration.ofSeconds(30));
            publish(mallory, "plant/gw1/req/list", "{}");
            until("the request waits (not dropped)", () -> shared.queued() == 1, Duration.ofSeconds(10));
            busy.countDown();
            until("the request handled", () -> requests.get() == 1, Duration.ofSeconds(30));
            until("the revocations drained", () -> revocations.queued() == 0, Duration.ofSeconds(30));
            assertTrue("revocations beyond their bound are dropped: " + revs.get() + " of " + n, revs.get() <= 1_001);
            assertEquals(0, shared.queued());
        } finally {
            busy.countDown();
            mallory.disconnect().waitForCompletion(10_000);
            mallory.close();
            link.close();
        }
    }

    private static void publish(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(0);
        while (true) {
            try {
                c.publish(topic, m);
                return;
            } catch (MqttException full) {   // Paho's own in-flight bound: wait a little
                Thread.sleep(5);
            }
        }
    }
}
