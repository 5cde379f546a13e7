package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * The REST API in the real container (Felix HTTP Jetty 12, the Servlet Whiteboard, the real manager,
 * deployer, devices and simulator), through the JDK HttpClient: the auth matrix (every route x every role),
 * CSRF, token revocation, throttling, the 401 that tells nothing, deploy errors at line:column, a run's
 * result and an e-stop reaching the simulated device.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RestApiIT {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String PASSWORD = RestTestSupport.PASSWORD;
    private static final String UNAUTHENTICATED = "{\"error\":{\"code\":\"unauthenticated\",\"message\":\"Authentication required.\"}}";

    @Inject
    private BundleContext context;

    private RestTestSupport api;
    private String base;

    @Configuration
    public Option[] config() throws Exception {
        Path etc = Distribution.etcWatchingDeployFolder();
        Path runtimeEtc = Distribution.runtimeHome().resolve("etc");
        for (String f : List.of("org.scriptbox.devices.rule-default.cfg", "org.scriptbox.driver.sim-1.cfg",
                "org.scriptbox.devices.cfg")) {
            Files.copy(runtimeEtc.resolve(f), etc.resolve(f));
        }
        // the address allowance is raised: every test logs in from 127.0.0.1 (LoginThrottleTest covers it)
        // small event buffers and a long write deadline: a stalled stream can only be dropped by its buffer
        RestTestSupport.configure(etc, Map.of("viewer", "viewer", "operator", "operator", "admin", "admin",
                "victim", "operator", "watcher", "viewer"), "login.address.failures = 10000\nsse.buffer.chars = 1000000\n"
                + "sse.write.deadline.seconds = 300");
        Files.writeString(etc.resolve("org.scriptbox.rest.users.cfg"), "plain.role = admin\nplain.password = " + PASSWORD + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        return new Option[] {Distribution.container(etc, Distribution.freshFolder("deploy"), Distribution.freshFolder("data"))};
    }

    @Before
    public void awaitApi() {
        api = RestTestSupport.await(context, "admin");
        base = api.base();
    }

    private RestClient session(String user) throws Exception {
        return api.session(user);
    }

    private static String deployBody(String source) {
        return "{\"source\":" + quote(source) + "}";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** One row of the matrix: a route, a body, and the least role it needs. */
    private record Row(String method, String path, String body, String role) {
    }

    private static List<Row> matrix() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("GET", "/session", null, "viewer"));
        rows.add(new Row("GET", "/scripts", null, "viewer"));
        rows.add(new Row("GET", "/scripts/matrix", null, "viewer"));
        rows.add(new Row("PUT", "/scripts/matrix", deployBody("return 1"), "operator"));
        rows.add(new Row("POST", "/scripts/matrix/validate", deployBody("return 1"), "operator"));
        rows.add(new Row("POST", "/scripts/matrix/disable", null, "operator"));
        rows.add(new Row("POST", "/scripts/matrix/enable", null, "operator"));
        rows.add(new Row("POST", "/scripts/matrix/run", "{\"args\":[]}", "operator"));
        rows.add(new Row("POST", "/scripts/matrix/cancel", null, "operator"));
        rows.add(new Row("GET", "/scripts/matrix/logs", null, "viewer"));
        rows.add(new Row("GET", "/scripts/matrix/stats", null, "viewer"));
        rows.add(new Row("GET", "/scripts/matrix/history", null, "viewer"));
        rows.add(new Row("GET", "/scripts/matrix/history/1", null, "viewer"));
        rows.add(new Row("POST", "/scripts/matrix/rollback", "{}", "operator"));
        rows.add(new Row("GET", "/scripts/matrix/runs", null, "viewer"));
        rows.add(new Row("GET", "/scripts/matrix/runs/1", null, "viewer"));
        rows.add(new Row("DELETE", "/scripts/gone", null, "operator"));
        rows.add(new Row("GET", "/devices", null, "viewer"));
        rows.add(new Row("GET", "/devices/sim-1", null, "viewer"));
        rows.add(new Row("GET", "/devices/sim-1/telemetry", null, "viewer"));
        rows.add(new Row("POST", "/devices/sim-1/estop", null, "operator"));
        rows.add(new Row("POST", "/devices/sim-1/reset", null, "operator"));
        rows.add(new Row("POST", "/estop", null, "operator"));
        rows.add(new Row("GET", "/schedules", null, "viewer"));
        rows.add(new Row("PUT", "/schedules/matrix", "{\"kind\":\"MANUAL\"}", "operator"));
        rows.add(new Row("DELETE", "/schedules/matrix", null, "operator"));
        rows.add(new Row("GET", "/resources", null, "viewer"));
        rows.add(new Row("GET", "/tokens", null, "admin"));
        rows.add(new Row("POST", "/tokens", "{\"name\":\"m\",\"role\":\"viewer\"}", "admin"));
        rows.add(new Row("DELETE", "/tokens/nosuchtoken", null, "admin"));
        rows.add(new Row("GET", "/users", null, "admin"));
        rows.add(new Row("GET", "/audit", null, "admin"));
        rows.add(new Row("GET", "/openapi.json", null, "viewer"));
        return rows;
    }

    @Test
    public void authMatrixEveryRouteForEveryRole() throws Exception {
        List<String> levels = List.of("viewer", "operator", "admin");
        session("operator").send("PUT", "/scripts/matrix", deployBody("return 1"));
        RestClient anonymous = RestClient.anonymous(base);
        Map<String, RestClient> sessions = Map.of("viewer", session("viewer"), "operator", session("operator"),
                "admin", session("admin"));
        List<String> wrong = new ArrayList<>();
        for (Row row : matrix()) {
            RestClient.Answer a = anonymous.send(row.method(), row.path(), row.body());
            if (a.status() != 401 || !a.body().equals(UNAUTHENTICATED)) {
                wrong.add("anonymous " + row + " -> " + a.status() + " " + a.body());
            }
            for (String role : levels) {
                RestClient c = sessions.get(role);
                a = c.send(row.method(), row.path(), row.body());
                boolean allowed = levels.indexOf(role) >= levels.indexOf(row.role());
                boolean ok = allowed ? a.status() != 401 && a.status() != 403 && a.status() < 500
                        : a.status() == 403 && a.body().contains("\"forbidden\"");
                if (!ok) {
                    wrong.add(role + " " + row + " -> " + a.status() + " " + a.body());
                }
            }
            if (!row.method().equals("GET")) {   // every mutating route wants the CSRF header of a cookie session
                a = sessions.get("admin").withoutCsrf().send(row.method(), row.path(), row.body());
                if (a.status() != 403 || !a.body().contains("\"csrf\"")) {
                    wrong.add("admin without CSRF " + row + " -> " + a.status() + " " + a.body());
                }
            }
        }
        assertEquals(String.join("\n", wrong), List.of(), wrong);
        // every route of the OpenAPI document has its row (the login, the logout and the event stream have tests of their own)
        String doc = sessions.get("viewer").get("/openapi.json").body();
        java.util.Set<String> documented = new java.util.TreeSet<>();
        String path = null;
        for (String line : doc.split("\n")) {   // the committed document's layout: paths at 4 spaces, methods at 6
            java.util.regex.Matcher p = java.util.regex.Pattern.compile("^    \"(/[^\"]*)\" ?: \\{").matcher(line);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^      \"(get|put|post|delete|patch)\" ?: \\{").matcher(line);
            if (p.find()) {
                path = p.group(1).replaceAll("\\{[a-z]+}", "*");
            } else if (m.find() && path != null) {
                documented.add(m.group(1).toUpperCase(java.util.Locale.ROOT) + " " + path);
            }
        }
        assertTrue(doc, documented.size() > 30);
        documented.removeAll(List.of("POST /session", "DELETE /session", "GET /events"));
        java.util.Set<String> covered = new java.util.TreeSet<>();
        for (Row row : matrix()) {
            for (String d : documented) {
                if (d.startsWith(row.method() + " ") && row.path().matches(d.substring(d.indexOf(' ') + 1)
                        .replace(".", "\\.").replace("*", "[^/]+"))) {
                    covered.add(d);
                }
            }
        }
        documented.removeAll(covered);
        assertEquals("routes without a row in the auth matrix", java.util.Set.of(), documented);
        RestClient.Answer events = anonymous.get("/events");
        assertEquals(401, events.status());
        assertEquals(UNAUTHENTICATED, events.body());
    }

    @Test
    public void unauthenticatedCallersLearnNothing() throws Exception {
        RestClient admin = session("admin");
        String token = tokenOf(admin.send("POST", "/tokens", "{\"name\":\"soon-revoked\",\"role\":\"admin\"}"));
        String id = token.split("_")[1];
        assertEquals(204, admin.send("DELETE", "/tokens/" + id, null).status());
        List<RestClient> strangers = List.of(RestClient.anonymous(base),
                new RestClient(base, "SB_SESSION=forged", null, null), RestClient.anonymous(base).withToken("sbt_x_y"),
                RestClient.anonymous(base).withToken(token));
        for (RestClient s : strangers) {
            for (String[] req : new String[][] {{"GET", "/scripts"}, {"GET", "/no/such/path"}, {"DELETE", "/scripts"},
                    {"GET", "/tokens"}, {"PUT", "/scripts/x"}, {"GET", "/../v2/scripts"}, {"GET", "/"}, {"GET", "/scripts/"}}) {
                RestClient.Answer a = s.send(req[0], req[1], null);
                assertEquals(req[0] + " " + req[1], 401, a.status());
                assertEquals(UNAUTHENTICATED, a.body());
            }
        }
    }

    /** Red team R10: the one route anyone may call takes a small body only, refused before any password check. */
    @Test
    public void loginTakesNoLargeBodies() throws Exception {
        String big = "{\"user\":\"admin\",\"password\":\"" + "a".repeat(100_000) + "\"}";
        RestClient.Answer a = RestClient.anonymous(base).send("POST", "/session", big);
        assertEquals(a.body(), 413, a.status());
        assertTrue(a.body(), a.body().contains("\"payload_too_large\""));
        String audit = session("admin").get("/audit?max=2000").body();
        assertTrue(audit, !audit.contains("\"user\":\"admin\",\"source\":\"127.0.0.1\",\"action\":\"login\",\"target\":\"session\",\"outcome\":\"denied\""));
    }

    /** Red team R5: one caller cannot take every live-event slot; the others still get theirs. */
    @Test
    public void oneCallerCannotHoldEveryEventStream() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        RestClient viewer = session("viewer");
        List<java.io.InputStream> open = new ArrayList<>();
        try {
            int refused = 0;
            for (int i = 0; i < 8; i++) {
                java.net.http.HttpResponse<java.io.InputStream> r = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/events")).header("Cookie", viewer.cookie).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                open.add(r.body());
                if (r.statusCode() == 429) {
                    refused++;
                }
            }
            assertEquals("4 streams per caller, the other 4 refused", 4, refused);
            java.net.http.HttpResponse<java.io.InputStream> other = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/events")).header("Cookie", session("operator").cookie).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            open.add(other.body());
            assertEquals(200, other.statusCode());
        } finally {
            for (java.io.InputStream in : open) {
                in.close();
            }
        }
    }

    /**
     * A client that opens the event stream and never reads is dropped once its bounded buffer fills (its slot
     * comes free long before the 300 s write deadline of this container), while the other clients get every
     * event; run events with megabytes of values go without them (W5).
     */
    @Test
    public void aStalledEventClientIsDroppedAndTheOthersKeepTheirEvents() throws Exception {
        RestClient op = session("operator");
        RestClient watcher = session("watcher");
        assertEquals(201, op.send("PUT", "/scripts/flood", deployBody(
                "local t = {}\nfor i = 1, 6 do t[i] = string.rep('x', 9000) end\nreturn t")).status());
        assertEquals(201, op.send("PUT", "/scripts/huge", deployBody(
                "local t = {}\nfor i = 1, 60 do t[i] = string.rep('y', 9000) end\nreturn t")).status());
        java.net.Socket stalled = new java.net.Socket();
        stalled.setReceiveBufferSize(1024);
        stalled.connect(new java.net.InetSocketAddress(java.net.URI.create(base).getHost(), java.net.URI.create(base).getPort()));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<java.io.InputStream> open = new ArrayList<>();
        try {
            stalled.getOutputStream().write(("GET /api/v1/events?types=run HTTP/1.1\r\nHost: t\r\nCookie: " + watcher.cookie
                    + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.util.function.Function<String, java.net.http.HttpResponse<java.io.InputStream>> stream = query -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/events?" + query))
                            .header("Cookie", watcher.cookie).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            // the watcher's other three slots: one reads the runs, two wait for a script that never runs
            for (String query : List.of("types=run", "script=silent", "script=silent")) {
                java.net.http.HttpResponse<java.io.InputStream> r = stream.apply(query);
                assertEquals(200, r.statusCode());
                open.add(r.body());
            }
            java.net.http.HttpResponse<java.io.InputStream> fifth = stream.apply("script=silent");
            open.add(fifth.body());
            assertEquals("the stalled stream holds the watcher's fourth slot", 429, fifth.statusCode());
            java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean omitted = new java.util.concurrent.atomic.AtomicBoolean();
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(open.get(0),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("data: ") && line.contains("\"script\":\"flood\"") && line.contains("xxxx")) {
                            seen.incrementAndGet();
                        } else if (line.startsWith("data: ") && line.contains("\"script\":\"huge\"")) {
                            omitted.set(line.contains("\"valuesOmitted\":true") && !line.contains("yyyy"));
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test ends the stream
                }
            }, "sse-reader");
            reader.setDaemon(true);
            reader.start();
            int runs = 150;   // ~8 MB of run events: more than the stalled socket's buffers and its 1 MB buffer
            for (int i = 0; i < runs; i++) {
                assertTrue(op.send("POST", "/scripts/flood/run", null).body().contains("\"status\":\"COMPLETED\""));
            }
            assertTrue(op.send("POST", "/scripts/huge/run", null).body().contains("yyyy"));   // the answer has them
            Await.until("the reading client got every run event", BOUND, () -> seen.get() == runs && omitted.get());
            Await.until("the stalled stream dropped, its slot free", BOUND, () -> {
                java.net.http.HttpResponse<java.io.InputStream> r = stream.apply("script=silent");
                open.add(r.body());
                return r.statusCode() == 200;
            });
        } finally {
            stalled.close();
            for (java.io.InputStream in : open) {
                in.close();
            }
        }
    }

    @Test
    public void liveEventsCarryLogLinesAndFinishedRunsAsText() throws Exception {
        RestClient op = session("operator");
        assertEquals(201, op.send("PUT", "/scripts/talker", deployBody("print('<script>alert(1)</script> ' .. tostring(...))\nreturn 5")).status());
        java.net.http.HttpResponse<java.io.InputStream> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/events?script=talker&types=log,run"))
                        .header("Cookie", op.cookie).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertTrue(in.readLine().startsWith(": scriptbox events"));
            assertTrue(op.send("POST", "/scripts/talker/run", "{\"args\":[7]}").body().contains("COMPLETED"));
            java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            // read on a thread of its own, within a bound: a lost event would otherwise block readLine for ever
            java.util.concurrent.CompletableFuture<Void> read = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    String ev = null;
                    for (String line; seen.size() < 2 && (line = in.readLine()) != null; ) {
                        if (line.startsWith("event: ")) {
                            ev = line.substring(7);
                        } else if (line.startsWith("data: ") && "log".equals(ev)) {
                            assertTrue(line, line.contains("\"message\":\"<script>alert(1)</script> 7\""));
                            seen.add("log");
                        } else if (line.startsWith("data: ") && "run".equals(ev)) {
                            assertTrue(line, line.contains("\"values\":[5]"));
                            seen.add("run");
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                read.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException late) {
                throw new AssertionError("the log and run events within 30 s; seen: " + seen);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
            }
            assertEquals(java.util.Set.of("log", "run"), seen);
        }
    }

    /**
     * Red team R15/W1: requests Jetty refuses before any servlet runs (ambiguous or malformed URIs, a request
     * line or headers too long) get the API's JSON error shape with its headers, for anyone: never Jetty's
     * HTML page. Under the console's paths a plain text page with the same headers.
     */
    @Test
    public void requestsJettyRefusesGetTheApiShapeAndHeaders() throws Exception {
        String[] heads = {"GET /api/v1/scripts/%2e%2e HTTP/1.1", "GET /api/v1/scripts/..%2f..%2fetc%2fpasswd HTTP/1.1",
                "GET /api/v1/scripts/a%00b HTTP/1.1", "GET /api/v1/scripts/a%2fb HTTP/1.1", "GET /api/v1/scripts/%ZZ HTTP/1.1",
                "POST /api/v1/devices/..%2fsim-1/estop HTTP/1.1", "DELETE /api/v1/scripts/.%2e/x HTTP/1.1",
                "GET /api//v1/scripts HTTP/1.1", "GET /console/%2e%2e/x HTTP/1.1", "GET /api/v1/" + "a".repeat(20_000) + " HTTP/1.1",
                "GET /api/v1/scripts HTTP/1.1\r\nX-Big: " + "a".repeat(1_000_000), "GET /api/v1/scripts HTTP/1.1\r\nno colon here",
                "GET /api/v1/scripts HTTP/9.1", "GET /api/v1/scripts?" + String.join("&", java.util.Collections.nCopies(10_000, "p=1"))
                + " HTTP/1.1"};
        List<String> wrong = new ArrayList<>();
        for (String head : heads) {
            RawHttp.Answer a = RawHttp.exchange(base, head, null);
            String shown = head.length() > 80 ? head.substring(0, 80) + "..." : head;
            if (a.status() < 400 || !String.valueOf(a.header("Content-Type")).startsWith("application/json")
                    || !a.body().matches("\\{\"error\":\\{\"code\":\"[a-z_]+\",\"message\":\"[^\"<]+\"}}")
                    || !strictHeaders(a)) {
                wrong.add(shown + " -> " + a.status() + " " + a.headers() + " " + a.body());
            }
        }
        assertEquals(String.join("\n", wrong), List.of(), wrong);
        RawHttp.Answer console = RawHttp.exchange(base, "GET /console/ HTTP/1.1\r\nX-Big: " + "a".repeat(1_000_000), null);
        assertEquals(431, console.status());
        assertTrue(console.headers().toString(), console.header("Content-Type").startsWith("text/plain") && strictHeaders(console));
        assertEquals("431 The request's headers are too large.\n", console.body());
    }

    private static boolean strictHeaders(RawHttp.Answer a) {
        return "nosniff".equals(a.header("X-Content-Type-Options")) && "DENY".equals(a.header("X-Frame-Options"))
                && String.valueOf(a.header("Content-Security-Policy")).contains("default-src 'none'")
                && "no-store".equals(a.header("Cache-Control"));
    }

    /** W2: the console answers GET and HEAD only, always with its headers; TRACE no longer echoes cookies. */
    @Test
    public void theConsoleAnswersOtherMethodsWith405AndItsHeaders() throws Exception {
        for (String head : new String[] {"TRACE /console/ HTTP/1.1\r\nCookie: SB_SESSION=secret-value", "POST /console/ HTTP/1.1",
                "PUT /console/index.html HTTP/1.1", "DELETE / HTTP/1.1", "OPTIONS /console/ HTTP/1.1"}) {
            RawHttp.Answer a = RawHttp.exchange(base, head, head.startsWith("POST") ? "x=1" : null);
            assertEquals(head, 405, a.status());
            assertTrue(head + " " + a.headers(), String.valueOf(a.header("Content-Security-Policy")).contains("script-src 'self'")
                    && "nosniff".equals(a.header("X-Content-Type-Options")));
            assertTrue(a.body(), !a.body().contains("secret-value") && !a.body().contains("<html"));
        }
    }

    /** A body without Content-Length is bounded while it is read: 413 once it passes max.body.bytes, nothing kept. */
    @Test
    public void aChunkedBodyPastTheBoundIsRefusedWhileReading() throws Exception {
        RestClient op = session("operator");
        try (java.net.Socket s = RawHttp.connect(base)) {
            java.io.OutputStream out = s.getOutputStream();
            out.write(("PUT /api/v1/scripts/chunked HTTP/1.1\r\nHost: t\r\nCookie: " + op.cookie + "\r\nX-CSRF-Token: " + op.csrf
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            // the answer is read while the body is still being sent (it comes before the body's end)
            java.util.concurrent.CompletableFuture<RawHttp.Answer> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return RawHttp.read(s.getInputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                for (int i = 0; i < 100; i++) {   // 6.5 MB, past the 4.5 MB bound
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (java.net.SocketException refusedEarly) {
                // the answer came before the rest of the body, as it should
            }
            RawHttp.Answer a = answer.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(a.body(), 413, a.status());
            assertTrue(a.body(), a.body().contains("\"payload_too_large\""));
        }
        assertEquals(404, op.get("/scripts/chunked").status());
    }

    /** W3: a malformed query is the caller's mistake: 400 in words, not a 500 with a stack in the log. */
    @Test
    public void aMalformedQueryIsABadRequest() throws Exception {
        RestClient op = session("operator");
        assertEquals(201, op.send("PUT", "/scripts/queried", deployBody("return 1")).status());
        RawHttp.Answer a = RawHttp.exchange(base, "GET /api/v1/scripts/queried/logs?max=%ZZ HTTP/1.1\r\nCookie: " + op.cookie, null);
        assertEquals(a.body(), 400, a.status());
        assertTrue(a.body(), a.body().contains("\"code\":\"bad_request\"") && a.body().contains("query string"));
    }

    /**
     * W4: 250 unauthenticated login bodies that trickle in hold no Jetty thread (the pool has 200): the API
     * and the e-stop still answer at once, and each slow body is answered 408 after its deadline.
     */
    @Test
    public void slowBodiesHoldNoThreads() throws Exception {
        RestClient op = session("operator");
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 250; i++) {
                java.net.Socket s = RawHttp.connect(base);
                s.getOutputStream().write(("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 4000\r\n\r\n{").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            long t0 = System.nanoTime();
            assertEquals(200, op.get("/scripts").status());
            RestClient.Answer stop = op.send("POST", "/estop", null);
            assertEquals(stop.body(), 200, stop.status());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("answered after " + millis + " ms beside 250 slow bodies", millis < 10_000);
            slow.get(0).setSoTimeout(25_000);
            RawHttp.Answer late = RawHttp.read(slow.get(0).getInputStream());
            assertEquals(late.body(), 408, late.status());
            assertTrue(late.body(), late.body().contains("\"code\":\"timeout\""));
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    public void plainPasswordInTheConfigurationIsRefused() throws Exception {
        RestClient.Answer a = (RestClient.Answer) RestClient.login(base, "plain", PASSWORD)[0];
        assertEquals(401, a.status());
    }

    @Test
    public void cookieSessionsNeedTheCsrfTokenOnMutatingCalls() throws Exception {
        RestClient op = session("operator");
        RestClient.Answer none = op.withoutCsrf().send("PUT", "/scripts/csrf", deployBody("return 1"));
        assertEquals(403, none.status());
        assertTrue(none.body(), none.body().contains("\"csrf\""));
        assertEquals(403, op.withCsrf("guess").send("POST", "/estop", null).status());
        assertEquals(403, session("viewer").withCsrf(op.csrf).send("PUT", "/scripts/csrf", deployBody("return 1")).status());
        assertEquals(200, op.withoutCsrf().get("/scripts").status());   // reads need none
        assertEquals(201, op.send("PUT", "/scripts/csrf", deployBody("return 1")).status());
        assertEquals(403, op.withoutCsrf().send("DELETE", "/session", null).status());
        assertEquals(204, op.send("DELETE", "/session", null).status());
        assertEquals(401, op.get("/scripts").status());   // logged out
    }

    @Test
    public void revokedTokenStopsWorkingAtOnce() throws Exception {
        RestClient admin = session("admin");
        RestClient.Answer created = admin.send("POST", "/tokens", "{\"name\":\"ci\",\"role\":\"operator\"}");
        assertEquals(created.body(), 201, created.status());
        String token = tokenOf(created);
        RestClient machine = RestClient.anonymous(base).withToken(token);
        assertEquals(200, machine.get("/scripts").status());
        assertEquals(201, machine.send("PUT", "/scripts/bytoken", deployBody("return 7")).status());   // no CSRF for tokens
        assertEquals(403, machine.get("/tokens").status());
        assertTrue(admin.get("/tokens").body().contains("\"ci\""));
        assertEquals(204, admin.send("DELETE", "/tokens/" + token.split("_")[1], null).status());
        assertEquals(401, machine.get("/scripts").status());
        assertTrue(admin.get("/audit?max=2000").body().contains("\"token-revoke\""));
    }

    private static String tokenOf(RestClient.Answer created) {
        return created.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
    }

    @Test
    public void failedLoginsAreThrottledEvenForTheRightPassword() throws Exception {
        for (int i = 0; i < 5; i++) {
            RestClient.Answer a = (RestClient.Answer) RestClient.login(base, "victim", "wrong" + i)[0];
            assertEquals(401, a.status());
            assertEquals(UNAUTHENTICATED, a.body());
        }
        RestClient.Answer a = (RestClient.Answer) RestClient.login(base, "victim", PASSWORD)[0];
        assertEquals(429, a.status());
        assertNotNull(a.header("Retry-After"));
        assertTrue(Integer.parseInt(a.header("Retry-After")) >= 1);
        String audit = session("admin").get("/audit?max=2000").body();
        assertTrue(audit, audit.contains("\"user\":\"victim\",\"source\":\"127.0.0.1\",\"action\":\"login\",\"target\":\"session\",\"outcome\":\"denied\""));
        assertTrue(audit, audit.contains("\"outcome\":\"throttled\""));
    }

    @Test
    public void deployWithASyntaxErrorGivesLineAndColumnAndKeepsTheLiveVersion() throws Exception {
        RestClient op = session("operator");
        assertEquals(201, op.send("PUT", "/scripts/adder", deployBody("local a, b = ...\nprint('adding')\nreturn a + b")).status());
        RestClient.Answer bad = op.send("PUT", "/scripts/adder", deployBody("local a, b = ...\nreturn a +"));
        assertEquals(bad.body(), 422, bad.status());
        assertTrue(bad.body(), bad.body().contains("\"code\":\"compilation\""));
        assertTrue(bad.body(), bad.body().contains("\"line\":2"));
        assertTrue(bad.body(), bad.body().contains("\"column\":"));
        assertTrue(bad.body(), !bad.body().contains("Exception") && !bad.body().contains("at org."));
        RestClient.Answer validated = op.send("POST", "/scripts/adder/validate", deployBody("return )"));
        assertTrue(validated.body(), validated.body().contains("\"line\":1"));
        // the live version still runs, with the arguments given
        RestClient.Answer run = op.send("POST", "/scripts/adder/run", "{\"args\":[40, 2]}");
        assertEquals(run.body(), 200, run.status());
        assertTrue(run.body(), run.body().contains("\"status\":\"COMPLETED\""));
        assertTrue(run.body(), run.body().contains("\"values\":[42]"));
        assertTrue(op.get("/scripts/adder/logs").body().contains("adding"));
        String runs = op.get("/scripts/adder/runs").body();
        assertTrue(runs, runs.contains("\"status\":\"COMPLETED\"") && runs.contains("\"result\":\"42\""));
        RestClient.Answer trace = op.get("/scripts/adder/runs/" + runs.replaceAll(".*?\"run\":(\\d+).*", "$1"));
        assertTrue(trace.body(), trace.status() == 200 && trace.body().contains("\"type\":\"LOG\""));
        RestClient.Answer got = op.get("/scripts/adder");
        assertTrue(got.body(), got.body().contains("return a + b"));
        RestClient.Answer badToml = op.send("PUT", "/scripts/adder",
                "{\"source\":\"return 1\",\"toml\":\"name = \\\"adder\\\"\\nversion = \\\"2.0.0\\\"\\nauthor = [\"}");
        assertEquals(badToml.body(), 422, badToml.status());
        assertTrue(badToml.body(), badToml.body().contains("\"file\":\"adder.toml\""));
        assertTrue(badToml.body(), badToml.body().contains("\"line\":3"));
    }

    @Test
    public void badBodiesAreClearErrorsWithoutJavaText() throws Exception {
        RestClient op = session("operator");
        assertEquals(201, op.send("PUT", "/scripts/bodies", deployBody("return ...")).status());
        String[][] cases = {{"POST", "/scripts/bodies/run", "{"}, {"POST", "/scripts/bodies/run", "[]"},
                {"PUT", "/scripts/bodies", "{\"source\": 5}"}, {"PUT", "/scripts/bodies", "{}"},
                {"POST", "/scripts/bodies/run", "{\"args\": [null]}"}, {"POST", "/scripts/bodies/run", "{\"args\": 1}"},
                {"POST", "/scripts/bodies/run", "{\"args\":" + "[".repeat(100) + "]".repeat(100) + "}"},
                {"POST", "/scripts/bodies/run", "{\"args\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"},
                {"PUT", "/schedules/bodies", "{\"kind\": \"CRON\", \"cron\": \"61 * * * *\"}"},
                {"PUT", "/schedules/bodies", "{\"kind\": \"WEEKLY\"}"}};
        for (String[] c : cases) {
            String body = c[2];
            RestClient.Answer a = op.send(c[0], c[1], body);
            assertEquals(body + " -> " + a.body(), 400, a.status());
            assertTrue(a.body(), a.body().startsWith("{\"error\":{\"code\":"));
            assertTrue(a.body(), !a.body().contains("Exception") && !a.body().contains("jackson"));
        }
    }

    @Test
    public void estopReachesTheSimulatedDevice() throws Exception {
        RestClient op = session("operator");
        String toml = "name = \\\"spin\\\"\\nversion = \\\"1.0.0\\\"\\npermissions = [\\\"device:control\\\"]\\ndevices = [\\\"sim-1\\\"]\\n";
        RestClient.Answer d = op.send("PUT", "/scripts/spin",
                "{\"source\":\"device_set_motor_speed(0, 80)\\nreturn 1\",\"toml\":\"" + toml + "\"}");
        assertEquals(d.body(), 201, d.status());
        Await.until("spin resolved", BOUND, () -> {
            try {
                return op.get("/scripts/spin").body();
            } catch (Exception e) {
                return "";
            }
        }, b -> b.contains("\"status\":\"COMPILED\""));
        RestClient.Answer run = op.send("POST", "/scripts/spin/run", "{}");
        assertTrue(run.body(), run.body().contains("\"status\":\"COMPLETED\""));
        assertTrue(op.get("/devices/sim-1").body().contains("\"motor0.target\":80.0"));
        RestClient.Answer stop = op.send("POST", "/devices/sim-1/estop", null);
        assertEquals(stop.body(), 200, stop.status());
        assertTrue(stop.body(), stop.body().contains("\"deviceId\":\"sim-1\",\"complete\":true"));
        String status = op.get("/devices/sim-1").body();
        assertTrue(status, status.contains("\"motor0.target\":0.0"));
        assertTrue(session("admin").get("/audit?max=2000").body().contains("\"action\":\"estop\",\"target\":\"sim-1\""));
        // the reset of a latched e-stop (sim-1 does not latch: nothing to release, and it says so)
        RestClient.Answer reset = op.send("POST", "/devices/sim-1/reset", null);
        assertEquals(reset.body(), "{\"deviceId\":\"sim-1\",\"wasLatched\":false}", reset.body());
        assertTrue(session("admin").get("/audit?max=2000").body().contains("\"action\":\"estop-reset\",\"target\":\"sim-1\""));
    }

    @Test
    public void openApiDocumentIsServed() throws Exception {
        RestClient.Answer a = session("viewer").get("/openapi.json");
        assertEquals(200, a.status());
        assertTrue(a.body().contains("\"openapi\" : \"3.0.3\"") || a.body().contains("\"openapi\": \"3.0.3\""));
        assertNull(a.header("Set-Cookie"));
        assertNotEquals(null, a.header("X-Content-Type-Options"));
    }
}
