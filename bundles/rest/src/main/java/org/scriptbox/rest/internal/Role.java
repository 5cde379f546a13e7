package org.scriptbox.rest.internal;

import java.util.Locale;
import java.util.Optional;

/** What a user or token may do; each role includes the ones before it. */
enum Role {
    VIEWER, OPERATOR, ADMIN;

    boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Role> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Role r : values()) {
            if (r.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
