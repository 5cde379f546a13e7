package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

/**
 * The exact bytes gateways and controllers sign (deployed ones must still interoperate after any refactoring): a
 * header of newline-ended lines, then the payload's bytes as they are.
 */
public class SignedLayoutTest {
    private static final byte[] CORRELATION = {1, 2, 3, (byte) 0xff};
    private static final byte[] PAYLOAD = "{\"a\":\"é\"}\n\u0000x".getBytes(StandardCharsets.UTF_8);

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    public void aGatewaysMessage() {
        assertEquals("scriptbox-gateway\nplant\ngw-1\nscriptbox/plant/gw-1/status\nAQID/w==\n1733140800000001\n"
                        + "{\"a\":\"é\"}\n\u0000x",
                text(GatewayAuth.signedBytes("plant", "gw-1", "scriptbox/plant/gw-1/status", CORRELATION, 1733140800000001L, PAYLOAD)));
        assertEquals("scriptbox-gateway\nplant\ngw-1\nt\n\n7\n",
                text(GatewayAuth.signedBytes("plant", "gw-1", "t", null, 7, new byte[0])));
    }

    @Test
    public void aControllersRequest() {
        assertEquals("scriptbox-request\nplant\ngw-1\nrun\nscriptbox/plant/$controller/c1/res\nAQID/w==\n1733140800000001\n"
                        + "{\"a\":\"é\"}\n\u0000x",
                text(RequestAuth.signedBytes("plant", "gw-1", "run", "scriptbox/plant/$controller/c1/res", CORRELATION,
                        1733140800000001L, PAYLOAD)));
        assertEquals("scriptbox-request\nplant\ngw-1\nlist\n\n\n-1\n",
                text(RequestAuth.signedBytes("plant", "gw-1", "list", "", null, -1, new byte[0])));
    }

    @Test
    public void aSignatureMadeBeforeStillVerifies() {
        // a key and a signature made by openssl over the layout of session 9 (Ed25519 is deterministic)
        java.security.PrivateKey key = Ed25519Keys.privateKey(PEM);
        byte[] bytes = GatewayAuth.signedBytes("plant", "gw-1", "scriptbox/plant/gw-1/state", null, 42, PAYLOAD);
        assertEquals(SIG, java.util.Base64.getEncoder().encodeToString(Ed25519Keys.sign(key, bytes)));
        assertEquals(true, Ed25519Keys.verify(Ed25519Keys.publicOf(key), bytes, java.util.Base64.getDecoder().decode(SIG)));
    }

    private static final String PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEID1C/k2rOdiSSRF8r6qHYOotxU2k86kVgtx22sDoURdi\n-----END PRIVATE KEY-----\n";
    private static final String SIG = "H0mBOomoQQPbtuFhEO7DpPzRA1RHixZ9ltE/E0Wsk6w5Ge3Z3DxFDIMiMB76RZxDs4w/ZYXmInbkpzndgVjwBA==";
}
