package org.scriptbox.fleet.internal;

import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.SignedPackage;

/**
 * Checks a package's signature against the trusted keys before anything reads its body, then that it is
 * for this fleet and one of this gateway's groups. Replays and downgrades are the {@link PackageLedger}'s.
 */
final class PackageVerifier {
    /** A package that passed: what it says and who signed it. */
    record Verified(FleetPackage pkg, String signer, String digest) {
    }

    private final Map<String, PublicKey> trusted;
    private final String fleet;
    private final java.util.Set<String> groups;
    private final int maxBytes;
    private final RevokedPackages revoked;   // null: none

    PackageVerifier(Map<String, PublicKey> trusted, String fleet, java.util.Set<String> groups, int maxBytes) {
        this(trusted, fleet, groups, maxBytes, null);
    }

    /** @param revoked packages whose revocation (signed by a trusted key) came: refused as REVOKED */
    PackageVerifier(Map<String, PublicKey> trusted, String fleet, java.util.Set<String> groups, int maxBytes,
                    RevokedPackages revoked) {
        this.revoked = revoked;
        this.trusted = Map.copyOf(trusted);
        this.fleet = fleet;
        this.groups = java.util.Set.copyOf(groups);
        this.maxBytes = maxBytes;
    }

    /**
     * Reads {@code trusted.keys} entries {@code name=base64}.
     *
     * @throws IllegalArgumentException naming the bad entry (never its key text)
     */
    static Map<String, PublicKey> trustedKeys(String[] entries) {
        return keys("trusted.keys", entries);
    }

    /** Reads {@code name=base64} entries of the setting {@code setting}. */
    static Map<String, PublicKey> keys(String setting, String[] entries) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(setting + ": an entry is not name=base64-key");
            }
            try {
                keys.put(name, Ed25519Keys.publicKey(entry.substring(eq + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": '" + name + "' is " + e.getMessage());
            }
        }
        return keys;
    }

    /** @throws Refusal with the code and reason to answer */
    Verified verify(SignedPackage p) {
        if (p.signer().isEmpty() || p.signature().length == 0) {
            throw new Refusal("UNSIGNED", "the package is not signed; this gateway runs only signed packages");
        }
        if (p.body().length > maxBytes) {
            throw new Refusal("TOO_LARGE", "the package has " + p.body().length + " bytes; at most " + maxBytes);
        }
        PublicKey key = trusted.get(p.signer());
        if (key == null) {
            throw new Refusal("UNTRUSTED_SIGNER", "the signer '" + Texts.clip(p.signer()) + "' is not among this gateway's trusted keys");
        }
        if (!Ed25519Keys.verify(key, p.body(), p.signature())) {
            throw new Refusal("BAD_SIGNATURE", "the signature does not match the package and the key of '" + p.signer()
                    + "' (tampered, or signed with another key)");
        }
        FleetPackage pkg;
        try {
            pkg = PackageCodec.readBody(p.body());
        } catch (IllegalArgumentException e) {
            throw new Refusal("BAD_PACKAGE", e.getMessage());
        }
        if (!fleet.equals(pkg.fleet())) {
            throw new Refusal("WRONG_FLEET", "the package is for fleet '" + Texts.clip(pkg.fleet()) + "', this gateway is in '" + fleet + "'");
        }
        if (!groups.contains(pkg.group())) {
            throw new Refusal("WRONG_GROUP", "the package is for group '" + Texts.clip(pkg.group()) + "', this gateway is in " + groups);
        }
        String digest = Digest.sha256(p.body());
        PackageRevocation.Revoked r = revoked == null ? null : revoked.get(digest);
        if (r == null && revoked != null) {   // revocations that came in a flood, not verified then (Q47): now
            for (PackageRevocation.Claim c : revoked.takeCandidates(digest)) {
                try {
                    r = PackageRevocation.verify(c, fleet, trusted);
                } catch (IllegalArgumentException forged) {
                    continue;
                }
                try {
                    revoked.add(r);
                } catch (java.io.IOException e) {
                    // refused now all the same; kept in memory only
                }
                break;
            }
        }
        if (r != null) {   // from whoever sends it: its rollout was halted (Q14)
            throw new Refusal("REVOKED", "package version " + pkg.version() + " of group " + pkg.group() + " was revoked by '"
                    + Texts.clip(r.signer()) + "' (its rollout was halted): it is not deployed here");
        }
        return new Verified(pkg, p.signer(), digest);
    }
}
