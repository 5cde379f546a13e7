package org.scriptbox.rest.internal;

/** A configured user: name, role, password hash. */
record User(String name, Role role, PasswordHash password) {
}
