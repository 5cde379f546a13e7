package org.scriptbox.rest.internal;

import java.time.Instant;

/**
 * A machine's API token, as kept: the secret only as its SHA-256 (a token is 32 random bytes, so a slow
 * hash adds nothing but cost per request).
 */
record ApiToken(String id, String name, Role role, String secretHash, Instant createdAt, String createdBy) {
}
