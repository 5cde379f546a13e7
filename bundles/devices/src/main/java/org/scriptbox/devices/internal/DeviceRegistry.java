package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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

    private final ConcurrentMap<String, Device> byId = new ConcurrentHashMap<>();
    /** Registrations waiting because their id was taken, so they can step in when the first leaves. */
    private final List<Map.Entry<String, Device>> shadowed = Collections.synchronizedList(new ArrayList<>());

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addDevice(Device device, Map<String, Object> properties) {
        String id = idOf(device, properties);
        if (byId.putIfAbsent(id, device) != null) {
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

    /** The device with this id, or {@code null}. */
    public Device get(String id) {
        return byId.get(id);
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
