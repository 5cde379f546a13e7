package org.scriptbox.api.fleet;

import java.util.Objects;

/**
 * A package as it travels: the exact bytes that were signed (the package's JSON form), the name of the
 * signing key and its Ed25519 signature over those bytes. A gateway verifies the bytes as they came
 * and only then reads them, so no re-encoding can change what was signed.
 */
public record SignedPackage(byte[] body, String signer, byte[] signature) {
    public SignedPackage {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(signature, "signature");
        body = body.clone();
        signature = signature.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
