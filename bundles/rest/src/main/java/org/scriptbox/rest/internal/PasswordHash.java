package org.scriptbox.rest.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2WithHmacSHA256 hashes in the form {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (Base64), the
 * only form a password is ever kept in (configuration, data area). OWASP's 2023 floor for this function is
 * 210,000 iterations: fewer are refused when reading, so a weakened hash cannot be slipped into the config.
 */
final class PasswordHash {
    static final int ITERATIONS = 210_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the user is unknown, so that the answer takes as long as for a known one. */
    private static final PasswordHash DUMMY = create("not a password".toCharArray());

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    static PasswordHash create(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(ITERATIONS, salt, derive(password, salt, ITERATIONS));
    }

    /** @throws IllegalArgumentException saying what is wrong with the text (never echoing it) */
    static PasswordHash parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("\\$");
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            throw new IllegalArgumentException("not a " + PREFIX + "$ITERATIONS$SALT$HASH value (make one with rest:hash)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count is not a number");
        }
        if (iterations < ITERATIONS || iterations > 10_000_000) {
            throw new IllegalArgumentException("the iteration count must be between " + ITERATIONS + " and 10000000");
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (salt.length < 8 || hash.length != HASH_BITS / 8) {
                throw new IllegalArgumentException("the salt or the hash has the wrong length");
            }
            return new PasswordHash(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the salt or the hash is not Base64 of the right length");
        }
    }

    boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    /** Spends the time of one check, for an unknown user. */
    static void spendCheckTime(char[] password) {
        DUMMY.matches(password);
    }

    String encoded() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** A random secret of {@code bytes} bytes, URL-safe Base64 without padding. */
    static String randomSecret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** SHA-256 of a high-entropy secret (session ids, tokens): enough there, and cheap on every request. */
    static String sha256(String secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
