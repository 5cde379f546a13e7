package org.scriptbox.engine.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.luaj.vm2.Prototype;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ScriptEngine;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLibrary;
import org.scriptbox.api.config.ConfigReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine service: compiles Lua once, runs it many times in fresh sandboxes ({@link Execution}),
 * and installs the functions of every {@link ScriptLibrary} service as globals (whiteboard).
 */
@Component(service = ScriptEngine.class, configurationPid = LuaScriptEngine.PID)
@Designate(ocd = LuaScriptEngine.Config.class)
public final class LuaScriptEngine implements ScriptEngine {
    static final String VERSION = "1.0.0";
    static final String PID = "org.scriptbox.engine";
    private static final Logger LOG = LoggerFactory.getLogger(LuaScriptEngine.class);
    /** Globals a library may not replace: the sandbox's own functions and tables. */
    private static final Set<String> RESERVED = Set.of("assert", "error", "getmetatable", "ipairs", "next",
            "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "select", "setmetatable",
            "tonumber", "tostring", "type", "xpcall", "load", "require", "collectgarbage", "_G", "_VERSION",
            "string", "table", "math", "os", "coroutine", "on_stop");

    @ObjectClassDefinition(name = "scriptbox Lua engine")
    public @interface Config {
        @AttributeDefinition(description = "Largest Lua source the engine compiles, in bytes (bounds compile time and memory).")
        int max_source_bytes() default 1024 * 1024;

        @AttributeDefinition(description = "How scripts run: adaptive (interpreted until a script's executions"
                + " have run compile.after.instructions Lua instructions, then as JVM classes built by the engine's"
                + " compiler in the background); interpreted (always the interpreter); asm (classes built at deploy"
                + " for every script). The same results, instruction counts and limits in every mode.")
        String compile() default "adaptive";

        @AttributeDefinition(description = "In adaptive mode, the Lua instructions (over all its executions) after"
                + " which a script's JVM classes are built.")
        long compile_after_instructions() default DEFAULT_COMPILE_AFTER;

        @AttributeDefinition(description = "Lua instructions a script's on_stop hook may run after an abnormal end.")
        long on_stop_instructions() default StopHookSettings.DEFAULT_INSTRUCTIONS;

        @AttributeDefinition(description = "Wall-clock time a script's on_stop hook may take, in ms.")
        long on_stop_time_ms() default StopHookSettings.DEFAULT_TIME_MS;

        @AttributeDefinition(description = "Host libraries (ScriptLibrary names) whose functions the on_stop hook"
                + " may call; every other host function is refused there.")
        String[] on_stop_libraries() default {"devices"};
    }

    /**
     * System property that overrides the configured mode (for tests and benchmarks): {@code interpreted},
     * {@code adaptive}, {@code asm} or {@code asm-strict} (see {@link CompileMode}).
     */
    public static final String COMPILE_PROPERTY = "scriptbox.engine.compile";
    /** ~10-30 ms of interpreted Lua: enough to tell a busy script from one that runs a few lines now and then. */
    static final long DEFAULT_COMPILE_AFTER = 1_000_000;

    private final ScriptCompiler compiler;
    private final JvmCompiler jvm = new JvmCompiler();
    private volatile CompileMode mode;
    /** The configured mode, before the override by the system property. */
    private volatile CompileMode configured = CompileMode.ADAPTIVE;
    private volatile long compileAfter;
    private volatile StopHookSettings stopHook = StopHookSettings.DEFAULTS;
    private final List<ScriptLibrary> libraries = new CopyOnWriteArrayList<>();
    private volatile Map<String, Execution.LibraryEntry> functions = Map.of();

    /** For the metatype only, {@link Config}: the raw properties are read by {@link #modified}, which refuses bad values. */
    @Activate
    public LuaScriptEngine(Map<String, Object> properties) {
        this(1024 * 1024, CompileMode.ADAPTIVE, DEFAULT_COMPILE_AFTER);
        modified(properties);
    }

    /** For tests and the benchmark harness: an engine outside OSGi, adaptive unless the system property says. */
    public LuaScriptEngine(int maxSourceBytes) {
        this(maxSourceBytes, modeOverride(CompileMode.ADAPTIVE), DEFAULT_COMPILE_AFTER);
    }

    /**
     * For tests and the benchmark harness: an engine outside OSGi, in the given mode ({@link CompileMode}
     * names); {@code compileAfter} applies to the adaptive mode.
     */
    public LuaScriptEngine(int maxSourceBytes, String mode, long compileAfter) {
        this(maxSourceBytes, CompileMode.parse(mode), compileAfter);
    }

    /** For tests: interpreted, or compiled within {@code compile}. */
    LuaScriptEngine(int maxSourceBytes, boolean compiled) {
        this(maxSourceBytes, compiled ? CompileMode.ASM : CompileMode.INTERPRETED, DEFAULT_COMPILE_AFTER);
    }

    private LuaScriptEngine(int maxSourceBytes, CompileMode mode, long compileAfter) {
        this.mode = mode;
        this.compileAfter = compileAfter;
        this.compiler = new ScriptCompiler(maxSourceBytes);
        Sandbox.STRING.length(); // sets up the shared, read-only string metatable now, not in the first execution
    }

    public LuaScriptEngine() {
        this(1024 * 1024);
    }

