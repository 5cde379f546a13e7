package org.scriptbox.engine.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.luaj.vm2.Prototype;
import org.luaj.vm2.luajc.CompiledChunk;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine service: compiles Lua once, runs it many times in fresh sandboxes ({@link Execution}),
 * and installs the functions of every {@link ScriptLibrary} service as globals (whiteboard).
 */
@Component(service = ScriptEngine.class)
@Designate(ocd = LuaScriptEngine.Config.class)
public final class LuaScriptEngine implements ScriptEngine {
    static final String VERSION = "1.0.0";
    private static final Logger LOG = LoggerFactory.getLogger(LuaScriptEngine.class);
    /** Globals a library may not replace: the sandbox's own functions and tables. */
    private static final Set<String> RESERVED = Set.of("assert", "error", "getmetatable", "ipairs", "next",
            "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable",
            "tonumber", "tostring", "type", "xpcall", "load", "require", "collectgarbage", "_G", "_VERSION",
            "string", "table", "math", "os", "coroutine");

    @ObjectClassDefinition(name = "scriptbox Lua engine")
    public @interface Config {
        @AttributeDefinition(description = "Largest Lua source the engine compiles, in bytes (bounds compile time and memory).")
        int max_source_bytes() default 1024 * 1024;
    }

    /**
     * System property selecting how scripts run: {@code interpreted} (the default: the metered interpreter
     * loop) or {@code compiled} (each script compiled once to JVM classes by Luaj's LuaJC with the same
     * budget woven in, on a background thread: {@code compile} returns at the interpreter's speed and
     * executions run interpreted until the classes are ready; a script LuaJC cannot compile stays
     * interpreted). {@code compiled-strict}, for tests: compiled within {@code compile}, and a script LuaJC
     * cannot compile is a compile error instead.
     */
    public static final String COMPILE_PROPERTY = "scriptbox.engine.compile";

    private final ScriptCompiler compiler;
    /** Compiled mode (LuaJC) instead of the interpreter. */
    private final boolean compiledMode;
    /** In compiled mode, no fallback to the interpreter (tests prove that every script compiles). */
    private final boolean strict;
    /** In compiled mode, JVM classes are built by {@link #jvmCompiler} after {@code compile} returned. */
    private final boolean background;
    private ExecutorService jvmCompiler;
    private final List<ScriptLibrary> libraries = new CopyOnWriteArrayList<>();
    private volatile Map<String, Execution.LibraryEntry> functions = Map.of();

    @Activate
    public LuaScriptEngine(Config config) {
        this(config.max_source_bytes());
    }

    /** For tests and the benchmark harness: an engine outside OSGi. */
    public LuaScriptEngine(int maxSourceBytes) {
        this(maxSourceBytes, System.getProperty(COMPILE_PROPERTY, "interpreted").startsWith("compiled"),
                "compiled-strict".equals(System.getProperty(COMPILE_PROPERTY)),
                "compiled".equals(System.getProperty(COMPILE_PROPERTY)));
    }

    /**
     * For tests and the benchmark harness: an engine outside OSGi, in the given mode; in compiled mode the
     * JVM classes are built within {@code compile}.
     */
    public LuaScriptEngine(int maxSourceBytes, boolean compiledMode) {
        this(maxSourceBytes, compiledMode, false, false);
    }

    LuaScriptEngine(int maxSourceBytes, boolean compiledMode, boolean strict, boolean background) {
        this.compiledMode = compiledMode;
        this.strict = strict;
        this.background = background;
        this.compiler = new ScriptCompiler(maxSourceBytes);
        Sandbox.STRING.length(); // sets up the shared, read-only string metatable now, not in the first execution
    }

