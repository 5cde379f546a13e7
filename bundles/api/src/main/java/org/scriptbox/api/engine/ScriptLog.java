package org.scriptbox.api.engine;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives what a script prints or logs. */
@ConsumerType
@FunctionalInterface
public interface ScriptLog {
    ScriptLog DISCARD = (level, message) -> { };

    /** @param level INFO, WARN or ERROR */
    void log(String level, String message);
}
