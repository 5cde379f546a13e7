package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.fleet.FleetMessage;

/** Q10: signed requests (a gateway's controller.keys): who may command a gateway no longer rests on the broker alone. */
public class RequestAuthTest {
    private static final String RES = "scriptbox/plant/$controller/ctl/res";
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair ctl = Ed25519Keys.generate();
    private final KeyPair mallory = Ed25519Keys.generate();
    private final RequestAuth.Signer signer = new RequestAuth.Signer("ctl", ctl.getPrivate());

    private RequestAuth.Checker checker(String gateway) throws Exception {
        return new RequestAuth.Checker(Map.of("ctl", ctl.getPublic()), "plant", gateway, tmp.getRoot().toPath().resolve(gateway + ".json"));
    }

    private FleetMessage signed(RequestAuth.Signer s, String gateway, String command, String body, String res, String corr) {
        long seq = s.nextSeq();
        byte[] c = corr.getBytes(StandardCharsets.UTF_8);
        return new FleetMessage("scriptbox/plant/" + gateway + "/req/" + command,
                s.wrap("plant", gateway, command, res, c, seq, body.getBytes(StandardCharsets.UTF_8)), false, res, c);
    }

    @Test
    public void aSignedRequestPassesOnceAndOnlyWhereAndAsItWasSigned() throws Exception {
        RequestAuth.Checker gw1 = checker("gw1");
        FleetMessage run = signed(signer, "gw1", "run", "{\"script\":\"blink\"}", RES, "c1");
        assertEquals("{\"script\":\"blink\"}", new String(gw1.check(run, "run"), StandardCharsets.UTF_8));
        assertRefused("REPLAY", gw1, run, "run");
        assertRefused("REPLAY", checker("gw1"), run, "run");   // after a restart too: the number is kept
        FleetMessage forGw2 = signed(signer, "gw2", "undeploy", "{\"script\":\"blink\"}", RES, "c2");
        assertRefused("UNAUTHENTICATED", gw1, new FleetMessage("scriptbox/plant/gw1/req/undeploy", forGw2.payload(), false,
                RES, forGw2.correlationData()), "undeploy");
        FleetMessage list = signed(signer, "gw1", "list", "{}", RES, "c3");
        assertRefused("UNAUTHENTICATED", gw1, list, "undeploy");   // another command under the same signature
        assertRefused("UNAUTHENTICATED", gw1, new FleetMessage(list.topic(), list.payload(), false,
                "scriptbox/plant/$controller/evil/res", list.correlationData()), "list");   // answered elsewhere
        assertEquals("{}", new String(gw1.check(list, "list"), StandardCharsets.UTF_8));
    }

    @Test
    public void unsignedOrOtherKeysAreRefused() throws Exception {
        RequestAuth.Checker gw1 = checker("gw1");
        assertRefused("UNAUTHENTICATED", gw1, new FleetMessage("scriptbox/plant/gw1/req/run",
                "{\"script\":\"blink\"}".getBytes(StandardCharsets.UTF_8), false, RES, null), "run");
        assertRefused("UNAUTHENTICATED", gw1, signed(new RequestAuth.Signer("mallory", mallory.getPrivate()), "gw1", "run",
                "{}", RES, "m"), "run");
        assertRefused("UNAUTHENTICATED", gw1, signed(new RequestAuth.Signer("ctl", mallory.getPrivate()), "gw1", "run",
                "{}", RES, "m"), "run");   // a trusted name with another key
    }