    public LuaScriptEngine() {
        this(1024 * 1024);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addLibrary(ScriptLibrary library) {
        libraries.add(library);
        rebuildFunctions();
    }

    public void removeLibrary(ScriptLibrary library) {
        libraries.remove(library);
        rebuildFunctions();
    }

    private synchronized void rebuildFunctions() {
        Map<String, Execution.LibraryEntry> all = new LinkedHashMap<>();
        for (ScriptLibrary library : libraries) {
            Map<String, ScriptFunction> offered;
            try {
                offered = library.functions();
            } catch (RuntimeException e) {
                LOG.warn("script library '{}' failed to list its functions; skipped", safeName(library), e);
                continue;
            }
            for (Map.Entry<String, ScriptFunction> f : offered.entrySet()) {
                String name = f.getKey();
                if (RESERVED.contains(name) || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    LOG.warn("script library '{}' offers function '{}', which is reserved or not a Lua name; skipped",
                            safeName(library), name);
                } else if (all.containsKey(name)) {
                    LOG.warn("script library '{}' offers function '{}', already offered by '{}'; skipped",
                            safeName(library), name, all.get(name).library);
                } else {
                    all.put(name, new Execution.LibraryEntry(safeName(library), f.getValue()));
                }
            }
        }
        functions = Collections.unmodifiableMap(all);
    }

    private static String safeName(ScriptLibrary library) {
        try {
            return library.name();
        } catch (RuntimeException e) {
            return library.getClass().getName();
        }
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public CompiledScript compile(String chunkName, String source) {
        long t0 = System.nanoTime();
        LuaCompiledScript compiled = compiler.compile(chunkName, source);
        Prototype p = compiled.prototype();
        CompiledChunk classes = compiledMode && !background ? toJvmClasses(chunkName, p) : null;
        LuaCompiledScript script = new LuaCompiledScript(chunkName, p, Duration.ofNanos(System.nanoTime() - t0),
                PrototypeSize.estimate(p), classes);
        if (compiledMode && background) {
            compileInBackground(script);
        }
        return script;
    }

    /** Builds the script's JVM classes on the engine's compiler thread; until then it runs interpreted. */
    private void compileInBackground(LuaCompiledScript script) {
        try {
            jvmCompiler().execute(() -> script.compiledLater(toJvmClasses(script.chunkName(), script.prototype())));
        } catch (RejectedExecutionException e) {
            LOG.debug("engine stopping: {} stays interpreted", script.chunkName());
        }
    }

    private synchronized ExecutorService jvmCompiler() {
        if (jvmCompiler == null) {
            jvmCompiler = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "scriptbox-luajc");
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });
        }
        return jvmCompiler;
    }

    /** Stops the background compiler thread (scripts not compiled yet stay interpreted). */
    @Deactivate
    public synchronized void deactivate() {
        if (jvmCompiler != null) {
            jvmCompiler.shutdownNow();
        }
    }

    /** The chunk as JVM classes, or null (with a log line) when LuaJC cannot compile it: it runs interpreted. */
    private CompiledChunk toJvmClasses(String chunkName, Prototype p) {
        try {
            return CompiledChunk.compile(p, chunkName, LuaScriptEngine.class.getClassLoader());
        } catch (Exception | LinkageError | StackOverflowError e) {
            if (strict) {
                throw new ScriptException(ScriptError.at(ErrorKind.COMPILATION, "LuaJC cannot compile it: " + e,
                        chunkName, 0, 0), e);
            }
            LOG.info("script {} runs interpreted: LuaJC cannot compile it ({})", chunkName, e.toString());
            return null;
        }
    }

    @Override
    public ExecutionResult execute(CompiledScript script, ExecutionRequest request) {
        if (!(script instanceof LuaCompiledScript)) {
            return refused(request, "script was not compiled by this engine");
        }
        try {
            return new Execution(request, compiler, functions).run((LuaCompiledScript) script);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("engine failure running {}", request.scriptName(), e);
            return refused(request, "engine failure: " + e);
        }
    }

    private static ExecutionResult refused(ExecutionRequest request, String message) {
        return new ExecutionResult(request.scriptName(), request.executionId(), ScriptStatus.FAILED, List.of(),
                ScriptError.of(ErrorKind.RUNTIME, message), java.time.Instant.now(), Duration.ZERO, 0, 0,
                Duration.ZERO, 0);
    }
}
