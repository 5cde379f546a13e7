package org.scriptbox.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register a service of this type to hear every log line a script writes (after the log quota,
 * already made safe) and every finished execution, e.g. to stream them to operators (the REST API's
 * Server-Sent Events). Called on the writing or executing thread: hand the value on and return, never block.
 * A listener that throws is logged once and skipped (since 1.6).
 */
@ConsumerType
public interface ScriptActivityListener {
    /** A line a script wrote, or the container wrote about it. */
    default void logged(ScriptLogEntry entry) {
    }

    /** An execution ended, whatever its status. */
    default void executionFinished(ExecutionResult result) {
    }
}
