package org.scriptbox.engine.internal;

import java.time.Duration;

import org.luaj.vm2.Prototype;
import org.luaj.vm2.luajc.CompiledChunk;
import org.scriptbox.api.engine.CompiledScript;

/**
 * A compiled chunk. A Luaj {@link Prototype} is never modified by running it, so one instance is
 * shared by all executions and threads; each execution wraps it in a closure over its own globals.
 */
final class LuaCompiledScript implements CompiledScript {
    private final String chunkName;
    private final Prototype prototype;
    private final Duration compileTime;
    private final long retainedBytes;
    /** The chunk as JVM classes (compiled mode), or null: executions run the interpreter. */
    private volatile CompiledChunk compiled;

    LuaCompiledScript(String chunkName, Prototype prototype, Duration compileTime, long retainedBytes) {
        this(chunkName, prototype, compileTime, retainedBytes, null);
    }

    LuaCompiledScript(String chunkName, Prototype prototype, Duration compileTime, long retainedBytes,
            CompiledChunk compiled) {
        this.chunkName = chunkName;
        this.prototype = prototype;
        this.compileTime = compileTime;
        this.retainedBytes = retainedBytes;
        this.compiled = compiled;
    }

    /** The JVM classes of the chunk, or null when it runs interpreted (so far). */
    CompiledChunk compiled() {
        return compiled;
    }

    /** The JVM classes built in the background are ready: executions that start from now on use them. */
    void compiledLater(CompiledChunk classes) {
        this.compiled = classes;
    }

    @Override
    public String chunkName() {
        return chunkName;
    }

    @Override
    public Duration compileTime() {
        return compileTime;
    }

    @Override
    public long retainedBytes() {
        return retainedBytes;
    }

    Prototype prototype() {
        return prototype;
    }

    @Override
    public String toString() {
        return "CompiledScript[" + chunkName + "]";
    }
}
