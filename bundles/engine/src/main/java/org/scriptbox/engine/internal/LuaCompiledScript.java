package org.scriptbox.engine.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.luaj.vm2.Prototype;
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
    private volatile JvmChunk compiled;
    /** Lua instructions its interpreted executions have run (adaptive mode: when to build its classes). */
    private final AtomicLong interpreted = new AtomicLong();
    /** Its classes have been asked for (once). */
    private final AtomicBoolean jvmBuildAsked = new AtomicBoolean();

    LuaCompiledScript(String chunkName, Prototype prototype, Duration compileTime, long retainedBytes,
            JvmChunk compiled) {
        this.chunkName = chunkName;
        this.prototype = prototype;
        this.compileTime = compileTime;
        this.retainedBytes = retainedBytes;
        this.compiled = compiled;
    }

    @Override
    public boolean runsAsJvmBytecode() {
        return compiled != null;
    }

    /** The JVM classes of the chunk, or null when it runs interpreted (so far). */
    JvmChunk compiled() {
        return compiled;
    }

    /** The JVM classes built in the background are ready: executions that start from now on use them. */
    void compiledLater(JvmChunk classes) {
        this.compiled = classes;
    }

    /**
     * Counts the instructions of an interpreted execution; true exactly once, for the execution that takes
     * the total to {@code threshold}: the caller then asks for the script's classes.
     */
    boolean hotAfter(long instructions, long threshold) {
        return interpreted.addAndGet(instructions) >= threshold && jvmBuildAsked.compareAndSet(false, true);
    }

    /** Asks for the classes once, whatever the count; false if they were asked for already. */
    boolean askJvmBuild() {
        return jvmBuildAsked.compareAndSet(false, true);
    }

    boolean jvmBuildAsked() {
        return jvmBuildAsked.get();
    }

    /** The background build was refused (queue full, engine stopping): a later execution may ask again. */
    void jvmBuildDropped() {
        jvmBuildAsked.set(false);
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
