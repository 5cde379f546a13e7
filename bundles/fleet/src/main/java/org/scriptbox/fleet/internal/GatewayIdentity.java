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
    /** Where {@code fleet:rotate-key} keeps the next key until it is confirmed. */
    static Path next(Path generated) {
        return generated.resolveSibling(generated.getFileName() + ".next");
    }

    /** Where {@code fleet:rotate-key --confirm} keeps the key before. */
    static Path previous(Path generated) {
        return generated.resolveSibling(generated.getFileName() + ".old");
    }

    /**
     * {@code fleet:rotate-key}: the next key, made and written durably (owner-only) once; asked again before the
     * confirm, the same one. The gateway still signs with its key until {@link #confirm}.
     */
    static KeyPair prepare(Path generated) throws IOException {
        Path n = next(generated);
        if (!Files.exists(n)) {
            KeyPair k = Ed25519Keys.generate();
            Files.createDirectories(n.toAbsolutePath().getParent());
            DurableFile.replace(n, Ed25519Keys.privatePem(k.getPrivate()).getBytes(StandardCharsets.US_ASCII), true);
            return k;
        }
        return load(n, n);
    }

    /**
     * {@code fleet:rotate-key --confirm}: the next key becomes this gateway's (each file replaced durably; the key
     * before kept in {@link #previous}), the next key's file removed last, so a crash leaves one of the two keys.
     * @throws IllegalStateException no key was prepared
     */
    static KeyPair confirm(Path generated) throws IOException {
        Path n = next(generated);
        if (!Files.exists(n)) {
            throw new IllegalStateException("no new key to confirm: fleet:rotate-key makes one first");
        }
        KeyPair k = load(n, n);
        if (Files.exists(generated)) {
            DurableFile.replace(previous(generated), Files.readAllBytes(generated), true);
        }
        DurableFile.replace(generated, Files.readAllBytes(n), true);
        Files.delete(n);
        return k;
    }

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
