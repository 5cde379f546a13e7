package org.scriptbox.rest.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.WeakHashMap;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Makes Jetty's own error answers ours (red team R15/W1). Jetty refuses some requests before any servlet of
 * the context runs: an ambiguous or malformed URI ({@code %2e%2e}, {@code ..%2f}, {@code %00}), a request line
 * or headers too long. Those answers come from the Server's error handler, never from the Servlet
 * Whiteboard's error pages, and Felix HTTP only lets one add headers to it
 * ({@code org.apache.felix.http.jetty.errorPageCustomHeaders}, set in etc/org.apache.felix.http.cfg as the
 * fallback). So {@link Answers} go in as the error handler of every Jetty server Felix starts.
 * <p>
 * The one place Felix hands out its Jetty server is a {@link ConnectorFactory} service: each server it starts
 * (again after a new configuration) calls every factory once, right after it started; when this factory comes later,
 * it is called at once. It puts the answers in there, so they hold from a fresh container's first request (the servlet's
 * own context does not lead to Jetty 12's server, and installing them on the API's first request left every refusal
 * before it an empty body). The connector it must return is a {@link LocalConnector}: in-process only, no port.
 * When the factory goes (the bundle stops), Felix stops that connector and the server's previous handler is put back.
 */
@Component(service = ConnectorFactory.class)
public final class JettyErrorAnswers implements ConnectorFactory {
    private final Map<Server, Request.Handler> previous = new WeakHashMap<>();

    @Override
    public Connector createConnector(Server server) {
        install(server);
        return new LocalConnector(server);
    }

    private void install(Server server) {
        synchronized (previous) {
            if (!(server.getErrorHandler() instanceof Answers)) {
                previous.put(server, server.getErrorHandler());
                server.setErrorHandler(new Answers());
            }
        }
    }

    /** Puts every server's previous error handler back (the REST bundle is stopping). */
    @Deactivate
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