    @Test
    public void aDamagedSequenceFileFailsClosed() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("gw1.json");
        Files.writeString(file, "");
        try {
            checker("gw1");
            fail("an empty sequence file would let every captured request run once more");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("is damaged; move it away (then a captured request could be replayed once)"));
        }
    }

    @Test
    public void aGatewayWithoutKeysTakesASignedRequestAsItsBody() {
        FleetMessage m = signed(signer, "gw1", "run", "{\"script\":\"blink\"}", RES, "c");
        assertEquals("{\"script\":\"blink\"}", new String(RequestAuth.unwrapUnchecked(m.payload()), StandardCharsets.UTF_8));
        assertEquals("{\"script\":\"x\"}", new String(RequestAuth.unwrapUnchecked("{\"script\":\"x\"}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
    }

    @Test
    public void numbersOnlyGoUp() {
        long a = signer.nextSeq();
        long b = signer.nextSeq();
        assertTrue(b > a);
    }

    private FleetMessage signedAt(long millis, String corr) {
        byte[] c = corr.getBytes(StandardCharsets.UTF_8);
        return new FleetMessage("scriptbox/plant/gw1/req/list", signer.wrap("plant", "gw1", "list", RES, c, millis * 1000,
                "{}".getBytes(StandardCharsets.UTF_8)), false, RES, c);
    }

    @Test
    public void aSiteWideClockFaultFarAheadHoldsRequestsBackOneWindowAtMost() throws Exception {
        // Q41: gateway and controller on one NTP server, both 100 years ahead for a minute: the request then is taken
        long real = System.currentTimeMillis();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(real + 100L * 365 * 24 * 3600 * 1000);
        Path file = tmp.getRoot().toPath().resolve("clock.json");
        RequestAuth.Checker gw1 = new RequestAuth.Checker(Map.of("ctl", ctl.getPublic()), "plant", "gw1", file,
                java.time.Duration.ofMinutes(10), now::get);
        gw1.check(signedAt(now.get(), "fault"), "list");
        now.set(real);   // the clocks right again, the gateway restarted: held back one window, not a century
        RequestAuth.Checker restarted = new RequestAuth.Checker(Map.of("ctl", ctl.getPublic()), "plant", "gw1", file,
                java.time.Duration.ofMinutes(10), now::get);
        assertRefused("REPLAY", restarted, signedAt(real, "right-1"), "list");
        now.set(real + 11 * 60_000);
        assertEquals("{}", new String(restarted.check(signedAt(now.get(), "right-2"), "list"), StandardCharsets.UTF_8));
        assertRefused("REPLAY", restarted, signedAt(real + 60_000, "older"), "list");
    }

    private static void assertRefused(String code, RequestAuth.Checker c, FleetMessage m, String command) {
        try {
            c.check(m, command);
            fail("taken: " + m.text());
        } catch (Refusal r) {
            assertEquals(r.getMessage(), code, r.code());
        }
    }

    /**
     * Q45 for the controller's side too (one SequenceSource serves both): a controller whose clock was 3 minutes
     * ahead, restarted after NTP put it right, is heard by a gateway at once instead of refused as REPLAY for 3 minutes.
     */
    @Test
    public void aControllerRestartedAfterItsClockWentBackIsHeardAtOnce() throws Exception {
        long now = System.currentTimeMillis();
        java.util.concurrent.atomic.AtomicLong controllerClock = new java.util.concurrent.atomic.AtomicLong(now + 180_000);
        Path mark = tmp.getRoot().toPath().resolve("controller/request-seq");
        RequestAuth.Checker gw1 = new RequestAuth.Checker(Map.of("ctl", ctl.getPublic()), "plant", "gw1",
                tmp.getRoot().toPath().resolve("gw1.json"), java.time.Duration.ofMinutes(10), () -> now);
        RequestAuth.Signer before = new RequestAuth.Signer("ctl", ctl.getPrivate(),
                new SequenceSource(controllerClock::get, mark, java.time.Duration.ofMinutes(10)));
        gw1.check(signed(before, "gw1", "list", "{}", RES, "a"), "list");
        controllerClock.set(now);   // NTP; then a restart
        RequestAuth.Signer after = new RequestAuth.Signer("ctl", ctl.getPrivate(),
                new SequenceSource(controllerClock::get, mark, java.time.Duration.ofMinutes(10)));
        assertEquals("{}", new String(gw1.check(signed(after, "gw1", "list", "{}", RES, "b"), "list"), StandardCharsets.UTF_8));
        Files.writeString(mark, "x");
        try {
            new SequenceSource(controllerClock::get, mark, java.time.Duration.ofMinutes(10));
            fail("a damaged mark is not ignored");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(mark.toString()));
        }
    }
}
