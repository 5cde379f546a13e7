package org.scriptbox.api.engine;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Answers a script's {@code require("name")}: the compiled script of a deployed dependency. The engine
 * runs it inside the same execution (same sandbox, same budget) once, and returns what its chunk returns.
 */
@ConsumerType
@FunctionalInterface
public interface ModuleResolver {
    ModuleResolver NONE = name -> Optional.empty();

    Optional<CompiledScript> resolve(String moduleName);
}
