package org.scriptbox.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.schedule.ResourceMonitor;

/** Tokens, users, audit (admin); resources and the OpenAPI document (viewer). */
final class AdminRoutes {
    static final String OPENAPI = "openapi.json";

    private final Authentication auth;
    private final ScriptManager manager;
    private final Supplier<ResourceMonitor> monitor;
    private final String openapi;

    AdminRoutes(Authentication auth, ScriptManager manager, Supplier<ResourceMonitor> monitor) {
        this.auth = auth;
        this.manager = manager;
        this.monitor = monitor;
        this.openapi = openapiDocument();
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/tokens", Role.ADMIN, null, x -> Reply.ok(Map.of("tokens",
                        auth.tokens().list().stream().map(this::token).toList()))),
                new Route("POST", "/tokens", Role.ADMIN, "token-create", this::createToken),
                new Route("DELETE", "/tokens/{id}", Role.ADMIN, "token-revoke", this::revokeToken),
                new Route("GET", "/users", Role.ADMIN, null, x -> Reply.ok(Map.of("users",
                        auth.users().values().stream().map(u -> Map.of("name", u.name(), "role", u.role().label())).toList()))),
                new Route("GET", "/audit", Role.ADMIN, null, x -> Reply.ok(Map.of("entries",
                        auth.audit().latest(x.queryInt("max", 100, 1, 2000)).stream().map(AdminRoutes::audit).toList()))),
                new Route("GET", "/resources", Role.VIEWER, null, x -> Reply.ok(resources())),
                new Route("GET", "/openapi.json", Role.VIEWER, null, x -> new Reply(200, new RawJson(openapi), Map.of())));
    }

    /** A body that is JSON text already. */
    record RawJson(String text) {
    }

    private Map<String, Object> token(ApiToken t) {
        Map<String, Object> m = Views.object();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("role", t.role().label());
        m.put("createdAt", Views.time(t.createdAt()));
        m.put("createdBy", t.createdBy());
        m.put("lastUsedAt", Views.time(auth.tokens().lastUsed(t.id())));
        return m;
    }

    private Object createToken(Exchange x) throws IOException {
        String name = x.requiredText("name");
        Role role = Role.parse(x.requiredText("role"))
                .orElseThrow(() -> ApiError.badRequest("'role' must be viewer, operator or admin."));
        TokenStore.Created c;
        try {
            c = auth.tokens().create(name, role, x.caller.name());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiError(500, "io", "The token could not be saved.");
        }
        x.auditTarget = "token " + c.token().id() + " (" + name + ", " + role.label() + ")";
        Map<String, Object> m = token(c.token());
        m.put("token", c.secret());
        return Reply.created(m);
    }

    private Object revokeToken(Exchange x) {
        String id = x.name("id");
        x.auditTarget = "token " + id;
        if (!auth.tokens().revoke(id)) {
            throw ApiError.notFound("No token '" + id + "'.");
        }
        return Reply.noContent();
    }

    private static Map<String, Object> audit(AuditLog.Entry e) {
        Map<String, Object> m = Views.object();
        m.put("time", Views.time(e.time()));
        m.put("user", e.user());
        m.put("source", e.source());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("outcome", e.outcome());
        return m;
    }

    private Map<String, Object> resources() {
        ResourceMonitor m = monitor.get();
        Map<String, Object> out = Views.resources(m == null ? null : m.snapshot());
        out.put("scripts", manager.list().stream().map(i -> Map.of("name", i.name(), "stats", Views.stats(i.stats()))).toList());
        return out;
    }

    static String openapiDocument() {
        try (InputStream in = AdminRoutes.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its " + OPENAPI);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("the bundle's " + OPENAPI + " could not be read", e);
        }
    }
}
