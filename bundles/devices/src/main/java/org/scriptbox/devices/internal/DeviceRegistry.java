package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.scriptbox.api.device.Device;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices drivers currently offer, by id (whiteboard: drivers come and go at any time). A second
 * registration under an id already taken is ignored with a warning until the first one leaves.
 */
@Component(service = DeviceRegistry.class)
public class DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);

    /** For the look-up on a miss; {@code null} outside OSGi (unit tests). */
    private volatile BundleContext context;

    @Activate
    void activate(BundleContext bundleContext) {
        this.context = bundleContext;
    }

    private final ConcurrentMap<String, Device> byId = new ConcurrentHashMap<>();
    /** Registrations waiting because their id was taken, so they can step in when the first leaves. */
    private final List<Map.Entry<String, Device>> shadowed = Collections.synchronizedList(new ArrayList<>());

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addDevice(Device device, Map<String, Object> properties) {
        String id = idOf(device, properties);
        Device before = byId.putIfAbsent(id, device);
        if (before == device) {
            return;   // already taken in by get() on a miss
        }
        if (before != null) {
            LOG.warn("a second device with id '{}' is ignored while the first is registered", id);
            shadowed.add(Map.entry(id, device));
        } else {
            LOG.info("device '{}' ({}) available", id, properties.get(Device.DEVICE_TYPE));
        }
    }

    public void removeDevice(Device device, Map<String, Object> properties) {
        String id = idOf(device, properties);
        synchronized (shadowed) {
            shadowed.removeIf(e -> e.getValue() == device);
            if (byId.remove(id, device)) {
                LOG.info("device '{}' gone", id);
                for (Map.Entry<String, Device> e : shadowed) {
                    if (e.getKey().equals(id)) {
                        shadowed.remove(e);
                        byId.put(id, e.getValue());
                        break;
                    }
                }
            }
        }
    }

    private static String idOf(Device device, Map<String, Object> properties) {
        Object id = properties.get(Device.DEVICE_ID);
        return id != null ? id.toString() : device.id();
    }

    /**
     * The device with this id, or {@code null}. A device service becomes visible in the service registry a
     * moment before SCR has bound it here, and whoever waited for the service (the manager resolving a
     * script that names the device) may call at once: so a miss asks the registry before saying no.
     */
    public Device get(String id) {
        Device d = byId.get(id);
        return d != null ? d : lookUp(id);
    }

    private Device lookUp(String id) {
        BundleContext bc = context;
        if (bc == null || id.isEmpty()) {
            return null;
        }
        try {
            String filter = "(" + Device.DEVICE_ID + "=" + escape(id) + ")";
            for (ServiceReference<Device> ref : bc.getServiceReferences(Device.class, filter)) {
                // Same instance SCR is about to bind (service objects are cached per bundle), so addDevice then
                // no-ops. Not ungot: that could dispose a delayed driver component before SCR's own get; the
                // framework releases the use when the service goes away.
                Device d = bc.getService(ref);
                if (d != null) {
                    Device before = byId.putIfAbsent(id, d);
                    return before != null ? before : d;
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // a strange id or this bundle stopping: simply not found
        }
        return null;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }

    /** Ids in sorted order. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(byId.keySet());
        Collections.sort(ids);
        return ids;
    }

    public List<Device> all() {
        List<Device> all = new ArrayList<>();
        for (String id : ids()) {
            Device d = byId.get(id);
            if (d != null) {
                all.add(d);
            }
        }
        return all;
    }
}
