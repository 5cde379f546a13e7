package org.scriptbox.api.engine;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: register a service of this type and the engine installs its functions as globals in
 * every execution (the devices bundle offers {@code device_set_motor_speed} and friends this way).
 * Functions are looked up once per library registration, so return a stable map.
 */
@ConsumerType
public interface ScriptLibrary {
    /** A short name for messages, e.g. {@code devices}. */
    String name();

    /** Global name → function. */
    Map<String, ScriptFunction> functions();
}
