package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;

/**
 * A gateway's own Ed25519 key, with which it signs what it publishes ({@link GatewayAuth}): the PEM file of
 * {@code gateway.key}, or else one made at the first start and kept in the data area (owner-only, written
 * durably), so the key a controller's {@code gateway.keys} holds stays this gateway's across restarts.
 */
final class GatewayIdentity {
    private GatewayIdentity() {
    }

    /**
     * @param configured {@code gateway.key}, or null
     * @param generated  where the made key is kept
     * @throws IllegalArgumentException naming the setting or file (never the key text)
     * @throws IOException              the data area cannot be read or written
     */
    static KeyPair load(Path configured, Path generated) throws IOException {
        Path file = configured != null ? configured : generated;
        if (configured == null && !Files.exists(generated)) {
            KeyPair k = Ed25519Keys.generate();
            Files.createDirectories(generated.toAbsolutePath().getParent());
            DurableFile.replace(generated, Ed25519Keys.privatePem(k.getPrivate()).getBytes(StandardCharsets.US_ASCII), true);
            return k;
        }
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            if (configured != null) {
                throw new IllegalArgumentException("gateway.key " + file + " cannot be read (" + PahoLink.reason(e) + ")");
            }
            throw e;
        }
        PrivateKey key;
        try {
            key = Ed25519Keys.privateKey(pem);
        } catch (IllegalArgumentException e) {   // a made key that is damaged: not replaced, it is this gateway's identity
            throw new IllegalArgumentException((configured != null ? "gateway.key " : "the gateway's key ") + file
                    + " is " + e.getMessage() + (configured != null ? "" : "; move it away to make a new one (then give "
                    + "the controller's gateway.keys the new key)"));
        }
        return new KeyPair(Ed25519Keys.publicOf(key), key);
    }
}
