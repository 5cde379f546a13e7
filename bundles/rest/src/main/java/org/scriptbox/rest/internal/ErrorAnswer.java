package org.scriptbox.rest.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to a request that failed where neither the API's nor the console's servlet could answer it:
 * a URI Jetty refuses ({@code %2e%2e}, {@code ..%2f}, {@code %00}), a request line or headers too long, a
 * servlet's {@code sendError}. Under {@code /api}, and when Jetty could not take the path at all, it is the
 * API's JSON error shape; under the console's paths a plain text page. Either way with the API's strict
 * headers (no sniffing, no framing, nothing may load), and only our own sentences: never Jetty's page or text.
 */
record ErrorAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** Headers every error answer carries: what the API sends, and nothing in it may run or be framed. */
    static final Map<String, String> HEADERS = strictHeaders();

    private static Map<String, String> strictHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        h.put("Referrer-Policy", "no-referrer");
        return Map.copyOf(h);
    }

    /**
     * @param rawPath the request's path as sent (Jetty gives {@code /badURI} or {@code /badMessage} when it
     *                could not take the URI at all), or null when not known
     */
    static ErrorAnswer of(int status, String rawPath) {
        int code = status >= 400 && status <= 599 ? status : 500;
        String[] what = words(code);
        boolean api = rawPath != null && (rawPath.equals("/api") || rawPath.startsWith("/api/"));
        boolean known = rawPath != null && !rawPath.equals("/badURI") && !rawPath.equals("/badMessage");
        if (api || !known) {
            Map<String, Object> error = Views.object();
            error.put("code", what[0]);
            error.put("message", what[1]);
            return new ErrorAnswer(code, "application/json;charset=utf-8",
                    Json.write(Map.of("error", error)).getBytes(StandardCharsets.UTF_8), HEADERS);
        }
        return new ErrorAnswer(code, "text/plain;charset=utf-8",
                (code + " " + what[1] + "\n").getBytes(StandardCharsets.UTF_8), HEADERS);
    }

    /** The API's code and one sentence for a status. */
    private static String[] words(int status) {
        return switch (status) {
            case 400 -> new String[] {"bad_request", "The request is malformed."};
            case 401 -> new String[] {"unauthenticated", "Authentication required."};
            case 403 -> new String[] {"forbidden", "Not allowed."};
            case 404 -> new String[] {"not_found", "No such endpoint."};
            case 405 -> new String[] {"method_not_allowed", "Method not allowed."};
            case 408 -> new String[] {"timeout", "The request did not arrive in time."};
            case 413 -> new String[] {"payload_too_large", "The request is too large."};
            case 414 -> new String[] {"uri_too_long", "The request's address is too long."};
            case 415 -> new String[] {"unsupported_media_type", "Unsupported media type."};
            case 429 -> new String[] {"too_many_requests", "Too many requests; try again later."};
            case 431 -> new String[] {"headers_too_large", "The request's headers are too large."};
            case 501 -> new String[] {"not_implemented", "Not implemented."};
            case 503 -> new String[] {"busy", "The server is busy; try again later."};
            case 505 -> new String[] {"http_version", "This HTTP version is not supported."};
            default -> status < 500 ? new String[] {"bad_request", "The request could not be served."}
                    : new String[] {"internal", "Internal error."};
        };
    }
}