    /**
     * A new mode or threshold applies to compiles and executions from now on (scripts keep their classes). A bad
     * value is refused with one line and the current one kept. A new {@code max.source.bytes} applies to the next
     * compile (scripts already live keep running).
     */
    @Modified
    void modified(Map<String, Object> properties) {
        ConfigReader r = new ConfigReader(PID, properties);
        Object compile = properties.get("compile");
        if (compile != null) {
            try {
                configured = CompileMode.parse(String.valueOf(compile));
            } catch (IllegalArgumentException e) {
                r.refuse("compile", compile, "is not one of " + CompileMode.NAMES,
                        configured.id());
            }
        } else {
            configured = CompileMode.ADAPTIVE;
        }
        mode = modeOverride(configured);
        compiler.maxSourceBytes(r.intBetween("max.source.bytes", 1024, 64 * 1024 * 1024, 1024 * 1024,
                compiler.maxSourceBytes()));
        compileAfter = r.longBetween("compile.after.instructions", 0, Long.MAX_VALUE, DEFAULT_COMPILE_AFTER, compileAfter);
        StopHookSettings hook = stopHook;
        long instructions = r.longBetween("on.stop.instructions", 1, 1_000_000_000, StopHookSettings.DEFAULT_INSTRUCTIONS,
                hook.instructions());
        long timeMs = r.longBetween("on.stop.time.ms", 1, 60_000, StopHookSettings.DEFAULT_TIME_MS, hook.time().toMillis());
        Object libs = properties.get("on.stop.libraries");
        Set<String> libraries = libs == null ? StopHookSettings.DEFAULTS.libraries()
                : libraryNames(libs instanceof String[] a ? a : new String[] {String.valueOf(libs)});
        stopHook = new StopHookSettings(instructions, Duration.ofMillis(timeMs), libraries);
        r.refusals().forEach(LOG::error);
        LOG.info("Lua engine: {} mode{}", mode.id(), mode == CompileMode.ADAPTIVE
                ? ", classes built after " + compileAfter + " instructions" : "");
    }

    /** Library names from the configuration: a .cfg file gives one string, so entries are split at commas too. */
    static Set<String> libraryNames(String[] configured) {
        Set<String> names = new java.util.TreeSet<>();
        for (String entry : configured == null ? new String[0] : configured) {
            for (String name : entry.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.trim());
                }
            }
        }
        return names;
    }

    /** For tests: the on_stop hook's budget outside OSGi. */
    void stopHookSettings(StopHookSettings settings) {
        stopHook = settings;
    }

    private static CompileMode modeOverride(CompileMode configured) {
        String forced = System.getProperty(COMPILE_PROPERTY);
        return forced == null || forced.isBlank() ? configured : CompileMode.parse(forced);
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
        functions = entries(libraries);
    }

    /** The globals the libraries offer, name by name; a reserved, non-Lua or already offered name is skipped. */
    private static Map<String, Execution.LibraryEntry> entries(List<ScriptLibrary> libraries) {
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
        return Collections.unmodifiableMap(all);
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
        Prototype p = compiler.compilePrototype(chunkName, source);
        CompileMode m = mode;
        JvmChunk classes = m.buildsWithinCompile() ? jvm.build(chunkName, p, m == CompileMode.ASM_STRICT) : null;
        LuaCompiledScript script = new LuaCompiledScript(chunkName, p, Duration.ofNanos(System.nanoTime() - t0),
                PrototypeSize.estimate(p), classes);
        if (m.buildsWithinCompile()) {
            script.askJvmBuild();   // built or not, once is enough
        }
        return script;
    }

    /** Stops the background compiler thread (scripts not compiled yet stay interpreted). */
    @Deactivate
    public void deactivate() {
        jvm.stop();
    }

    @Override
    public ExecutionResult execute(CompiledScript script, ExecutionRequest request) {
        if (!(script instanceof LuaCompiledScript)) {
            return refused(request, "script was not compiled by this engine");
        }
        LuaCompiledScript lua = (LuaCompiledScript) script;
        Execution execution = null;
        try {
            boolean interpreted = lua.compiled() == null;
            // a request's own libraries replace the registered ones (a script test's mocks): none of those is installed
            Map<String, Execution.LibraryEntry> hostFunctions = request.libraries() == null ? functions
                    : entries(request.libraries());
            execution = new Execution(request, compiler, hostFunctions, stopHook);
            ExecutionResult result = execution.run(lua);
            if (interpreted && mode == CompileMode.ADAPTIVE && lua.hotAfter(result.instructions(), compileAfter)) {
                jvm.buildLater(lua);
            }
            return result;
        } catch (LinkageError e) {
            // Generated classes that do not fit together (a compiler bug the build-time link check missed, e.g. a
            // NoSuchFieldError when a closure is created): end this run, not the caller's thread, and run the
            // script interpreted from now on.
            lua.compiledLater(null);
            LOG.error("engine failure running {} compiled; it runs interpreted from now on", request.scriptName(), e);
            return endedByFailure(execution, refused(request, "engine failure (details in the container log)"));
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("engine failure running {}", request.scriptName(), e);
            return endedByFailure(execution, refused(request, "engine failure (details in the container log)"));
        }
    }

    /** End-of-execution listeners are told on this path too (a device may need its safe state). */
    private static ExecutionResult endedByFailure(Execution execution, ExecutionResult result) {
        return execution == null ? result : execution.ended(result);
    }

    private static ExecutionResult refused(ExecutionRequest request, String message) {
        return new ExecutionResult(request.scriptName(), request.executionId(), ScriptStatus.FAILED, List.of(),
                ScriptError.of(ErrorKind.RUNTIME, message), java.time.Instant.now(), Duration.ZERO, 0, 0,
                Duration.ZERO, 0);
    }
}
