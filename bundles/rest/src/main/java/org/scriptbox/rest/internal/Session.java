package org.scriptbox.rest.internal;

import java.time.Instant;

/**
 * A browser session. The cookie holds a random id that is kept only hashed; the CSRF token is a second
 * random value the page reads from the login answer and sends back in a header.
 */
record Session(String idHash, String user, Role role, String csrfToken, Instant created, Instant expires) {
}
