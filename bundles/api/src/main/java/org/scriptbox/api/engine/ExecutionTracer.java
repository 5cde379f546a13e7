package org.scriptbox.api.engine;

import org.osgi.annotation.versioning.ConsumerType;
import org.scriptbox.api.ErrorKind;

/**
 * Told by the engine what one execution does at its host boundary, for the run's trace. The engine calls it
 * at the one place where a script reaches a host function ({@link ScriptFunction} of any
 * {@link ScriptLibrary}), so every driver and library is covered without doing anything itself. Called on
 * the execution's threads (its own and its coroutines', one at a time); it must be quick and bounded, and
 * what it throws is ignored. The arguments and results are the converted Java values the function saw and
 * returned: valid only during the call, so a tracer renders what it keeps at once.
 *
 * @since 1.3
 */
@ConsumerType
public interface ExecutionTracer {
    /** Records nothing. */
    ExecutionTracer NONE = new ExecutionTracer() {
    };

    /**
     * A host function returned or failed.
     *
     * @param function   the global's name ({@code device_read})
     * @param args       the converted arguments
     * @param result     what it returned (an {@code Object[]} for several values); {@code null} when it failed
     * @param errorKind  why it failed, or {@code null} when it returned
     * @param error      the message the script saw, or {@code null} when it returned
     * @param startNanos {@link System#nanoTime()} when it was called
     * @param endNanos   {@link System#nanoTime()} when it ended
     */
    default void hostCall(String function, Object[] args, Object result, ErrorKind errorKind, String error,
                          long startNanos, long endNanos) {
    }

    /** A host function refused a call for lack of {@code permission} ({@link ExecutionScope#permissionDenied}). */
    default void permissionDenied(String permission) {
    }
}
