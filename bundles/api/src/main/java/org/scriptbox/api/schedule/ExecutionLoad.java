package org.scriptbox.api.schedule;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How busy the script manager is right now. The manager registers it as a service so that the
 * {@link ResourceMonitor} can report executions in progress and waiting for a slot without depending on
 * the manager's implementation. Both calls must be cheap (read counters, no locks held long).
 */
@ProviderType
public interface ExecutionLoad {
    /** Executions running now. */
    int activeExecutions();

    /** Executions admitted to the bounded queue, waiting for a slot. */
    int queuedExecutions();
}
