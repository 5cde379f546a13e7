package org.scriptbox.rest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.util.promise.Promise;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.schedule.ResourceMonitor;
import org.scriptbox.api.schedule.ScriptScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The REST API, one Servlet Whiteboard servlet at {@code /api/*}: authentication (session cookie or
 * bearer token), role and CSRF checks, dispatch to the routes, errors as JSON, audit of every mutating call.
 * <p>
 * The order of checks is what an unauthenticated caller must not learn from: without valid credentials
 * every path, existing or not, gets the same 401. Only then 404/405, the role (403) and the CSRF token (403).
 * Runs are answered asynchronously, so waiting runs never hold Jetty's threads (an e-stop must always
 * find one).
 */
@Component(service = Servlet.class, configurationPid = RestConfig.PID, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/*",
        "osgi.http.whiteboard.servlet.name=scriptbox-rest",
        "osgi.http.whiteboard.servlet.asyncSupported=true"})
public final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    static final String PREFIX = "/v1";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final long RUN_WAIT_MILLIS = 15 * 60 * 1000L;
    static final int LOGIN_BODY_BYTES = 4096;
    /** The whole login body must arrive within this (it is at most 4 KB). */
    static final long LOGIN_BODY_MILLIS = 10_000;
    /** Any other body (up to max.body.bytes, a script's source) must arrive within this. */
    static final long BODY_MILLIS = 60_000;

    private final transient Authentication auth;
    private final transient List<Route> routes = new ArrayList<>();
    private final transient ScriptManager manager;
    private final transient EventHub events;
    private volatile transient ResourceMonitor monitor;
    private volatile transient org.scriptbox.api.trace.TraceService traces;
    private volatile int maxBody;
    /** Deadlines of bodies being read and of runs being waited for: one thread, tasks dropped when cancelled. */
    private final transient ScheduledThreadPoolExecutor timer = deadlines();
    private final transient JettyErrorAnswers jettyAnswers = new JettyErrorAnswers();

    @Activate
    public ApiServlet(@Reference Authentication auth, @Reference ScriptManager manager, @Reference ScriptFolder folder,
                      @Reference MetadataCodec codec, @Reference DeviceDirectory devices,
                      @Reference ScriptScheduler scheduler, @Reference EventHub events, RestConfig config) {
        this.auth = auth;
        this.manager = manager;
        this.events = events;
        this.maxBody = config.max_body_bytes();
        routes.addAll(allRoutes(auth, manager, folder, codec, devices, scheduler, () -> monitor, events,
                config.estop_answer_ms(), () -> traces));
    }

    /** Every endpoint of the API (the OpenAPI document lists the same: OpenApiDocumentTest). */
    static List<Route> allRoutes(Authentication auth, ScriptManager manager, ScriptFolder folder, MetadataCodec codec,
                                 DeviceDirectory devices, ScriptScheduler scheduler,
                                 java.util.function.Supplier<ResourceMonitor> monitor, EventHub events, long estopMillis,
                                 java.util.function.Supplier<org.scriptbox.api.trace.TraceService> traces) {
        List<Route> all = new ArrayList<>();
        all.addAll(new SessionRoutes(auth).routes());
        all.addAll(new ScriptRoutes(manager, folder, codec).routes());
        all.addAll(new DeviceRoutes(devices, estopMillis).routes());
        all.addAll(new ScheduleRoutes(scheduler, manager).routes());
        all.addAll(new AdminRoutes(auth, manager, monitor).routes());
        all.addAll(events.routes());
        all.addAll(new TraceRoutes(traces).routes());
        return all;
    }

    @Modified
    void modified(RestConfig config) {
        maxBody = config.max_body_bytes();
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = Executors.defaultThreadFactory().newThread(r);
            th.setName("scriptbox-rest-deadlines");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    @Override
    public void init() {
        jettyAnswers.install(getServletContext());
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();   // the event streams belong to the hub
        jettyAnswers.uninstall();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindMonitor(ResourceMonitor m) {
        monitor = m;
    }

    void unbindMonitor(ResourceMonitor m) {
        if (monitor == m) {
            monitor = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindTraces(org.scriptbox.api.trace.TraceService t) {
        traces = t;
    }

    void unbindTraces(org.scriptbox.api.trace.TraceService t) {
        if (traces == t) {
            traces = null;
        }
    }

    /** The registered routes, for the OpenAPI check. */
    List<Route> routes() {
        return List.copyOf(routes);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        jettyAnswers.install(req);
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        String method = req.getMethod().toUpperCase(Locale.ROOT);
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String source = req.getRemoteAddr();
        Optional<Caller> caller = authenticate(req);
        Route route = null;
        Exchange x = null;
        try {
            List<String> segments = segments(path);
            Map<String, String> params = null;
            boolean pathKnown = false;
            for (Route r : routes) {
                Optional<Map<String, String>> m = segments == null ? Optional.empty() : r.match(segments);
                if (m.isPresent()) {
                    pathKnown = true;
                    if (r.method().equals(method)) {
                        route = r;
                        params = m.get();
                        break;
                    }
                }
            }
            if (route == null || route.role() != null) {
                if (caller.isEmpty()) {
                    throw ApiError.unauthenticated();   // the same answer for every path: nothing to learn
                }
            }
            if (route == null) {
                throw pathKnown ? new ApiError(405, "method_not_allowed", "Method not allowed.")
                        : ApiError.notFound("No such endpoint.");
            }
            Caller c = caller.orElse(null);
            // a route anyone may call (the login) takes a small body only: the large bound is for deploys
            int limit = route.role() == null ? LOGIN_BODY_BYTES : maxBody;
            x = new Exchange(req, resp, c, source, params);
            if (route.role() != null) {
                if (!c.role().includes(route.role())) {
                    throw new ApiError(403, "forbidden", "This needs the " + route.role().label() + " role.");
                }
                if (route.mutating() && c.byCookie() && !csrfOk(req, c.session())) {
                    throw new ApiError(403, "csrf", "Missing or invalid CSRF token.");
                }
            }
            if (route.mutating()) {
                if (req.getContentLengthLong() > limit) {   // refused before a byte is read
                    throw new ApiError(413, "payload_too_large", "The request body is larger than " + limit + " bytes.");
                }
                readBodyThenHandle(req, resp, route, x, limit);
                return;
            }
        } catch (ApiError e) {
            refuseUnread(req, resp, route, x, e);
            return;
        }
        handle(req, resp, route, x, false);
    }

    /**
     * A mutating call's body is read without holding a thread while it arrives, with a size bound and a
     * deadline (BodyReader); the route runs once it is all there.
     */
    private void readBodyThenHandle(HttpServletRequest req, HttpServletResponse resp, Route route, Exchange x, int limit)
            throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(0);   // the deadlines are ours: the body's, then a run's (answerLater)
        long deadline = route.role() == null ? LOGIN_BODY_MILLIS : BODY_MILLIS;
        BodyReader.read(async, timer, deadline, limit, new BodyReader.Outcome() {
            @Override
            public void body(byte[] bytes) {
                x.body(bytes);
                handle(req, resp, route, x, true);
            }

            @Override
            public void refused(ApiError error) {
                try {
                    resp.setHeader("Connection", "close");   // the rest of the body is not read
                    writeError(resp, error);
                    audit(route, x, error.status, error.code);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("REST refusal of a body could not be written ({})", e.getClass().getSimpleName());
                } finally {
                    async.complete();
                }
            }
        });
    }

    /** Runs the route and answers; {@code async}: the request is in an async cycle of ours, to complete here. */
    private void handle(HttpServletRequest req, HttpServletResponse resp, Route route, Exchange x, boolean async) {
        boolean completeHere = async;
        try {
            Object result = route.handler().handle(x);
            if (result == null) {
                completeHere = false;
                return;   // an event stream: the handler answers by itself
            }
            if (result instanceof Promise<?> p) {
                completeHere = false;
                answerLater(req, resp, route, x, p);
                return;
            }
            write(resp, (Reply) result);
            audit(route, x, ((Reply) result).status(), null);
        } catch (ApiError e) {
            answerError(resp, route, x, e);
        } catch (ScriptException e) {
            answerError(resp, route, x, ApiError.of(e.error()));
        } catch (Exception | LinkageError e) {
            LOG.error("REST {} {} failed", req.getMethod(), org.scriptbox.api.text.SafeText.line(req.getPathInfo()), e);
            answerError(resp, route, x, new ApiError(500, "internal", "Internal error."));
        } finally {
            if (completeHere) {
                req.getAsyncContext().complete();
            }
        }
    }

    private void answerError(HttpServletResponse resp, Route route, Exchange x, ApiError e) {
        try {
            writeError(resp, e);
        } catch (IOException | RuntimeException gone) {
            LOG.debug("REST error answer could not be written ({})", gone.getClass().getSimpleName());
        }
        audit(route, x, e.status, e.code);
    }

    /**
     * Refused before the body was wanted: it is not read at all (a blocking drain let unauthenticated
     * callers hold threads with trickling bodies, W4), and the connection ends after this answer.
     */
    private void refuseUnread(HttpServletRequest req, HttpServletResponse resp, Route route, Exchange x, ApiError e) {
        if (req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null) {
            resp.setHeader("Connection", "close");
        }
        answerError(resp, route, x, e);
    }

    private Optional<Caller> authenticate(HttpServletRequest req) {
        String authz = req.getHeader("Authorization");
        if (authz != null) {
            // a request that presents a token is judged by it alone, even with a cookie beside it
            return authz.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.byToken(authz.substring(7).trim()) : Optional.empty();
        }
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie k : cookies) {
                if (SessionRoutes.COOKIE.equals(k.getName())) {
                    return auth.bySession(k.getValue());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean csrfOk(HttpServletRequest req, Session s) {
        String given = req.getHeader(CSRF_HEADER);
        return given != null && java.security.MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                s.csrfToken().getBytes(StandardCharsets.UTF_8));
    }

    /** The path below /v1 as segments, or null when it is not under /v1. */
    private static List<String> segments(String path) {
        if (!path.startsWith(PREFIX + "/") || path.length() > 1024) {
            return null;
        }
        String rest = path.substring(PREFIX.length() + 1);
        if (rest.isEmpty() || rest.endsWith("/")) {
            return null;
        }
        return List.of(rest.split("/", -1));
    }

    private void answerLater(HttpServletRequest req, HttpServletResponse resp, Route route, Exchange x, Promise<?> p) {
        AsyncContext async = req.isAsyncStarted() ? req.getAsyncContext() : req.startAsync();
        async.setTimeout(0);
        AtomicBoolean answered = new AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                try {
                    writeError(resp, new ApiError(504, "timeout", "No result within " + RUN_WAIT_MILLIS / 60000 + " minutes."));
                    audit(route, x, 504, "timeout");
                } catch (IOException | RuntimeException e) {
                    LOG.debug("REST timeout answer could not be written ({})", e.getClass().getSimpleName());
                } finally {
                    async.complete();
                }
            }
        }, RUN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        p.onResolve(() -> {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            deadline.cancel(false);
            try {
                Throwable failure = p.getFailure();
                if (failure == null) {
                    Reply r = (Reply) p.getValue();
                    write(resp, r);
                    audit(route, x, r.status(), null);
                } else {
                    ApiError a = failure instanceof ScriptException se ? ApiError.of(se.error())
                            : failure instanceof ApiError ae ? ae : new ApiError(500, "internal", "Internal error.");
                    if (a.status == 500 && !(failure instanceof ScriptException)) {
                        LOG.error("REST {} failed", route.template(), failure);
                    }
                    writeError(resp, a);
                    audit(route, x, a.status, a.code);
                }
            } catch (Exception e) {
                LOG.warn("REST answer to {} could not be written ({})", route.template(), e.getClass().getSimpleName());
            } finally {
                async.complete();
            }
        });
    }

    private void audit(Route route, Exchange x, int status, String code) {
        if (route == null || route.auditAction() == null || x == null || x.caller == null) {
            return;
        }
        String outcome = status < 300 ? (x.auditOutcome == null ? "ok" : x.auditOutcome) : "refused:" + code;
        String target = x.auditTarget != null ? x.auditTarget : x.param("name") != null ? x.param("name")
                : x.param("id") != null ? x.param("id") : x.param("script");
        auth.audit().record(x.caller.name(), x.source, route.auditAction(), target, outcome);
    }

    static void write(HttpServletResponse resp, Reply r) throws IOException {
        resp.setStatus(r.status());
        r.headers().forEach(resp::setHeader);
        if (r.body() == null) {
            return;
        }
        String text = r.body() instanceof AdminRoutes.RawJson raw ? raw.text() : Json.write(r.body());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        resp.setContentType("application/json;charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static void writeError(HttpServletResponse resp, ApiError e) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        Map<String, Object> error = Views.object();
        error.put("code", e.code);
        error.put("message", e.getMessage());
        if (e.scriptError != null) {
            Map<String, Object> se = Views.error(e.scriptError);
            for (String k : List.of("file", "line", "column", "traceback")) {
                if (se.containsKey(k)) {
                    error.put(k, se.get(k));
                }
            }
        }
        if (!e.details.isEmpty()) {
            error.put("details", e.details.stream().map(Views::error).toList());
        }
        if (e.retryAfterSeconds > 0) {
            resp.setHeader("Retry-After", Long.toString(e.retryAfterSeconds));
        }
        write(resp, new Reply(e.status, Map.of("error", error), Map.of()));
    }
}
