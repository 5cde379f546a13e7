package org.scriptbox.engine.internal;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.luaj.vm2.Prototype;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.engine.compiler.AsmChunk;
import org.scriptbox.engine.compiler.AsmCompiler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the JVM classes of scripts with the engine's own compiler (org.scriptbox.engine.compiler), within
 * the caller or on one low-priority background thread per engine. A function the compiler does not handle
 * (one too big for a JVM method, ...) keeps running interpreted, the rest of its script compiled.
 */
final class JvmCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(JvmCompiler.class);
    /** Scripts waiting for their classes; more are dropped (they stay interpreted, and may be asked again). */
    private static final int QUEUE_CAPACITY = 1000;

    private ExecutorService thread;

    /**
     * The classes of chunk {@code p} now: a function the compiler does not handle stays interpreted, the rest
     * of the chunk runs compiled; null when nothing could be compiled. Strict (tests): every function must
     * compile, else a ScriptException.
     */
    JvmChunk build(String chunkName, Prototype p, boolean strict) {
        AsmChunk chunk;
        try {
            chunk = AsmCompiler.compile(p, chunkName, JvmCompiler.class.getClassLoader());
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            if (strict) {
                throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "cannot compile it to JVM classes",
                        chunkName, 0, 0), e);
            }
            LOG.info("script {} runs interpreted: the compiler failed (details at DEBUG)", chunkName);
            LOG.debug("compiling {} failed", chunkName, e);
            return null;
        }
        List<String> interpreted = chunk.interpretedFunctions();
        if (!interpreted.isEmpty()) {
            if (strict) {
                throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "functions that stay interpreted: "
                        + String.join("; ", interpreted), chunkName, 0, 0));
            }
            LOG.info("script {}: {} function(s) stay interpreted: {}", chunkName, interpreted.size(),
                    String.join("; ", interpreted));
        }
        return chunk.runsCompiled() ? chunk::instantiate : null;
    }

    /** Builds the classes of {@code script} on the background thread; executions switch to them when ready. */
    void buildLater(LuaCompiledScript script) {
        try {
            background().execute(() -> {
                long t0 = System.nanoTime();
                JvmChunk classes = build(script.chunkName(), script.prototype(), false);
                script.compiledLater(classes);
                if (classes != null) {
                    LOG.info("script {} now runs as JVM classes (built in {} ms)", script.chunkName(),
                            (System.nanoTime() - t0) / 1_000_000);
                }
            });
        } catch (RejectedExecutionException e) {
            script.jvmBuildDropped();
            LOG.debug("{} stays interpreted for now: {}", script.chunkName(), e.toString());
        }
    }

    private synchronized ExecutorService background() {
        if (thread == null) {
            thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE_CAPACITY),
                    r -> {
                        Thread t = new Thread(r, "scriptbox-compiler");
                        t.setDaemon(true);
                        t.setPriority(Thread.MIN_PRIORITY);
                        return t;
                    });
        }
        return thread;
    }

    /** Stops the background thread; scripts without classes yet stay interpreted. */
    synchronized void stop() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }
}
