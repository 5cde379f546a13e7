package org.scriptbox.api.device;

import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The one place that tracks the {@link Device} services drivers register; everyone else (script
 * resolution, the device API for scripts, the shell) asks it instead of tracking devices on their own, so
 * they all agree on which ids are present.
 * <p>
 * One id rule: a registration's id is its {@link Device#DEVICE_ID} service property, or {@link Device#id()}
 * when the property is absent. The first registration of an id owns it; a second one of the same id is
 * shadowed (one WARN) and steps in when the first leaves, so the id stays present throughout. A change of
 * the property on a live registration moves it to its new id.
 */
@ProviderType
public interface DeviceDirectory {
    /** The device that owns this id now; empty if none does. Never blocks. */
    Optional<Device> find(String id);

    /** The ids present now, sorted (an immutable snapshot). */
    SortedSet<String> ids();

    /**
     * Whiteboard: register a Listener service to hear when the set of present ids changes. It is told the
     * current set when the directory binds it, then after every change, one call at a time in the order of
     * the changes. It is told only after the directory itself holds the change, so {@link #find} answers
     * for every id in {@code present} (until a later change). A change of owner behind a present id (a
     * shadowed registration stepping in) is no change of the set and is not told.
     */
    @ConsumerType
    interface Listener {
        /** @param present the ids present now (immutable) */
        void devicesChanged(Set<String> present);
    }
}
