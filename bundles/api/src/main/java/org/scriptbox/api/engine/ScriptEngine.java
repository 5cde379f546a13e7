package org.scriptbox.api.engine;

import org.osgi.annotation.versioning.ProviderType;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptException;

/**
 * The sandboxed Lua engine. Compile once, run many times: each run gets fresh restricted globals, so
 * nothing one execution writes is seen by another.
 */
@ProviderType
public interface ScriptEngine {

    /** Version of the engine, compared with a script's {@code min_engine_version}. */
    String version();

    /**
     * Compiles Lua source into a reusable, thread-safe script.
     *
     * @param chunkName the name errors and tracebacks show, normally the file name ({@code blink.lua})
     * @throws ScriptException COMPILATION, with line, column and the offending token
     */
    CompiledScript compile(String chunkName, String source);

    /**
     * Runs a compiled script on the calling thread until it ends, times out, breaks a limit or is
     * cancelled through {@link ExecutionRequest#cancellation()}. Never throws for script problems:
     * they come back as the result's status and error.
     */
    ExecutionResult execute(CompiledScript script, ExecutionRequest request);
}
