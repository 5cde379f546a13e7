package org.scriptbox.rest.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One endpoint: method, path template ({@code /scripts/{name}/run}, relative to /api/v1), the least role
 * it needs ({@code null}: no authentication, only the login), what it audits, and its handler.
 */
record Route(String method, String template, Role role, String auditAction, Handler handler) {

    /** Handles a request; returns a {@link Reply} or a {@code Promise<Reply>} for an answer that comes later. */
    @FunctionalInterface
    interface Handler {
        Object handle(Exchange exchange) throws Exception;
    }

    List<String> segments() {
        return List.of(template.substring(1).split("/"));
    }

    /** The path parameters when the path fits this route's template. */
    Optional<Map<String, String>> match(List<String> path) {
        List<String> t = segments();
        if (t.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String seg = t.get(i);
            if (seg.startsWith("{")) {
                params.put(seg.substring(1, seg.length() - 1), path.get(i));
            } else if (!seg.equals(path.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    boolean mutating() {
        return !method.equals("GET");
    }
}
