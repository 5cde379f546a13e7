package org.scriptbox.api.engine;

import java.util.Set;
import java.util.function.Consumer;

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

    /**
     * Asks to be told when this execution has ended, e.g. to put the actuators it commanded into a safe
     * state after an abnormal end. The contract:
     * <ul>
     * <li>The engine calls {@code listener} exactly once, on every path (completed, runtime error, limit,
     *     timeout, cancel, undeploy, container stop), after the script's main chunk <em>and</em> its
     *     {@code on_stop} hook (if any) have ended and before the execution's result is handed on; on the
     *     thread that ran the execution. Listeners run in the order they were registered.</li>
     * <li>Registering the same listener object again during one execution has no effect, so a
     *     {@link ScriptFunction} can register one long-lived listener (a field, not a new lambda) on every
     *     call for the price of an identity check, and look its own per-execution state up by
     *     {@link ExecutionEnd#executionId()}.</li>
     * <li>A listener should be quick: it delays the execution's result. What it throws is logged by the
     *     engine and ignored; it never changes the execution's status. Nothing a listener does is charged
     *     to the script.</li>
     * <li>Registering after the execution has ended (a scope kept beyond its call) calls the listener at
     *     once, on the calling thread.</li>
     * </ul>
     *
     * @since 1.2
     */
    void onEnd(Consumer<ExecutionEnd> listener);
}
