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
 * Operator-driven key rotation on the controller (fleet:trust-key, fleet:revoke-key): in effect at once, without
 * a restart and without losing a message signed by the old key meanwhile, and kept across restarts.
 */
public class GatewayKeyRotationTest {
    private static final String FLEET = "plant";
    @ClassRule
    public static final TestBroker broker = new TestBroker("gateway-rotation");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private final KeyPair oldKey = Ed25519Keys.generate();
    private final KeyPair newKey = Ed25519Keys.generate();
    private final GatewayAuth.Signer oldSigner = new GatewayAuth.Signer(FLEET, "gw1", oldKey.getPrivate(), System::currentTimeMillis);
    private final GatewayAuth.Signer newSigner = new GatewayAuth.Signer(FLEET, "gw1", newKey.getPrivate(), System::currentTimeMillis);
    @Rule
    public final Closer open = new Closer();
    private int n;

    private FleetController controller(Path data) throws Exception {
        FleetController c = FleetController.checkingGateways("127.0.0.1", broker.port(), FLEET, "ctl", data,
                Duration.ofSeconds(5), null, Map.of("gw1", oldKey.getPublic()));   // the configured gateway.keys
        open.add(c);
        return c.start();
    }

    private static String health(FleetController c) {
        return c.gateways().stream().filter(g -> g.id().equals("gw1")).map(GatewayView::health).findFirst().orElse("none");
    }

    /** A status signed by {@code s}, and whether the controller took it (it shows its health) or dropped it (counted). */
    private boolean taken(FleetController c, PahoLink gw, GatewayAuth.Signer s) {
        String health = "H" + (++n);
        long dropped = c.droppedGatewayMessages();
        gw.publish(s.sign(FleetMessage.of(FleetTopics.gateway(FLEET, "gw1", FleetTopics.STATUS),
                "{\"gateway\":\"gw1\",\"groups\":[\"line1\"],\"health\":\"" + health + "\",\"scripts\":[]}", false)));
        until(health + " taken or dropped", () -> health(c).equals(health) || c.droppedGatewayMessages() > dropped,
                Duration.ofSeconds(15));
        return health(c).equals(health);
    }

    @Test
    public void aGatewaysKeyIsRotatedAndRevokedByTheOperator() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker.running());
        Path data = tmp.newFolder("ctl").toPath();
        FleetController ctl = controller(data);
        PahoLink gw = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "scriptbox-plant-gw1", null, 0);
        open.add(gw);
        gw.start();
        until("connected", () -> ctl.connected() && gw.connected(), Duration.ofSeconds(15));
        assertTrue(taken(ctl, gw, oldSigner));
        assertTrue("not trusted yet", !taken(ctl, gw, newSigner));

        ctl.trustKey("gw1", newKey.getPublic());
        assertTrue("the old key until the new one is heard", taken(ctl, gw, oldSigner));
        assertTrue(taken(ctl, gw, newSigner));
        assertTrue("the old key no longer, once the new one was heard", !taken(ctl, gw, oldSigner));
        ctl.close();

        FleetController again = controller(data);   // its gateway.keys still names the old key: the command's is kept
        until("connected", again::connected, Duration.ofSeconds(15));
        assertTrue(taken(again, gw, newSigner));
        assertTrue(!taken(again, gw, oldSigner));
        again.revokeKey("gw1");
        assertTrue("revoked", !taken(again, gw, newSigner));
        again.close();
        FleetController third = controller(data);
        until("connected", third::connected, Duration.ofSeconds(15));
        assertTrue("revoked across a restart", !taken(third, gw, newSigner));
        assertEquals("{\"trusted\":{},\"revoked\":[\"gw1\"]}", Files.readString(data.resolve(TrustedGatewayKeys.FILE)));
    }

    /** The gateway's side: fleet:rotate-key makes the next key durably, --confirm switches to it, the old one kept. */
    @Test
    public void aGatewayRotatesItsKeyWithoutLosingAMessage() throws Exception {
        Assume.assumeTrue("needs mosquitto", broker.running());
        Path own = tmp.newFolder("gw").toPath().resolve("fleet-gateway-key.pem");
        KeyPair first = GatewayIdentity.load(null, own);
        GatewayAuth.Signer s = new GatewayAuth.Signer(FLEET, "gw1", first.getPrivate(), System::currentTimeMillis);
        Path data = tmp.newFolder("ctl").toPath();
        FleetController ctl = FleetController.checkingGateways("127.0.0.1", broker.port(), FLEET, "ctl", data,
                Duration.ofSeconds(5), null, Map.of("gw1", first.getPublic()));
        open.add(ctl);
        ctl.start();
        PahoLink gw = new PahoLink(BrokerSettings.plain("127.0.0.1", broker.port()), "scriptbox-plant-gw1", null, 0);
        open.add(gw);
        gw.start();
        until("connected", () -> ctl.connected() && gw.connected(), Duration.ofSeconds(15));

        KeyPair next = GatewayIdentity.prepare(own);
        assertEquals("asked again: the same", next.getPublic(), GatewayIdentity.prepare(own).getPublic());
        assertEquals("not in use yet", first.getPublic(), GatewayIdentity.load(null, own).getPublic());
        ctl.trustKey("gw1", next.getPublic());
        assertTrue("still its key until it confirms", taken(ctl, gw, s));
        KeyPair now = GatewayIdentity.confirm(own);
        s.rotate(now.getPrivate());
        assertEquals(next.getPublic(), now.getPublic());
        assertTrue("the new key, numbers still going up", taken(ctl, gw, s));
        assertEquals("kept for the next start", next.getPublic(), GatewayIdentity.load(null, own).getPublic());
        assertEquals("the key before kept", first.getPublic(), GatewayIdentity.load(null, GatewayIdentity.previous(own)).getPublic());
        assertTrue(!Files.exists(GatewayIdentity.next(own)));
        GatewayAuth.Signer stolen = new GatewayAuth.Signer(FLEET, "gw1", first.getPrivate(), System::currentTimeMillis);
        assertTrue("the old key no longer", !taken(ctl, gw, stolen));
    }

    @Test
    public void aDamagedKeysFileFailsTheStartNamingIt() throws Exception {
        Path data = tmp.newFolder("ctl").toPath();
        DamagedFile.assertControllerRefusesToStart(data, TrustedGatewayKeys.FILE, "{\"trusted\":{\"gw1\":\"not a key\"},\"revoked\":[]}",
                FLEET, Map.of("gw1", oldKey.getPublic()));
    }
}
