package org.scriptbox.api.engine;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/** A compiled Lua chunk, made by {@link ScriptEngine#compile}; opaque and safe to share between threads. */
@ProviderType
public interface CompiledScript {
    String chunkName();

    /** How long compiling took. */
    Duration compileTime();

    /** Approximate bytes the compiled form keeps alive. */
    long retainedBytes();

    /**
     * Whether executions that start now run as JVM bytecode rather than on the engine's interpreter (an
     * engine may compile a busy script further while it is in use; the same limits hold either way).
     *
     * @since 1.1
     */
    default boolean runsAsJvmBytecode() {
        return false;
    }
}
