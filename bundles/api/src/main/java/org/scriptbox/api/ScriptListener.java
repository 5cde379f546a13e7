package org.scriptbox.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register a service of this type to hear about script lifecycle changes. The scheduler
 * uses it to arm schedules on deploy and cancel them on undeploy. Called synchronously; do not block.
 */
@ConsumerType
public interface ScriptListener {
    void scriptChanged(ScriptEvent event);
}
