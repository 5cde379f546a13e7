package org.scriptbox.rest.internal;

import java.util.Map;

/** A successful answer: status, JSON body (or none for 204) and extra headers. */
record Reply(int status, Object body, Map<String, String> headers) {
    static Reply ok(Object body) {
        return new Reply(200, body, Map.of());
    }

    static Reply created(Object body) {
        return new Reply(201, body, Map.of());
    }

    static Reply noContent() {
        return new Reply(204, null, Map.of());
    }
}
