package org.scriptbox.itests;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The service a test uses now, through a tracker opened once per type (and filter): the tracker gets each
 * service once and releases it when it goes away, so asking again and again (e.g. for the manager after
 * its bundle restarted) leaves no use count behind, as a bare getService without ungetService would.
 */
final class Services {
    private static final Map<String, ServiceTracker<?, ?>> TRACKERS = new ConcurrentHashMap<>();

    private Services() {
    }

    /** The current service of this type, or {@code null}. */
    static <T> T current(BundleContext context, Class<T> type) {
        return current(context, type, null);
    }

    /** The current service of this type matching the filter (e.g. {@code (device.id=sim-1)}), or {@code null}. */
    @SuppressWarnings("unchecked")
    static <T> T current(BundleContext context, Class<T> type, String filter) {
        String key = type.getName() + (filter == null ? "" : filter);
        ServiceTracker<T, T> tracker = (ServiceTracker<T, T>) TRACKERS.computeIfAbsent(key, k -> {
            try {
                ServiceTracker<T, T> t = filter == null ? new ServiceTracker<>(context, type, null)
                        : new ServiceTracker<>(context, context.createFilter("(&(objectClass=" + type.getName() + ")"
                        + filter + ")"), null);
                t.open();
                return t;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(filter, e);
            }
        });
        return tracker.getService();
    }
}
