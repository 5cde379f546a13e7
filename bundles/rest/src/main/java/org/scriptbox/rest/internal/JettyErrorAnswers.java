package org.scriptbox.rest.internal;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Makes Jetty's own error answers ours (red team R15). Jetty refuses some requests before any servlet of the
 * context runs: an ambiguous or malformed URI ({@code %2e%2e}, {@code ..%2f}, {@code %00}), a request line or
 * headers too long. Those answers come from the Server's error handler, never from the Servlet Whiteboard's
 * error pages, and Felix HTTP lets one configure only extra headers for it. So this component installs
 * {@link ErrorAnswer}'s JSON (under /api) or plain text answers with the API's strict headers as the Server's
 * error handler.
 * <p>
 * Felix HTTP's one hook that is handed its Jetty {@link Server} (also each new one after a configuration
 * change restarts Jetty) is a {@link ConnectorFactory}; the connector given back is an in-memory one without
 * a socket or thread. When the component goes, Jetty's plain handler is put back (showing no stacks).
 */
@Component(service = ConnectorFactory.class)
public final class JettyErrorAnswers implements ConnectorFactory {
    private final Set<Server> servers = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    @Override
    public Connector createConnector(Server server) {
        server.setErrorHandler(new Answers());
        servers.add(server);
        LocalConnector none = new LocalConnector(server, null, null, null, 0, new HttpConnectionFactory());
        none.setName("scriptbox-error-answers");
        return none;
    }

    @Deactivate
    void deactivate() {
        synchronized (servers) {
            servers.forEach(s -> s.setErrorHandler(new ErrorHandler()));
            servers.clear();
        }
    }

    /** Jetty's error handler with our bodies and headers; Jetty still decides the status. */
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
