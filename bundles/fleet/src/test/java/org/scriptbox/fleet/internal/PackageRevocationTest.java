package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.api.fleet.SignedPackage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Q14 without controller.keys: a halted package's revocation, signed in advance by its signer, verified with trusted.keys. */
public class PackageRevocationTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair ops = Ed25519Keys.generate();
    private final KeyPair mallory = Ed25519Keys.generate();
    private final Map<String, java.security.PublicKey> trusted = Map.of("ops", ops.getPublic());
    private final FleetPackage pkg = new FleetPackage("plant", "line1", 8,
            List.of(new PackageScript("blink", "return 1", "name = \"blink\"\nversion = \"1.0.0\"\n")), null, Instant.now());

    private byte[] revocationOf(String envelope, String signer) throws Exception {
        JsonNode o = PackageCodec.JSON.readTree(envelope);
        SignedPackage s = PackageCodec.readEnvelope(o);
        return PackageRevocation.message(PackageCodec.readBody(s.body()), s.body(), signer, o.path("revocation").asText(), "halted")
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void aRevocationFromThePackageFileStopsThatPackageOnlyAndOnlyWhenSignedByATrustedKey() throws Exception {
        String envelope = PackageSigner.revocableEnvelope(pkg, "ops", ops.getPrivate());
        byte[] good = revocationOf(envelope, "ops");
        PackageRevocation.Revoked r = PackageRevocation.verify(good, "plant", Set.of("line1"), trusted);
        assertEquals(8, r.version());
        assertEquals(Digest.sha256(PackageCodec.readEnvelope(PackageCodec.JSON.readTree(envelope)).body()), r.digest());
        refused(revocationOf(envelope, "ops"), "plant", Set.of("line2"), trusted, "not one of this gateway's");
        refused(revocationOf(envelope, "ops"), "other", Set.of("line1"), trusted, "not signed by the key");
        refused(revocationOf(envelope, "evil"), "plant", Set.of("line1"), trusted, "not among trusted.keys");
        // another key under the trusted name; an altered version or digest
        refused(revocationOf(PackageSigner.revocableEnvelope(pkg, "ops", mallory.getPrivate()), "ops"), "plant", Set.of("line1"),
                trusted, "not signed by the key");
        ObjectNode altered = (ObjectNode) PackageCodec.JSON.readTree(good);
        altered.put("version", 9);
        refused(altered.toString().getBytes(StandardCharsets.UTF_8), "plant", Set.of("line1"), trusted, "not signed by the key");
        altered = (ObjectNode) PackageCodec.JSON.readTree(good);
        altered.put("digest", "0".repeat(64));
        refused(altered.toString().getBytes(StandardCharsets.UTF_8), "plant", Set.of("line1"), trusted, "not signed by the key");
        refused("{\"group\":[1]}".getBytes(StandardCharsets.UTF_8), "plant", Set.of("line1"), trusted, "not a string");
        // Q47: what needs no signature check is checked first: the topic must be its own group's and version's
        try {
            PackageRevocation.claim(good, "scriptbox/plant/$revoked/line1/9", "plant", Set.of("line1"), trusted);
            fail("taken on another topic");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("on another topic"));
        }
        assertEquals(8, PackageRevocation.claim(good, "scriptbox/plant/$revoked/line1/8", "plant", Set.of("line1"), trusted).version());
        refused(new byte[5000], "plant", Set.of("line1"), trusted, "5000 bytes");
    }

    private static void refused(byte[] payload, String fleet, Set<String> groups, Map<String, java.security.PublicKey> trusted,
                                String why) {
        try {
            PackageRevocation.verify(payload, fleet, groups, trusted);
            fail("taken: " + new String(payload, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(why));
        }
    }

    @Test
    public void aGatewayRefusesARevokedPackageFromWhoeverSendsItAndRemembersAcrossRestarts() throws Exception {
        String envelope = PackageSigner.revocableEnvelope(pkg, "ops", ops.getPrivate());
        SignedPackage signed = PackageCodec.readEnvelope(PackageCodec.JSON.readTree(envelope));
        Path file = tmp.getRoot().toPath().resolve("fleet-revoked.json");
        RevokedPackages revoked = new RevokedPackages(file);
        PackageVerifier verifier = new PackageVerifier(trusted, "plant", Set.of("line1"), 1 << 20, revoked);
        assertEquals(8, verifier.verify(signed).pkg().version());
        assertTrue(revoked.add(PackageRevocation.verify(revocationOf(envelope, "ops"), "plant", Set.of("line1"), trusted)));
        assertFalse("once", revoked.add(PackageRevocation.verify(revocationOf(envelope, "ops"), "plant", Set.of("line1"), trusted)));
        for (RevokedPackages r : List.of(revoked, new RevokedPackages(file))) {
            try {
                new PackageVerifier(trusted, "plant", Set.of("line1"), 1 << 20, r).verify(signed);
                fail("a revoked package was taken");
            } catch (Refusal e) {
                assertEquals("REVOKED", e.code());
                assertTrue(e.getMessage(), e.getMessage().contains("version 8 of group line1 was revoked by 'ops'"));
            }
        }
        // Q47: revocations that came in a flood wait unverified; a deploy of their digest verifies them (forgeries first)
        Path other = tmp.getRoot().toPath().resolve("flood.json");
        RevokedPackages flood = new RevokedPackages(other);
        String d = signed.body().length > 0 ? Digest.sha256(signed.body()) : "";
        ObjectNode forged = (ObjectNode) PackageCodec.JSON.readTree(revocationOf(PackageSigner.revocableEnvelope(pkg, "ops",
                mallory.getPrivate()), "ops"));
        flood.candidate(PackageRevocation.claim(forged.toString().getBytes(StandardCharsets.UTF_8), null, "plant", Set.of("line1"), trusted));
        PackageVerifier lazy = new PackageVerifier(trusted, "plant", Set.of("line1"), 1 << 20, flood);
        assertEquals("a forgery alone does not stop it", 8, lazy.verify(signed).pkg().version());
        flood.candidate(PackageRevocation.claim(forged.toString().getBytes(StandardCharsets.UTF_8), null, "plant", Set.of("line1"), trusted));
        flood.candidate(PackageRevocation.claim(revocationOf(envelope, "ops"), null, "plant", Set.of("line1"), trusted));
        try {
            lazy.verify(signed);
            fail("the genuine one among the candidates was not found");
        } catch (Refusal e) {
            assertEquals("REVOKED", e.code());
        }
        assertTrue("kept once verified", new RevokedPackages(other).revoked(d));
        // another package of the group (a new version) is not affected
        FleetPackage v9 = new FleetPackage("plant", "line1", 9, pkg.scripts(), null, Instant.now());
        assertEquals(9, verifier.verify(PackageSigner.sign(v9, "ops", ops.getPrivate())).pkg().version());
        Files.writeString(file, "{\"revoked\":");
        try {
            new RevokedPackages(file);
            fail("a damaged list fails closed");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("damaged"));
        }
    }

    @Test
    public void aPackageFileCarriesItsRevocationAndGatewaysReadTheEnvelopeAsBefore() throws Exception {
        String envelope = PackageSigner.revocableEnvelope(pkg, "ops", ops.getPrivate());
        assertTrue(PackageCodec.JSON.readTree(envelope).path("revocation").isTextual());
        // the gateway reads the envelope as before (the field is ignored where it is present)
        SignedPackage s = PackageCodec.readEnvelope(PackageCodec.flatObject(envelope.getBytes(StandardCharsets.UTF_8)));
        assertEquals(8, new PackageVerifier(trusted, "plant", Set.of("line1"), 1 << 20).verify(s).pkg().version());
    }
}
