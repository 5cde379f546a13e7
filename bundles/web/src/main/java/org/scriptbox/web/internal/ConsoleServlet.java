package org.scriptbox.web.internal;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Serves the web console at {@code /console/} (and sends {@code /} there). The pages are static: every value
 * they show comes from the REST API under the user's session, so this servlet needs no authentication of its
 * own and hands out nothing but the bundle's console files. Every answer carries a strict
 * Content-Security-Policy: scripts and styles only from this origin, no inline script, no framing, requests
 * only to this origin.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/console/*",
        "osgi.http.whiteboard.servlet.pattern=/",
        "osgi.http.whiteboard.servlet.name=scriptbox-console"})
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final transient ConsoleFiles files;

    @Activate
    public ConsoleServlet(BundleContext context) {
        String codemirror = context.getBundle().getHeaders().get("Scriptbox-CodeMirror-Version");
        String uplot = context.getBundle().getHeaders().get("Scriptbox-uPlot-Version");
        ClassLoader loader = ConsoleServlet.class.getClassLoader();
        this.files = new ConsoleFiles(loader::getResourceAsStream, Map.of(
                "codemirror", "META-INF/resources/webjars/codemirror/" + codemirror,
                "uplot", "META-INF/resources/webjars/uplot/" + uplot));
    }

    ConsoleServlet(ConsoleFiles files) {
        this.files = files;
    }

    /**
     * GET and HEAD only, every answer with the console's headers: HttpServlet's defaults would answer other
     * methods with Jetty's HTML error page without them, and TRACE by echoing the request's headers, cookies
     * included.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        headers(resp);
        String method = req.getMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            doGet(req, resp);
            return;
        }
        resp.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        resp.setHeader("Allow", "GET, HEAD");
        resp.setContentType("text/plain; charset=utf-8");
        resp.getWriter().write("Method not allowed.\n");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        headers(resp);
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (path.equals("/") || path.equals("/console")) {
            resp.setStatus(HttpServletResponse.SC_FOUND);
            resp.setHeader("Location", req.getContextPath() + "/console/");
            return;
        }
        var file = path.startsWith("/console/") ? files.find(path.substring("/console/".length())) : java.util.Optional.<ConsoleFiles.File>empty();
        if (file.isEmpty()) {
            resp.setStatus(HttpServletResponse.SC_NOT_FOUND);
            resp.setContentType("text/plain; charset=utf-8");
            resp.getWriter().write("Not found.\n");
            return;
        }
        resp.setContentType(file.get().contentType());
        resp.setContentLength(file.get().bytes().length);
        resp.getOutputStream().write(file.get().bytes());
    }

    static void headers(HttpServletResponse resp) {
        resp.setHeader("Content-Security-Policy", CSP);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        resp.setHeader("Cache-Control", "no-cache");
    }
}
