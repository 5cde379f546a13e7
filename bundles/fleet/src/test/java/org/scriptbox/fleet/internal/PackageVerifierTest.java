package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.api.fleet.SignedPackage;

public class PackageVerifierTest {
    private final KeyPair ops = Ed25519Keys.generate();
    private final KeyPair stranger = Ed25519Keys.generate();
    private final PackageVerifier verifier = new PackageVerifier(
            PackageVerifier.trustedKeys(new String[] {"ops=" + Ed25519Keys.publicText(ops.getPublic())}),
            "plant", Set.of("line1"), 1 << 20);

    static FleetPackage pkg(String fleet, String group, long version) {
        return new FleetPackage(fleet, group, version, List.of(new PackageScript("blink", "return 1", null)), null,
                Instant.parse("2026-12-01T18:00:00Z"));
    }

    @Test
    public void aPackageSignedByATrustedKeyPassesWithItsSigner() {
        SignedPackage p = PackageSigner.sign(pkg("plant", "line1", 3), "ops", ops.getPrivate());
        PackageVerifier.Verified v = verifier.verify(PackageCodec.readEnvelope(json(PackageCodec.envelope(p))));
        assertEquals("ops", v.signer());
        assertEquals(3, v.pkg().version());
        assertEquals("return 1", v.pkg().scripts().get(0).lua());
    }

    @Test
    public void unsignedIsRefused() {
        SignedPackage p = new SignedPackage(PackageCodec.body(pkg("plant", "line1", 3)), "", new byte[0]);
        assertRefused("UNSIGNED", p);
        String noSignature = "{\"body\":\"" + java.util.Base64.getEncoder().encodeToString(PackageCodec.body(pkg("plant", "line1", 3))) + "\"}";
        assertRefused("UNSIGNED", PackageCodec.readEnvelope(json(noSignature)));
    }

    @Test
    public void aKeyNotTrustedIsRefusedEvenUnderATrustedName() {
        assertRefused("UNTRUSTED_SIGNER", PackageSigner.sign(pkg("plant", "line1", 3), "mallory", stranger.getPrivate()));
        assertRefused("BAD_SIGNATURE", PackageSigner.sign(pkg("plant", "line1", 3), "ops", stranger.getPrivate()));
    }

    @Test
    public void oneChangedByteOfTheBodyIsRefused() {
        SignedPackage good = PackageSigner.sign(pkg("plant", "line1", 3), "ops", ops.getPrivate());
        byte[] body = good.body();
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).replace("return 1", "return 2");
        assertRefused("BAD_SIGNATURE", new SignedPackage(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "ops", good.signature()));
        byte[] sig = good.signature();
        sig[5] ^= 1;
        assertRefused("BAD_SIGNATURE", new SignedPackage(body, "ops", sig));
    }

    @Test
    public void anotherFleetOrGroupIsRefused() {
        assertRefused("WRONG_FLEET", PackageSigner.sign(pkg("other", "line1", 3), "ops", ops.getPrivate()));
        assertRefused("WRONG_GROUP", PackageSigner.sign(pkg("plant", "line2", 3), "ops", ops.getPrivate()));
    }

    @Test
    public void aBadTrustedKeyEntryIsNamedWithoutItsText() {
        try {
            PackageVerifier.trustedKeys(new String[] {"ops=bm90LWEta2V5"});
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("trusted.keys: 'ops' is not an Ed25519 public key"));
            assertTrue(e.getMessage(), !e.getMessage().contains("bm90"));
        }
    }

    @Test
    public void theKeysRoundTripThroughTheirTextForms() {
        KeyPair k = Ed25519Keys.generate();
        byte[] data = {1, 2, 3};
        byte[] sig = Ed25519Keys.sign(Ed25519Keys.privateKey(Ed25519Keys.privatePem(k.getPrivate())), data);
        assertTrue(Ed25519Keys.verify(Ed25519Keys.publicKey(Ed25519Keys.publicText(k.getPublic())), data, sig));
    }

    private void assertRefused(String code, SignedPackage p) {
        try {
            verifier.verify(p);
            fail("accepted, expected " + code);
        } catch (Refusal r) {
            assertEquals(r.getMessage(), code, r.code());
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return PackageCodec.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
