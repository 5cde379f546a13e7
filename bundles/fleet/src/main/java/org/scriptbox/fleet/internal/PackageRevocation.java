package org.scriptbox.fleet.internal;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A package's revocation, signed in advance by the package's own signer (fleet:sign writes it into the package
 * file, beside the envelope; the controller never sends it with a deploy): "the package of this fleet, group,
 * version and digest is revoked". The controller publishes it, retained, when a rollout of the package halts, and
 * every gateway verifies it with its {@code trusted.keys} — the keys it verifies packages with, so it needs no
 * other key (not {@code controller.keys}) — and from then on refuses the package as {@code REVOKED}, from
 * whoever sends it (FINDINGS Q14). The controller holds no signing key: it can revoke only the packages it
 * was given, and a leaked revocation can only stop its own package.
 */
final class PackageRevocation {
    /** The envelope field that carries it in a package file; the controller strips it from the deploys it sends. */
    static final String FIELD = "revocation";
    static final int MAX_BYTES = 4096;

    private PackageRevocation() {
    }

    static byte[] signedBytes(String fleet, String group, long version, String digest) {
        return ("scriptbox-revocation\n" + fleet + "\n" + group + "\n" + version + "\n" + digest).getBytes(StandardCharsets.UTF_8);
    }

    /** The revocation's signature (base64) for a package body signed with {@code key}. */
    static String sign(FleetPackage pkg, byte[] body, PrivateKey key) {
        return Base64.getEncoder().encodeToString(Ed25519Keys.sign(key,
                signedBytes(pkg.fleet(), pkg.group(), pkg.version(), Digest.sha256(body))));
    }

    /** What the controller publishes (retained) on {@link FleetTopics#revocation}. */
    static ObjectNode message(FleetPackage pkg, byte[] body, String signer, String revocation, String reason) {
        return PackageCodec.JSON.createObjectNode().put("group", pkg.group()).put("version", pkg.version())
                .put("digest", Digest.sha256(body)).put("signer", signer).put(FIELD, revocation).put("reason", Texts.clip(reason));
    }

    /** A revocation a gateway verified: the package it stops. */
    record Revoked(String group, long version, String digest, String signer) {
    }

    /** A revocation as it came, checked for everything but its signature (cheap). */
    record Claim(String group, long version, String digest, String signer, byte[] signature) {
    }

    /** @return the revocation, once signed by a key of {@code trusted} for one of {@code groups} of {@code fleet} */
    static Revoked verify(byte[] payload, String fleet, java.util.Set<String> groups, Map<String, PublicKey> trusted) {
        return verify(claim(payload, null, fleet, groups, trusted), fleet, trusted);
    }

    /**
     * Everything that costs no signature check, first (FINDINGS Q47: any client may publish thousands of forgeries):
     * size, fields, one of our groups, a trusted signer's name, and published on the topic of its own group and version.
     *
     * @param topic where it came, or null not to check
     * @throws IllegalArgumentException why not (one phrase)
     */
    static Claim claim(byte[] payload, String topic, String fleet, java.util.Set<String> groups, Map<String, PublicKey> trusted) {
        if (payload.length > MAX_BYTES) {
            throw new IllegalArgumentException("a revocation of " + payload.length + " bytes");
        }
        JsonNode o = PackageCodec.flatObject(payload);
        String group = o.path("group").asText("");
        String digest = o.path("digest").asText("");
        String signer = o.path("signer").asText("");
        long version = o.path("version").canConvertToLong() ? o.path("version").asLong() : 0;
        if (!FleetTopics.validId(group) || version < 1 || !digest.matches("[0-9a-f]{64}") || !o.path(FIELD).isTextual()) {
            throw new IllegalArgumentException("not a revocation (group, version, digest, signer, revocation)");
        }
        if (!groups.contains(group)) {
            throw new IllegalArgumentException("a revocation for group '" + group + "', not one of this gateway's");
        }
        if (!trusted.containsKey(signer)) {
            throw new IllegalArgumentException("a revocation by '" + Texts.clip(signer) + "', not among trusted.keys");
        }
        if (topic != null && !topic.equals(FleetTopics.revocation(fleet, group, version))) {
            throw new IllegalArgumentException("a revocation of version " + version + " of group " + group + " on another topic");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(o.get(FIELD).asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a revocation whose signature is not base64");
        }
        return new Claim(group, version, digest, signer, sig);
    }

    /** The signature (one Ed25519 verification). @throws IllegalArgumentException for a forged or altered one */
    static Revoked verify(Claim c, String fleet, Map<String, PublicKey> trusted) {
        PublicKey key = trusted.get(c.signer());
        if (key == null || !Ed25519Keys.verify(key, signedBytes(fleet, c.group(), c.version(), c.digest()), c.signature())) {
            throw new IllegalArgumentException("a revocation of version " + c.version() + " of group " + c.group()
                    + " not signed by the key of '" + Texts.clip(c.signer()) + "' (forged or altered)");
        }
        return new Revoked(c.group(), c.version(), c.digest(), c.signer());
    }
}
