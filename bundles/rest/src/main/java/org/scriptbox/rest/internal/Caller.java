package org.scriptbox.rest.internal;

/**
 * Who is calling, once authenticated.
 *
 * @param name      user name, or the token's name as {@code token:NAME}
 * @param role      what they may do
 * @param via       "cookie" or "token"
 * @param session   the browser session, or {@code null} for a token
 */
record Caller(String name, Role role, String via, Session session) {
    boolean byCookie() {
        return session != null;
    }
}
