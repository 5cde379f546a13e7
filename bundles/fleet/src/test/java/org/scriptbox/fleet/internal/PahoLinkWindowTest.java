package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * The send window of a {@link PahoLink} (MQTT 5 receive maximum: Mosquitto allows 20 QoS 1 messages in flight
 * per client) against a real Mosquitto that is paused (SIGSTOP) so that nothing is acknowledged: what does not
 * fit must wait, not be lost, and go out as soon as acknowledgements free the window.
 */
public class PahoLinkWindowTest {
    private Mosquitto broker;
    private int port;
    private Path dir;
    private PahoLink sender;
    private PahoLink receiver;
    private final Map<String, String> received = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

    @Before
    public void startBroker() throws Exception {
        assumeTrue("needs Eclipse Mosquitto", Mosquitto.installed());
        dir = Files.createTempDirectory("paho-window");
        // its receive maximum is Mosquitto's default 20; it queues up to 10,000 QoS 1 messages per client (not its
        // default 1,000: a receiver starved of CPU at load 17 fell that far behind the 4,000, and the test waited for
        // messages the broker had dropped)
        broker = new Mosquitto(dir).start();
        port = broker.port();
        receiver = new PahoLink(BrokerSettings.plain("127.0.0.1", port), "window-receiver", null);
        receiver.subscribe("w/#", m -> {
            received.put(m.topic(), new String(m.payload(), StandardCharsets.UTF_8));
            count.incrementAndGet();
        });
        receiver.start();
        sender = new PahoLink(BrokerSettings.plain("127.0.0.1", port), "window-sender", null).start();
        await("both connected", () -> sender.connected() && receiver.connected());
        // the receiver's subscription is made on its link thread after the connect: retained, this reaches it
        // whenever the subscription is in place
        sender.publish(FleetMessage.of("w/ready", "1", true));
        await("the receiver subscribed", () -> received.containsKey("w/ready"));
    }

    @After
    public void stopBroker() throws Exception {
        if (broker != null) {
            signal("CONT");
            if (sender != null) {
                sender.close();
            }
            if (receiver != null) {
                receiver.close();
            }
            broker.stop();
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    public void aRetainedStatusPublishedWhileTheWindowIsFullIsSentWhenItFrees() throws Exception {
        java.util.concurrent.atomic.AtomicInteger losses = new java.util.concurrent.atomic.AtomicInteger();
        sender.onConnection(up -> {
            if (!up) {
                losses.incrementAndGet();
            }
        });
        signal("STOP");   // nothing is acknowledged from now on: 20 messages fill the window
        for (int i = 0; i < 25; i++) {
            sender.publish(FleetMessage.of("w/event", Integer.toString(i), false));
        }
        sender.publish(FleetMessage.of("w/status", "old", true));
        sender.publish(FleetMessage.of("w/status", "new", true));   // the latest wins
        for (int i = 0; i < 30; i++) {
            sender.send(FleetMessage.of("w/answer" + i, Integer.toString(i), false));
        }
        signal("CONT");
        await("the status and every answer", () -> "new".equals(received.get("w/status"))
                && received.keySet().stream().filter(t -> t.startsWith("w/answer")).count() == 30);
        assertTrue(received.toString(), received.containsKey("w/event"));
        // more than 20 unacknowledged would have been a protocol error: the broker drops the connection
        assertEquals("connection losses", 0, losses.get());
    }

    @Test
    public void queuedSendsGoOutAsFastAsTheyAreAcknowledged() {
        int before = count.get();
        long t0 = System.nanoTime();
        int n = 4000;
        for (int i = 0; i < n; i++) {
            sender.send(FleetMessage.of("w/many", Integer.toString(i), false));
        }
        await("all " + n + " queued messages received", () -> count.get() - before >= n);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // 20 in flight at a time; waiting for a 50 ms poll after each full window would cap this at 400/s (10 s)
        assertTrue(n + " messages took " + seconds + " s", seconds < 8);
        assertEquals(n, count.get() - before);
    }

    /**
     * An answer still unacknowledged when the link is lost (here: what the gateway sent never reached the broker,
     * then the connection was cut) must reach the controller after the reconnect. Paho 1.2.5 kept it with only the
     * topic alias of the old connection (the second publish on a topic goes out alias-only) and resent it so at
     * the reconnect: the broker dropped the client as a protocol error at every reconnect and the answer was lost
     * (the soak's gateway that "had not answered within 60 s").
     */
    @Test
    public void anAnswerInFlightAtALinkLossIsDeliveredOnceTheLinkIsBack() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(port)) {
            PahoLink gateway = new PahoLink(BrokerSettings.plain("127.0.0.1", proxy.port()), "window-gateway", null).start();
            try {
                java.util.concurrent.atomic.AtomicInteger losses = new java.util.concurrent.atomic.AtomicInteger();
                gateway.onConnection(up -> {
                    if (!up) {
                        losses.incrementAndGet();
                    }
                });
                await("the gateway connected", gateway::connected);
                gateway.send(FleetMessage.of("w/res", "first", false));
                await("the first answer", () -> "first".equals(received.get("w/res")));
                proxy.swallow(true);
                gateway.send(FleetMessage.of("w/res", "second", false));   // the same topic: Paho would send only its alias
                await("the second answer on the wire, unacknowledged", () -> proxy.swallowed.get() > 0
                        && gateway.unacknowledgedCount() == 1);
                proxy.cut();
                proxy.swallow(false);
                await("the link lost", () -> losses.get() == 1);
                await("the second answer, after the reconnect", () -> "second".equals(received.get("w/res")));
                gateway.send(FleetMessage.of("w/res", "third", false));
                await("an answer on the new connection", () -> "third".equals(received.get("w/res")));
                // received by the controller does not mean acknowledged to the gateway yet
                await("nothing left unacknowledged", () -> gateway.unacknowledgedCount() == 0);
                assertEquals("link losses (a protocol error at the reconnect is one more each time)", 1, losses.get());
                String log = broker.log();
                assertTrue(log, !log.contains("protocol error"));
            } finally {
                gateway.close();
            }
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(broker.pid())).start().waitFor(5, TimeUnit.SECONDS);
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; received " + count.get() + ": "
                        + new java.util.TreeMap<>(received).keySet());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

}
