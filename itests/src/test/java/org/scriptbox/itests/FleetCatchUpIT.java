package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.Test;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.fleet.internal.Rollout;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * Catch-ups at scale (issue 18.6): gateways offline at their stage come back together, one of them hung (it
 * receives requests and answers none). Each must be caught up without waiting behind the hung one's request
 * timeout (one timeout per gateway, in line, was minutes for a fleet coming back after a broker restart), and the
 * hung one stays PENDING, to be asked again at its next birth. Real Mosquitto, {@link SimGateway}s, no container.
 */
public class FleetCatchUpIT {
    private static final String FLEET = "catchup";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    public void gatewaysComingBackAreCaughtUpSideBySideAndAHungOneStaysPending() throws Exception {
        assumeTrue("needs Eclipse Mosquitto", Mosquitto.installed());
        Path root = Distribution.freshFolder("fleet-catchup");
        KeyPair ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        List<SimGateway> sims = new ArrayList<>();
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(root.resolve("broker"))).start();
             FleetController controller = FleetController.plain("127.0.0.1", broker.port(), FLEET, "c",
                     root.resolve("controller"), TIMEOUT).start()) {
            List<IMqttToken> connects = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                SimGateway g = new SimGateway(FLEET, "g" + i, broker.port(), ops.getPublic());
                sims.add(g);
                connects.add(g.connect());
            }
            for (int i = 0; i < sims.size(); i++) {
                connects.get(i).waitForCompletion(30_000);
                sims.get(i).birth();
            }
            Await.until("10 gateways online", Duration.ofSeconds(30), () -> online(controller), n -> n == 10);
            // g0 (hung) and g1..g5 lose their links: offline at the rollout's only stage, PENDING
            SimGateway hung = sims.get(0);
            List<SimGateway> away = sims.subList(0, 6);
            away.forEach(SimGateway::drop);
            Await.until("6 gateways offline", Duration.ofSeconds(30), () -> online(controller), n -> n == 4);
            String id = controller.deploy(envelope(ops, 1), List.of("all"), 0);
            Rollout r = Await.until("the rollout", Duration.ofSeconds(30), () -> controller.rollout(id).orElseThrow(),
                    x -> x.state() != Rollout.State.RUNNING);
            assertEquals(r.reason(), Rollout.State.COMPLETED, r.state());
            assertEquals(r.results().toString(), 6, r.count("PENDING"));

            hung.mute = true;
            hung.rejoin();   // born first: its catch-up is the first one sent, and never answered
            Await.until("the hung gateway's catch-up sent", Duration.ofSeconds(10),
                    () -> controller.rollout(id).orElseThrow().count("PENDING") == 6 && online(controller) == 5);
            long t0 = System.nanoTime();
            for (SimGateway g : away.subList(1, 6)) {
                g.rejoin();
            }
            Rollout caught = Await.until("g1..g5 caught up", TIMEOUT, () -> controller.rollout(id).orElseThrow(),
                    x -> x.count("APPLIED") == 9);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("FleetCatchUpIT: g1..g5 caught up %.2f s after their births, beside a hung g0 (request timeout %d s)%n",
                    seconds, TIMEOUT.toSeconds());
            assertTrue("caught up in " + seconds + " s, not behind the hung gateway's " + TIMEOUT.toSeconds() + " s",
                    seconds < TIMEOUT.toSeconds() / 2.0);
            assertEquals(caught.results().toString(), "PENDING", caught.results().get("g0").outcome());
            // the hung one's catch-up times out: still PENDING (asked again at its next birth), never FAILED
            Rollout later = Await.until("the hung gateway's catch-up timed out", TIMEOUT.plusSeconds(10),
                    () -> controller.rollout(id).orElseThrow(), x -> x.results().get("g0").detail().contains("catch-up was not answered"));
            assertEquals(later.results().toString(), "PENDING", later.results().get("g0").outcome());
            hung.mute = false;
            hung.drop();
            hung.rejoin();
            Await.until("the hung gateway, answering again, caught up at its next birth", Duration.ofSeconds(20),
                    () -> controller.rollout(id).orElseThrow(), x -> x.count("APPLIED") == 10);
        } finally {
            sims.forEach(SimGateway::kill);
        }
    }

    private static long online(FleetController c) {
        return c.gateways().stream().filter(GatewayView::online).count();
    }

    private static String envelope(KeyPair ops, long version) throws Exception {
        FleetPackage pkg = new FleetPackage(FLEET, "all", version, List.of(new PackageScript("blink", "return 1",
                "name = \"blink\"\nversion = \"1.0." + version + "\"\n")), null, Instant.now());
        return PackageSigner.envelope(PackageSigner.sign(pkg, "ops", ops.getPrivate()));
    }
}
