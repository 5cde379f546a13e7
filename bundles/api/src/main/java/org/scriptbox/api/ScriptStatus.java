package org.scriptbox.api;

/**
 * Lifecycle status of a deployed script. The first eight are the seed design's; {@link #UNRESOLVED}
 * is what hot deploy adds: the script compiled but waits for a dependency, driver or permission.
 */
public enum ScriptStatus {
    /** Source and metadata read, not compiled yet. */
    LOADED,
    /** Compiled and ready to run. */
    COMPILED,
    /** The source did not compile; {@link ScriptInfo#lastError()} says where. */
    COMPILATION_ERROR,
    /** At least one execution is in progress. */
    RUNNING,
    /** The last execution ended normally. */
    COMPLETED,
    /** The last execution raised an error or broke a resource limit. */
    FAILED,
    /** The last execution ran past its wall-clock limit. */
    TIMEOUT,
    /** The last execution was cancelled (shell, undeploy, shutdown). */
    CANCELLED,
    /** Compiled, but waits until its dependencies, drivers or permissions are present. */
    UNRESOLVED,
    /** Deployed, but the operator disabled it (script:disable): it does not run until enabled (since 1.5). */
    DISABLED;

    /** True for the statuses an execution ends in. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == TIMEOUT || this == CANCELLED;
    }
}
