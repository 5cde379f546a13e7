package org.scriptbox.rest.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.WeakHashMap;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;

/**
 * Makes Jetty's own error answers ours (red team R15/W1). Jetty refuses some requests before any servlet of
 * the context runs: an ambiguous or malformed URI ({@code %2e%2e}, {@code ..%2f}, {@code %00}), a request line
 * or headers too long. Those answers come from the Server's error handler, never from the Servlet
 * Whiteboard's error pages, and Felix HTTP only lets one add headers to it
 * ({@code org.apache.felix.http.jetty.errorPageCustomHeaders}, set in etc/org.apache.felix.http.cfg as the
 * fallback). So {@link JettyServerHook} puts {@link Answers} in as the error handler of every Jetty server Felix
 * starts, before it listens; the API's servlet also does when it starts and on its first request (a fallback);
 * a Jetty restarted for a new configuration is a new server and gets them again. When the API stops, each
 * server's previous handler is put back.
 */
final class JettyErrorAnswers {
    private final Map<Server, Request.Handler> previous = new WeakHashMap<>();

    /** From the servlet's context (at init): the Jetty context behind it, when Jetty lets it be found. */
    void install(ServletContext context) {
        try {
            ServletContextHandler handler = ServletContextHandler.getServletContextHandler(context.getContext("/"));
            if (handler == null) {
                handler = ServletContextHandler.getServletContextHandler(context);
            }
            if (handler != null && handler.getServer() != null) {
                install(handler.getServer());
            }
        } catch (RuntimeException | LinkageError notJetty) {
            // not reachable this way (or not Jetty at all): the first request installs them
        }
    }

    /** From a request: cheap when already in place (one type check). */
    void install(ServletRequest request) {
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(request);
            if (r != null) {
                install(r.getConnectionMetaData().getConnector().getServer());
            }
        } catch (RuntimeException | LinkageError notJetty) {
            // another servlet container: its own error pages stay
        }
    }

    void install(Server server) {
        if (server.getErrorHandler() instanceof Answers) {
            return;
        }
        synchronized (previous) {
            if (!(server.getErrorHandler() instanceof Answers)) {
                previous.put(server, server.getErrorHandler());
                server.setErrorHandler(new Answers());
            }
        }
    }

    /** Puts every server's previous error handler back (the API is stopping). */
    void uninstall() {
        synchronized (previous) {
            previous.forEach((server, handler) -> {
                if (server.getErrorHandler() instanceof Answers) {
                    server.setErrorHandler(handler);
                }
            });
            previous.clear();
        }
    }

    /** Jetty's error handler with {@link ErrorAnswer}'s bodies and headers; Jetty still decides the status. */
    static final class Answers extends ErrorHandler {
        Answers() {
            setShowStacks(false);
            setShowCauses(false);
        }

        @Override
        public boolean errorPageForMethod(String method) {
            return true;   // a PUT or DELETE refused by Jetty gets the same JSON body as a GET
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                        Callback callback) {
            ErrorAnswer a = ErrorAnswer.of(code, request.getHttpURI().getPath());
            HttpFields.Mutable h = response.getHeaders();
            a.headers().forEach(h::put);
            h.put(HttpHeader.CONTENT_TYPE, a.contentType());
            h.put(HttpHeader.CONTENT_LENGTH, Long.toString(a.body().length));
            response.write(true, ByteBuffer.wrap(a.body()), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            ErrorAnswer a = ErrorAnswer.of(status, null);
            a.headers().forEach(fields::put);
            fields.put(HttpHeader.CONTENT_TYPE, a.contentType());
            return ByteBuffer.wrap(a.body());
        }
    }
}
