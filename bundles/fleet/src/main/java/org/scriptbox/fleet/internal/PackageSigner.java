package org.scriptbox.fleet.internal;

import java.security.PrivateKey;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.SignedPackage;

/** Signs a package: its JSON body with Ed25519 under a key name the gateways trust. */
public final class PackageSigner {
    private PackageSigner() {
    }

    public static SignedPackage sign(FleetPackage pkg, String signer, PrivateKey key) {
        byte[] body = PackageCodec.body(pkg);
        return new SignedPackage(body, signer, Ed25519Keys.sign(key, body));
    }

    /**
     * The package file {@code fleet:sign} writes: the envelope plus the package's revocation, signed now with the same
     * key ({@link PackageRevocation}), which the controller publishes if a rollout of it halts and never sends to a
     * gateway with the package.
     */
    public static String revocableEnvelope(FleetPackage pkg, String signer, PrivateKey key) {
        SignedPackage signed = sign(pkg, signer, key);
        com.fasterxml.jackson.databind.node.ObjectNode o;
        try {
            o = (com.fasterxml.jackson.databind.node.ObjectNode) PackageCodec.JSON.readTree(PackageCodec.envelope(signed));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        o.put(PackageRevocation.FIELD, PackageRevocation.sign(pkg, signed.body(), key));
        return o.toString();
    }

    /** The package as it travels: the JSON envelope. */
    public static String envelope(SignedPackage signed) {
        return PackageCodec.envelope(signed);
    }
}
