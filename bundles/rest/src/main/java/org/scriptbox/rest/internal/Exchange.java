package org.scriptbox.rest.internal;

import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** One request as the handlers see it: the caller, path parameters, query, JSON body. */
final class Exchange {
    /** Script names and device ids: the container's own rule (letters, digits, _ - .). */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    final HttpServletRequest request;
    final HttpServletResponse response;
    final Caller caller;
    final String source;
    private final Map<String, String> params;
    private byte[] bodyBytes;
    private JsonNode body;
    /** What the audit entry names as the target; the handler may refine it. */
    String auditTarget;
    /** What the audit entry says came of it, when the handler knows better than the status. */
    String auditOutcome;

    Exchange(HttpServletRequest request, HttpServletResponse response, Caller caller, String source,
             Map<String, String> params) {
        this.request = request;
        this.response = response;
        this.caller = caller;
        this.source = source;
        this.params = params;
    }

    /** The request's body, read in full (and bounded) before the route runs; only mutating routes get one. */
    void body(byte[] bytes) {
        this.bodyBytes = bytes;
    }

    /** A path parameter that names a script or device; anything else is 404. */
    String name(String param) {
        String v = params.get(param);
        if (v == null || !NAME.matcher(v).matches()) {
            throw ApiError.notFound("No such " + param + ".");
        }
        return v;
    }

    String param(String name) {
        return params.get(name);
    }

    String query(String name) {
        try {
            return request.getParameter(name);
        } catch (RuntimeException badQuery) {
            // Jetty parses the query on first use and throws for a bad %-escape: the caller's mistake, a 400
            // in words (it was a 500 with a stack trace in the log, for any viewer to repeat)
            throw ApiError.badRequest("The query string is not valid (a %-escape is malformed).");
        }
    }

    int queryInt(String name, int dflt, int min, int max) {
        String v = query(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw ApiError.badRequest("'" + name + "' must be between " + min + " and " + max + ".");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + name + "' must be a whole number.");
        }
    }

    JsonNode body() {
        if (body == null) {
            byte[] bytes = bodyBytes == null ? new byte[0] : bodyBytes;
            String type = request.getContentType();
            if (bytes.length != 0 && type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new ApiError(415, "unsupported_media_type", "The body must be application/json.");
            }
            body = Json.read(bytes);
            if (!body.isObject()) {
                throw ApiError.badRequest("The body must be a JSON object.");
            }
        }
        return body;
    }

    /** A string field of the body, or null when absent; a wrong type is 400. */
    String text(String field) {
        JsonNode n = body().get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiError.badRequest("'" + field + "' must be a string.");
        }
        return n.textValue();
    }

    String requiredText(String field) {
        String v = text(field);
        if (v == null) {
            throw ApiError.badRequest("'" + field + "' is missing.");
        }
        return v;
    }

    boolean flag(String field) {
        JsonNode n = body().get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw ApiError.badRequest("'" + field + "' must be true or false.");
        }
        return n.booleanValue();
    }
}
