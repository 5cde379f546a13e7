package org.scriptbox.rest.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** POST /session (login), GET /session (who am I), DELETE /session (logout). */
final class SessionRoutes {
    static final String COOKIE = "SB_SESSION";

    private final Authentication auth;

    SessionRoutes(Authentication auth) {
        this.auth = auth;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/session", null, null, this::login),
                new Route("GET", "/session", Role.VIEWER, null, x -> Reply.ok(whoAmI(x.caller))),
                new Route("DELETE", "/session", Role.VIEWER, "logout", this::logout));
    }

    private Object login(Exchange x) throws IOException, InterruptedException {
        String user = x.text("user");
        String password = x.text("password");
        if (user == null || password == null || user.length() > 64 || password.length() > 1024) {
            throw ApiError.badRequest("Send {\"user\": ..., \"password\": ...}.");
        }
        Authentication.Login login = auth.login(user, password.toCharArray(), x.source);
        if (login.retryAfter().compareTo(java.time.Duration.ZERO) > 0) {
            long seconds = Math.max(1, (login.retryAfter().toMillis() + 999) / 1000);
            throw ApiError.tooManyRequests("Too many failed logins; try again later.", seconds);
        }
        if (!login.ok()) {
            throw ApiError.unauthenticated();
        }
        Session s = login.created().session();
        x.response.addHeader("Set-Cookie", COOKIE + "=" + login.created().cookieValue()
                + "; Path=/; HttpOnly; SameSite=Strict" + (x.request.isSecure() ? "; Secure" : ""));
        return Reply.ok(whoAmI(new Caller(s.user(), s.role(), "cookie", s)));
    }

    private Object logout(Exchange x) {
        if (x.caller.byCookie()) {
            auth.logout(x.caller.session());
        }
        x.response.addHeader("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (x.request.isSecure() ? "; Secure" : ""));
        return Reply.noContent();
    }

    static Map<String, Object> whoAmI(Caller c) {
        Map<String, Object> m = Views.object();
        m.put("user", c.name());
        m.put("role", c.role().label());
        m.put("csrfToken", c.byCookie() ? c.session().csrfToken() : null);
        m.put("expiresAt", c.byCookie() ? Views.time(c.session().expires()) : null);
        m.put("via", c.via());
        return m;
    }
}
