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

    /** The package as it travels and as {@code fleet:sign} writes it: the JSON envelope. */
    public static String envelope(SignedPackage signed) {
        return PackageCodec.envelope(signed);
    }
}
