package org.scriptbox.api.schedule;

import org.osgi.annotation.versioning.ProviderType;

/** Watches CPU, heap and executions; the manager asks it before admitting a new execution. */
@ProviderType
public interface ResourceMonitor {
    ResourceSnapshot snapshot();

    /** Whether a new execution may start now; false while the configured thresholds are exceeded. */
    boolean admitsNewExecution();
}
