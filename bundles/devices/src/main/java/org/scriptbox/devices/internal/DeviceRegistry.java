package org.scriptbox.devices.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.scriptbox.api.device.Device;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one tracker of the devices drivers offer (whiteboard: drivers come and go at any time), published as
 * {@link DeviceDirectory} for script resolution and the shell, and used directly by this bundle's device API.
 * The rules are {@link DeviceDirectory}'s: the {@code device.id} property, else {@link Device#id()}; the first
 * registration of an id owns it, later ones wait shadowed in arrival order and step in when it leaves.
 *
 * <p>Changes are made one at a time under {@link #changes}, and listeners are told inside it, so they hear
 * every change in order and only after {@link #get} can answer for it. Readers never take the lock. There is
 * no look-up of the service registry behind SCR's back: SCR gets and releases every service object.
 * <p>Immediate: listeners are a whiteboard, so nobody else would ask for this component to start.
 */
@Component(service = {DeviceRegistry.class, DeviceDirectory.class}, immediate = true)
public class DeviceRegistry implements DeviceDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
    private static final SortedSet<String> NONE = Collections.unmodifiableSortedSet(new TreeSet<>());

    /** One device service as bound, under the id the rule gave it. */
    private record Registration(Object key, Device device, String id, Object type) {
    }

    /** Serialises changes and the notifications they cause. */
    private final Object changes = new Object();
    /** Every bound registration by its key (service.id; the object itself outside OSGi); guarded by {@link #changes}. */
    private final Map<Object, Registration> registrations = new HashMap<>();
    /** Per id, its registrations in arrival order: the first owns the id; guarded by {@link #changes}. */
    private final Map<String, ArrayDeque<Registration>> queues = new HashMap<>();
    /** The owner of each present id, for lock-free reads. */
    private final ConcurrentMap<String, Device> owners = new ConcurrentHashMap<>();
    private volatile SortedSet<String> present = NONE;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** This bundle's own hooks for a device whose owner registration is leaving (see {@link #onLeaving}). */
    private final List<java.util.function.BiConsumer<String, Device>> leaving = new CopyOnWriteArrayList<>();
    /** False once deactivated: listeners have been told that nothing is present any more. */
    private boolean open = true;

    @Reference(service = Device.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            updated = "updatedDevice")
    public void addDevice(Device device, Map<String, Object> properties) {
        synchronized (changes) {
            Object key = keyOf(device, properties);
            if (registrations.containsKey(key)) {
                return;
            }
            String id = idOf(device, properties);
            if (id == null) {
                return;
            }
            attach(new Registration(key, device, id, properties.get(Device.DEVICE_TYPE)));
            publish();
        }
    }

    /** The service's properties changed in place: a new {@code device.id} moves it to that id. */
    public void updatedDevice(Device device, Map<String, Object> properties) {
        synchronized (changes) {
            Registration was = registrations.get(keyOf(device, properties));
            if (was == null) {
                addDevice(device, properties);
                return;
            }
            String id = idOf(device, properties);
            if (id != null && id.equals(was.id())) {
                return;
            }
            detach(was);
            if (id != null) {
                LOG.info("device '{}' is now '{}'", SafeText.line(was.id()), SafeText.line(id));
                attach(new Registration(was.key(), device, id, properties.get(Device.DEVICE_TYPE)));
            }
            publish();
        }
    }

    public void removeDevice(Device device, Map<String, Object> properties) {
        synchronized (changes) {
            Registration r = registrations.get(keyOf(device, properties));
            if (r != null) {
                detach(r);
                publish();
            }
        }
    }

    @Reference(service = Listener.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(Listener listener) {
        synchronized (changes) {
            listeners.add(listener);
            if (open) {
                tell(listener, present);
            }
        }
    }

    /** Not under the lock: a listener going away (its bundle stopping) never waits for a notification to end. */
    void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** The directory leaving means no device is known any more: listeners hear so, then nothing. */
    @Deactivate
    void deactivate() {
        synchronized (changes) {
            open = false;
            present = NONE;
            for (Listener l : listeners) {
                tell(l, NONE);
            }
        }
    }

    /**
     * Calls {@code hook} with the id and the departing object whenever a device's owner registration leaves, after
     * {@link #get} stopped answering with it. SCR unbinds a device service before it deactivates the driver, so the
     * object still reaches the device here (and only here): what must be done to a device before it goes
     * (the safe state of actuators that running scripts commanded) is done in the hook.
     */
    void onLeaving(java.util.function.BiConsumer<String, Device> hook) {
        leaving.add(hook);
    }

    void removeLeaving(java.util.function.BiConsumer<String, Device> hook) {
        leaving.remove(hook);
    }

    private void attach(Registration r) {
        registrations.put(r.key(), r);
        ArrayDeque<Registration> queue = queues.computeIfAbsent(r.id(), k -> new ArrayDeque<>(1));
        queue.addLast(r);
        if (queue.size() == 1) {
            owners.put(r.id(), r.device());
            LOG.info("device '{}' ({}) available", SafeText.line(r.id()), SafeText.line(String.valueOf(r.type())));
        } else {
            LOG.warn("a second device with id '{}' ({}) is shadowed while the first is registered; it steps in when the first leaves",
                    SafeText.line(r.id()), SafeText.line(String.valueOf(r.type())));
        }
    }

    private void detach(Registration r) {
        registrations.remove(r.key());
        ArrayDeque<Registration> queue = queues.get(r.id());
        boolean owner = queue.peekFirst() == r;
        queue.remove(r);
        if (!owner) {
            return;
        }
        Registration next = queue.peekFirst();
        if (next == null) {
            queues.remove(r.id());
            owners.remove(r.id());
            LOG.info("device '{}' gone", SafeText.line(r.id()));
        } else {
            owners.put(r.id(), next.device());
            LOG.info("device '{}' left; the registration it shadowed ({}) serves the id now", SafeText.line(r.id()),
                    SafeText.line(String.valueOf(next.type())));
        }
        for (java.util.function.BiConsumer<String, Device> hook : leaving) {
            try {
                hook.accept(r.id(), r.device());
            } catch (RuntimeException e) {
                // the registration goes whatever a hook does
                LOG.error("handling the departure of device '{}' failed", SafeText.line(r.id()), e);
            }
        }
    }

    /** Tells the listeners if the set of ids changed (an owner stepping in behind a present id is no change). */
    private void publish() {
        if (!open || owners.size() == present.size() && present.containsAll(owners.keySet())) {
            return;
        }
        SortedSet<String> now = Collections.unmodifiableSortedSet(new TreeSet<>(owners.keySet()));
        present = now;
        for (Listener l : listeners) {
            tell(l, now);
        }
    }

    private static void tell(Listener listener, Set<String> now) {
        try {
            listener.devicesChanged(now);
        } catch (RuntimeException e) {
            // one broken listener must not keep the others (or the driver registering) from going on
            LOG.error("a device directory listener failed", e);
        }
    }

    /** SCR's service.id tells two registrations of one object apart; outside OSGi the object is the key. */
    private static Object keyOf(Device device, Map<String, Object> properties) {
        Object serviceId = properties.get(Constants.SERVICE_ID);
        return serviceId != null ? serviceId : device;
    }

    /** The id rule; {@code null} (with a warning) for a registration that has none. */
    private static String idOf(Device device, Map<String, Object> properties) {
        Object property = properties.get(Device.DEVICE_ID);
        String id = property instanceof String s ? s : property != null ? String.valueOf(property) : null;
        if (id == null || id.isEmpty()) {
            try {
                id = device.id();
            } catch (RuntimeException e) {
                LOG.warn("a device service whose id() failed is ignored", e);
                return null;
            }
        }
        if (id == null || id.isEmpty()) {
            LOG.warn("a device service without an id ({} property or Device.id()) is ignored", Device.DEVICE_ID);
            return null;
        }
        return id;
    }

    // ---- reading: never blocks ----

    @Override
    public Optional<Device> find(String id) {
        return Optional.ofNullable(get(id));
    }

    /** The device that owns this id, or {@code null}. */
    public Device get(String id) {
        return id == null ? null : owners.get(id);
    }

    @Override
    public SortedSet<String> ids() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(owners.keySet()));
    }

    /** Every present device, in id order. */
    public List<Device> all() {
        List<Device> all = new ArrayList<>();
        for (String id : ids()) {
            Device d = owners.get(id);
            if (d != null) {
                all.add(d);
            }
        }
        return all;
    }
}
