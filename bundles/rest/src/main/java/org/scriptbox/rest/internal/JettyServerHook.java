package org.scriptbox.rest.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Hashtable;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectInstance;
import javax.management.ObjectName;

import org.eclipse.jetty.server.Server;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Hands every Jetty server Felix HTTP runs to {@link JettyErrorAnswers} as Felix creates it, before it listens: so
 * Jetty's own refusals ({@code %2e%2e}, a header too large, {@code HTTP/9.1}) have the API's JSON shape from a fresh
 * container's first request, not only after the API's servlet saw one (X2).
 * <p>
 * Felix HTTP Jetty lets no bundle at its Server but through its connector factories (which it counts as listening
 * connectors: that route broke HTTPS after a reconfiguration) and its JMX support: for every
 * {@link MBeanServer} service it adds a Jetty {@code MBeanContainer} to the Server it is about to start, which
 * registers the Server (and its parts) in that MBeanServer. This component's MBeanServer is that door and nothing
 * else: it only looks at what it is given (an {@code ObjectMBean} whose managed object is the Server), keeps
 * nothing, and answers every query as an empty server, so no Jetty object becomes reachable over JMX. A Jetty
 * restarted for a new HTTP configuration is a new Server and comes through it again.
 */
@Component(immediate = true, service = {})
public final class JettyServerHook {
    private final JettyErrorAnswers answers = new JettyErrorAnswers();
    private final ServiceRegistration<MBeanServer> registration;

    @Activate
    public JettyServerHook(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("scriptbox.purpose", "Jetty's error answers (no MBeans are kept)");
        registration = context.registerService(MBeanServer.class, door(), props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        answers.uninstall();
    }

    private MBeanServer door() {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "registerMBean" -> {
                seen(args[0]);
                yield new ObjectInstance((ObjectName) args[1], args[0].getClass().getName());
            }
            case "getDefaultDomain" -> "scriptbox";
            case "getDomains" -> new String[0];
            case "queryNames", "queryMBeans" -> Set.of();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "scriptbox Jetty server hook";
            default -> nothing(method);
        };
        return (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(), new Class<?>[] {MBeanServer.class},
                handler);
    }

    /** Jetty's ObjectMBean (not imported: Felix may not export org.eclipse.jetty.jmx) wrapping the Server. */
    private void seen(Object mbean) {
        try {
            Method managed = mbean.getClass().getMethod("getManagedObject");
            if (managed.invoke(mbean) instanceof Server server) {
                answers.install(server);
            }
        } catch (ReflectiveOperationException | RuntimeException notJettys) {
            // another part of Jetty, or something that is not an ObjectMBean: nothing to do
        }
    }

    /** Not registered, no attribute, no listener: (isRegistered, isInstanceOf are the only primitive answers). */
    private static Object nothing(Method method) {
        return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
    }
}
