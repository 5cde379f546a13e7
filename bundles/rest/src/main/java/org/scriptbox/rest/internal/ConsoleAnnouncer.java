package org.scriptbox.rest.internal;

import java.util.Arrays;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints where the console and the API listen, once the HTTP runtime says so (its {@code osgi.http.endpoint}
 * property; it changes when the port or TLS configuration does, and is printed again then).
 */
@Component(service = {})
public final class ConsoleAnnouncer implements ServiceListener {
    static final String RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleAnnouncer.class);
    private BundleContext context;
    private volatile String last;

    @Activate
    void activate(BundleContext ctx) throws InvalidSyntaxException {
        context = ctx;
        ctx.addServiceListener(this, "(objectClass=" + RUNTIME + ")");
        ServiceReference<?>[] refs = ctx.getServiceReferences(RUNTIME, null);
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                announce(r);
            }
        }
    }

    @Deactivate
    void deactivate() {
        context.removeServiceListener(this);
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        if (event.getType() != ServiceEvent.UNREGISTERING) {
            announce(event.getServiceReference());
        } else if (last != null) {
            // Jetty stopped (a bad keystore, a port in use, HTTP switched off): say so once, in one line
            last = null;
            LOG.warn("console and REST API not served now: the HTTP server stopped (its reason is in the log file,"
                    + " logger org.apache.felix.http)");
        }
    }

    private void announce(ServiceReference<?> ref) {
        Object p = ref.getProperty("osgi.http.endpoint");
        List<String> endpoints = p instanceof String[] a ? Arrays.asList(a) : p instanceof String s ? List.of(s)
                : p instanceof java.util.Collection<?> c ? c.stream().map(String::valueOf).toList() : List.of();
        if (endpoints.isEmpty()) {
            return;
        }
        String text = String.join(" ", endpoints);
        if (text.equals(last)) {
            return;
        }
        last = text;
        System.out.println("scriptbox console: " + text + " (REST API: " + endpoints.get(0) + "api/v1)");
        LOG.info("console and REST API at {}", text);
    }
}
