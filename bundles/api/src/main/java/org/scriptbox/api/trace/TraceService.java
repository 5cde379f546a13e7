package org.scriptbox.api.trace;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The traces of the last runs of each script (how many: the manager's {@code trace.runs}, default 20), kept
 * across restarts. Registered by the script manager.
 */
@ProviderType
public interface TraceService {
    /** The kept runs of {@code scriptName}, newest first; empty for an unknown script or one that never ran. */
    List<RunTrace> runs(String scriptName);

    /**
     * One kept run of {@code scriptName}.
     *
     * @param id the run's number ({@link RunTrace#run()}, as text) or its execution id
     */
    Optional<RunTrace> run(String scriptName, String id);
}
