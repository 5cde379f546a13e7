package org.scriptbox.fleet.internal;

import org.scriptbox.api.ScriptException;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The answer shapes on a response topic: {@code {"ok":true,...}} or {@code {"ok":false,"code":...,"message":...}}. */
final class Replies {
    private Replies() {
    }

    static ObjectNode ok() {
        return PackageCodec.JSON.createObjectNode().put("ok", true);
    }

    static ObjectNode refused(String code, String message) {
        return PackageCodec.JSON.createObjectNode().put("ok", false).put("code", code).put("message", message);
    }

    /** A refusal or a script error as an answer; anything else is the caller's to log first. */
    static ObjectNode of(RuntimeException e) {
        if (e instanceof Refusal r) {
            return refused(r.code(), r.getMessage());
        }
        if (e instanceof ScriptException s) {
            return refused(s.error().kind().name(), s.error().toString());
        }
        return refused("INTERNAL", "an internal error on the gateway (logged there)");
    }
}
