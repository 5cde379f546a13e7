package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

/**
 * A controller keeps the gateways' sequence numbers it took (gateway-seqs.json): restarted, it still drops a
 * captured status replayed to it (its newer one cleared from the broker), and still takes the retained birth the
 * broker hands over again.
 */
public class GatewayNumbersRestartTest {
    private static final String FLEET = "plant";
    @ClassRule
    public static final TestBroker broker = new TestBroker("gateway-numbers");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private final KeyPair gw1 = Ed25519Keys.generate();
    private final GatewayAuth.Signer signer = new GatewayAuth.Signer(FLEET, "gw1", gw1.getPrivate(), System::currentTimeMillis);
    @Rule
    public final Closer open = new Closer();

    private FleetController controller(Path data) throws Exception {
        FleetController c = FleetController.checkingGateways("127.0.0.1", broker.port(), FLEET, "ctl", data,
                Duration.ofSeconds(5), null, Map.of("gw1", gw1.getPublic()));
        open.add(c);
        return c.start();
    }

    private static String health(FleetController c) {
        return c.gateways().stream().filter(g -> g.id().equals("gw1")).map(g -> g.online() + "/" + g.health())
                .findFirst().orElse("none");
    }

    private static FleetMessage status(String health) {
        return FleetMessage.of(FleetTopics.gateway(FLEET, "gw1", FleetTopics.STATUS),
                "{\"gateway\":\"gw1\",\"groups\":[\"line1\"],\"health\":\"" + health + "\",\"scripts\":[]}", true);
    }

    @Test
    public void aRestartedControllerStillDropsAReplayedStatus() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker.running());
        Path data = tmp.newFolder("ctl").toPath();
        FleetController first = controller(data);
        PahoLink gw = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "scriptbox-plant-gw1", null, 0);
        open.add(gw);
        gw.start();
        until("connected", () -> first.connected() && gw.connected(), Duration.ofSeconds(15));
        gw.publish(signer.sign(FleetMessage.of(FleetTopics.gateway(FLEET, "gw1", FleetTopics.STATE),
                "{\"state\":\"online\",\"groups\":[\"line1\"],\"will\":0}", true)));
        FleetMessage captured = signer.sign(status("FAILING"));
        gw.publish(captured);
        until("the failing status taken", () -> health(first).equals("true/FAILING"), Duration.ofSeconds(15));
        gw.publish(signer.sign(status("HEALTHY")));
        until("the healthy status taken", () -> health(first).equals("true/HEALTHY"), Duration.ofSeconds(15));
        first.close();
        assertTrue("written at the close", Files.exists(data.resolve(GatewayNumbers.FILE)));
        PahoLink evil = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "mallory", null, 0);
        open.add(evil);
        evil.start();
        until("mallory connected", evil::connected, Duration.ofSeconds(15));
        // anyone on the broker may clear a retained message: the newer status no longer hides the captured one
        evil.publish(new FleetMessage(captured.topic(), new byte[0], true, null, null));

        FleetController second = controller(data);
        until("the retained birth taken again after the restart", () -> health(second).startsWith("true/"),
                Duration.ofSeconds(15));
        evil.publish(new FleetMessage(captured.topic(), captured.payload(), false, null, null, captured.auth()));
        until("the replayed status dropped", () -> second.droppedGatewayMessages() == 1, Duration.ofSeconds(15));
        assertTrue(health(second), !health(second).endsWith("FAILING"));
        gw.publish(signer.sign(status("DEGRADED")));   // the gateway's own next status is still heard
        until("the next status taken", () -> health(second).equals("true/DEGRADED"), Duration.ofSeconds(15));
    }

    @Test
    public void aDamagedNumbersFileFailsClosedNamingIt() throws Exception {
        Path data = tmp.newFolder("ctl").toPath();
        DamagedFile.assertControllerRefusesToStart(data, GatewayNumbers.FILE, "{\"last\":{\"gw1/status\":\"x\"}",
                FLEET, Map.of("gw1", gw1.getPublic()));
    }
}
