package org.scriptbox.api.engine;

import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link ScriptFunction} knows about the execution that calls it. Only valid during the call.
 */
@ProviderType
public interface ExecutionScope {
    String scriptName();

    String executionId();

    /** Permissions granted for this execution. */
    Set<String> permissions();

    Cancellation cancellation();

    /** Where the script's log lines go. */
    ScriptLog log();

    /** Records a call refused for lack of a permission; counted in the result and the script's stats. */
    void permissionDenied(String permission);

    /**
     * Blocks for up to {@code nanos}, ending early (with a cancellation error that the script cannot
     * catch) when the execution is cancelled or reaches its deadline.
     */
    void sleep(long nanos);
}
