package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.ClassRule;
import org.junit.Test;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

/**
 * A controller with gateway.keys verifies events and telemetry too (the same keys and sequence rules), at most
 * 40 verifications a second per gateway and 100 in all; what is over is dropped and counted (fleet:activity).
 */
public class GatewayActivityTest {
    private static final String FLEET = "plant";
    @ClassRule
    public static final TestBroker broker = new TestBroker("gateway-activity");
    private final KeyPair[] keys = {Ed25519Keys.generate(), Ed25519Keys.generate(), Ed25519Keys.generate()};
    private final KeyPair mallory = Ed25519Keys.generate();
    @Rule
    public final Closer open = new Closer();

    private GatewayAuth.Signer signer(int i) {
        return new GatewayAuth.Signer(FLEET, "gw" + i, keys[i].getPrivate(), System::currentTimeMillis);
    }

    private ControllerLink controller(VerifyBudget budget) {
        GatewayAuth.Checker checker = new GatewayAuth.Checker(Map.of("gw0", keys[0].getPublic(), "gw1", keys[1].getPublic(),
                "gw2", keys[2].getPublic()), FLEET, Duration.ofMinutes(10), System::currentTimeMillis);
        ControllerLink c = new ControllerLink(BrokerSettings.plain("127.0.0.1", broker.port()), FLEET, "ctl", null, checker);
        open.add(c);
        return c.budget(budget).start();
    }

    private PahoLink gateway(String id) {
        PahoLink l = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "scriptbox-plant-" + id, null, 0);
        open.add(l);
        l.start();
        return l;
    }

    private static FleetMessage event(String gw, int n) {
        return FleetMessage.of(FleetTopics.gateway(FLEET, gw, FleetTopics.EVENTS), "{\"script\":\"s\",\"n\":" + n + "}", false);
    }

    private static long seen(ControllerLink c, String gw) {
        Activity.Counts k = c.activity().get(gw);
        return k == null ? 0 : k.eventsTaken() + k.eventsRefused() + k.eventsOverBudget() + k.telemetryTaken()
                + k.telemetryRefused() + k.telemetryOverBudget();
    }

    @Test
    public void eventsAndTelemetryAreVerifiedWithinABudgetAndCounted() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker.running());
        AtomicLong nanos = new AtomicLong(1_000_000_000L);   // the budget's clock: moved by hand, so the counts are exact
        ControllerLink ctl = controller(new VerifyBudget(40, 100, nanos::get));
        List<FleetMessage> taken = new ArrayList<>();
        ctl.onActivity((gw, m) -> taken.add(m));
        PahoLink gw0 = gateway("gw0");
        until("connected", () -> ctl.connected() && gw0.connected(), Duration.ofSeconds(15));
        GatewayAuth.Signer s0 = signer(0);
        FleetMessage first = s0.sign(event("gw0", 0));
        gw0.publish(event("gw0", -1));                                                                     // unsigned
        gw0.publish(new GatewayAuth.Signer(FLEET, "gw0", mallory.getPrivate(), System::currentTimeMillis).sign(event("gw0", -2)));   // forged
        gw0.publish(first);
        gw0.publish(new FleetMessage(first.topic(), first.payload(), false, null, null, first.auth()));   // replayed
        gw0.publish(s0.sign(FleetMessage.of(FleetTopics.gateway(FLEET, "gw0", "telemetry") + "/pump1", "{\"rpm\":3}", false)));
        gw0.publish(FleetMessage.of(FleetTopics.gateway(FLEET, "ghost", FleetTopics.EVENTS), "{}", false));
        until("six seen", () -> seen(ctl, "gw0") == 5 && seen(ctl, Activity.UNKNOWN) == 1, Duration.ofSeconds(15));
        assertEquals(new Activity.Counts(1, 3, 0, 1, 0, 0), ctl.activity().get("gw0"));
        assertEquals(2, taken.size());

        nanos.addAndGet(1_000_000_000L);   // a new second: 40 each at most, 100 in all
        for (int i = 0; i < 3; i++) {
            String id = "gw" + i;
            PahoLink l = i == 0 ? gw0 : gateway(id);
            until(id + " connected", l::connected, Duration.ofSeconds(15));
            GatewayAuth.Signer s = i == 0 ? s0 : signer(i);
            long before = seen(ctl, id);
            // in batches within the send window (20 unacknowledged): beyond it a run event is dropped by design
            // (PahoLink.publish), and under load the broker's acknowledgements come late
            for (int n = 1; n <= 60; n++) {
                l.publish(s.sign(event(id, n)));
                if (n % 10 == 0) {
                    long upTo = before + n;
                    until(n + " events of " + id + " seen", () -> seen(ctl, id) == upTo, Duration.ofSeconds(20));
                }
            }
        }
        assertEquals(new Activity.Counts(41, 3, 20, 1, 0, 0), ctl.activity().get("gw0"));
        assertEquals(new Activity.Counts(40, 0, 20, 0, 0, 0), ctl.activity().get("gw1"));
        assertEquals(new Activity.Counts(20, 0, 40, 0, 0, 0), ctl.activity().get("gw2"));
        String shown = FleetControllerComponent.activity(true, ctl.activity());
        assertTrue(shown, shown.contains("gw2") && shown.matches("(?s).*gw2\\s+20\\s+0\\s+40\\s+0\\s+0\\s+0.*"));
    }

    /** Runs end on many threads: their events must reach the broker in the order of their numbers, or one is a "replay". */
    @Test
    public void runEndEventsFromManyThreadsAreAllTaken() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker.running());
        ControllerLink ctl = controller(new VerifyBudget(1_000, 1_000, System::nanoTime));
        PahoLink gw1 = gateway("gw1");
        until("connected", () -> ctl.connected() && gw1.connected(), Duration.ofSeconds(15));
        GatewayAuth.Signer s = signer(1);
        // rounds of 8 threads x 2 events: 16 at once fit the send window (20 unacknowledged; beyond it PahoLink
        // drops a run event by design), so every event sent must arrive, and in the order of its number
        for (int round = 0; round < 12; round++) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = round * 1000 + t * 10;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int n = 0; n < 2; n++) {
                        s.signAndPublish(event("gw1", base + n), gw1::publish);
                    }
                });
                th.start();
                threads.add(th);
            }
            go.countDown();
            for (Thread th : threads) {
                th.join(20_000);
            }
            long upTo = (round + 1) * 16L;
            until(upTo + " events seen", () -> seen(ctl, "gw1") == upTo, Duration.ofSeconds(20));
        }
        assertEquals(new Activity.Counts(192, 0, 0, 0, 0, 0), ctl.activity().get("gw1"));
    }
}
