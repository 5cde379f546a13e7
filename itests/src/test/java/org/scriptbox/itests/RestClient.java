package org.scriptbox.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A small JDK HttpClient for the REST itests: one caller (anonymous, a session cookie with its CSRF token,
 * or a bearer token) against the container's /api/v1.
 */
final class RestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One answer: status, body, headers. */
    record Answer(int status, String body, Map<String, java.util.List<String>> headers) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    final String base;
    final String cookie;
    final String csrf;
    final String bearer;

    RestClient(String base, String cookie, String csrf, String bearer) {
        this.base = base;
        this.cookie = cookie;
        this.csrf = csrf;
        this.bearer = bearer;
    }

    static RestClient anonymous(String base) {
        return new RestClient(base, null, null, null);
    }

    RestClient withToken(String token) {
        return new RestClient(base, null, null, token);
    }

    RestClient withoutCsrf() {
        return new RestClient(base, cookie, null, bearer);
    }

    RestClient withCsrf(String value) {
        return new RestClient(base, cookie, value, bearer);
    }

    /** Logs in; the answer and the session client (null when the login failed). */
    static Object[] login(String base, String user, String password) throws Exception {
        Answer a = anonymous(base).send("POST", "/session",
                "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
        if (a.status() != 200) {
            return new Object[] {a, null};
        }
        String setCookie = a.header("Set-Cookie");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String csrf = a.body().replaceAll(".*\"csrfToken\":\"([^\"]+)\".*", "$1");
        return new Object[] {a, new RestClient(base, cookie, csrf, null)};
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    Answer send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.headers().map());
    }
}
