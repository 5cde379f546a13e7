package org.scriptbox.engine.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.luajc.CompiledChunk;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.api.engine.CompiledScript;
import org.scriptbox.api.engine.ExecutionEnd;
import org.scriptbox.api.engine.ExecutionRequest;
import org.scriptbox.api.engine.ExecutionScope;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.engine.ScriptLog;

/**
 * One run of a compiled script: its own globals, budget and coroutines, created here and dropped at
 * the end. It is also the {@link ExecutionScope} that host functions see.
 */
final class Execution implements ExecutionScope {
    /** The execution whose Lua code runs on this thread (the caller's thread, or a coroutine thread). */
    static final ThreadLocal<Execution> CURRENT = new ThreadLocal<>();
    /** How long the end of an execution waits for its coroutine threads to unwind. */
    private static final long COROUTINE_END_WAIT_MS = 1000;

    private final ExecutionRequest request;
    private final ResourceLimits limits;
    private final ScriptCompiler compiler;
    private final Globals globals;
    private final Budget budget;
    private final Coroutines coroutines;
    private final long startNanos;
    private final Map<String, LuaValue> modules = new HashMap<>();
    private final Set<String> loading = new HashSet<>();
    private int permissionDenials;
    private final EndListeners endListeners = new EndListeners();

    Execution(ExecutionRequest request, ScriptCompiler compiler, Map<String, LibraryEntry> functions) {
        this.request = request;
        this.limits = request.limits();
        this.compiler = compiler;
        this.startNanos = System.nanoTime();
        this.globals = new Globals();
        long deadline = startNanos + limits.maxExecutionTime().toNanos();
        this.budget = new Budget(globals, limits, request.cancellation(), deadline, AllocationMeter.INSTANCE);
        this.coroutines = new Coroutines(this, globals, limits.maxCoroutines());
        Globals g = globals;
        ScriptGlobals.install(g, this);
        g.set("coroutine", coroutines.library());
        for (Map.Entry<String, LibraryEntry> e : functions.entrySet()) {
            g.set(e.getKey(), new HostFunction(e.getValue().library, e.getKey(), e.getValue().function, this));
        }
        // Installed last: from here on every instruction of this globals' closures is counted.
        g.debuglib = budget;
    }

    /** A host function and the library that offers it. */
    static final class LibraryEntry {
        final String library;
        final ScriptFunction function;

        LibraryEntry(String library, ScriptFunction function) {
            this.library = library;
            this.function = function;
        }
    }

    ExecutionResult run(LuaCompiledScript script) {
        Instant startedAt = Instant.now();
        AllocationMeter meter = AllocationMeter.INSTANCE;
        long cpu0 = meter.currentThreadCpuNanos();
        Execution previous = CURRENT.get();
        CURRENT.set(this);
        org.luaj.vm2.TableSizes.Guard previousGuard = org.luaj.vm2.TableSizes.GUARD.get();
        org.luaj.vm2.TableSizes.GUARD.set(budget);
        Budget.Frames mainFrames = budget.frames();
        budget.resumeFrame(mainFrames);
        ScriptStatus status;
        List<Object> values = List.of();
        ScriptError error = null;
        try {
            Varargs out = mainFunction(script).invoke(LuaValues.argsToLua(request.args()));
            LimitBreach swallowed = budget.breach();
            if (swallowed != null) {
                throw swallowed; // tripped inside a coroutine, whose resume returned false
            }
            values = LuaValues.resultsToJava(out);
            status = ScriptStatus.COMPLETED;
        } catch (LimitBreach b) {
            budget.placeOutsideFrames(b);
            error = breachError(b);
            status = statusOf(b.kind());
        } catch (LuaError e) {
            LimitBreach b = budget.breach();
            if (b != null) {
                budget.placeOutsideFrames(b);
                error = breachError(b);
                status = statusOf(b.kind());
            } else {
                error = ErrorMessages.runtimeError(e, e instanceof HostError ? ((HostError) e).kind() : ErrorKind.RUNTIME);
                status = ScriptStatus.FAILED;
            }
        } catch (StackOverflowError e) {
            error = ScriptError.of(ErrorKind.LIMIT, "call depth limit exceeded (Java stack overflow)");
            status = ScriptStatus.FAILED;
        } catch (OutOfMemoryError e) {
            // One allocation larger than the JVM could give (the memory limit is checked between
            // allocations): the failed allocation left nothing behind, so end this run, not the JVM.
            error = ScriptError.of(ErrorKind.LIMIT, "memory limit exceeded (the JVM could not allocate)");
            status = ScriptStatus.FAILED;
        } finally {
            coroutines.endAll(COROUTINE_END_WAIT_MS);
            budget.addAllocated(meter.currentThreadAllocatedBytes() - mainFrames.allocMark);
            mainFrames.allocMark = meter.currentThreadAllocatedBytes();
            org.luaj.vm2.TableSizes.GUARD.set(previousGuard);
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
        long cpu = meter.currentThreadCpuNanos() - cpu0 + coroutines.cpuNanos();
        return ended(new ExecutionResult(request.scriptName(), request.executionId(), status, values, error, startedAt,
                Duration.ofNanos(System.nanoTime() - startNanos), budget.instructions(), budget.allocatedBytes(),
                Duration.ofNanos(cpu), permissionDenials));
    }

    /** Tells the {@link #onEnd} listeners how the execution ended (once, whichever path ends it). */
    ExecutionResult ended(ExecutionResult result) {
        endListeners.fire(EndListeners.endOf(result));
        return result;
    }

    private static ScriptError breachError(LimitBreach b) {
        return new ScriptError(b.kind(), b.getMessage(), b.file(), b.line(), 0,
                b.traceback() == null || b.traceback().isEmpty() ? null : "stack traceback:" + b.traceback());
    }

    private static ScriptStatus statusOf(ErrorKind kind) {
        switch (kind) {
            case TIMEOUT:
                return ScriptStatus.TIMEOUT;
            case CANCELLED:
                return ScriptStatus.CANCELLED;
            default:
                return ScriptStatus.FAILED;
        }
    }

    /**
     * The script's main chunk over this execution's globals, metered by its budget: the compiled classes'
     * instance when the script was compiled to JVM bytecode, else an interpreter closure.
     */
    LuaFunction mainFunction(LuaCompiledScript script) {
        CompiledChunk compiled = script.compiled();
        return compiled != null ? compiled.instantiate(globals, budget) : closure(script.prototype());
    }

    /** A closure of {@code p} over this execution's globals, so its instructions are counted. */
    LuaClosure closure(Prototype p) {
        return new LuaClosure(p, globals);
    }

    Budget budget() {
        return budget;
    }

    Globals globals() {
        return globals;
    }

    ScriptCompiler compiler() {
        return compiler;
    }

    ResourceLimits limits() {
        return limits;
    }

    /** {@code require(name)}: the resolved module's chunk runs once per execution; its result is cached. */
    LuaValue require(String name) {
        LuaValue cached = modules.get(name);
        if (cached != null) {
            return cached;
        }
        if (!loading.add(name)) {
            throw new LuaError("loop in require: module '" + name + "' is still loading");
        }
        try {
            Optional<CompiledScript> found;
            try {
                found = request.modules().resolve(name);
            } catch (RuntimeException e) {
                throw new LuaError("module '" + name + "' cannot be resolved: " + e.getMessage());
            }
            if (found.isEmpty()) {
                throw new LuaError("module '" + name + "' not found");
            }
            if (!(found.get() instanceof LuaCompiledScript)) {
                throw new LuaError("module '" + name + "' was not compiled by this engine");
            }
            LuaValue result = mainFunction((LuaCompiledScript) found.get()).call(LuaValue.valueOf(name));
            if (result.isnil()) {
                result = LuaValue.TRUE;
            }
            modules.put(name, result);
            return result;
        } finally {
            loading.remove(name);
        }
    }

    // ---- ExecutionScope -------------------------------------------------------------------------

    @Override
    public String scriptName() {
        return request.scriptName();
    }

    @Override
    public String executionId() {
        return request.executionId();
    }

    @Override
    public Set<String> permissions() {
        return request.permissions();
    }

    @Override
    public Cancellation cancellation() {
        return request.cancellation();
    }

    @Override
    public ScriptLog log() {
        return request.log();
    }

    @Override
    public void permissionDenied(String permission) {
        permissionDenials++;
    }

    @Override
    public void onEnd(Consumer<ExecutionEnd> listener) {
        endListeners.add(listener);
    }

    @Override
    public void sleep(long nanos) {
        long deadline = startNanos + limits.maxExecutionTime().toNanos();
        long wait = Math.min(Math.max(0, nanos), deadline - System.nanoTime());
        boolean cancelled;
        try {
            cancelled = request.cancellation().await(Math.max(0, wait));
        } catch (InterruptedException e) {
            // Our coroutine thread is being ended, or the caller's thread is shutting down.
            Thread.currentThread().interrupt();
            cancelled = true;
        }
        if (cancelled || request.cancellation().isCancelled()) {
            budget.trip(ErrorKind.CANCELLED, "cancelled: " + request.cancellation().reason());
        }
        if (System.nanoTime() - deadline >= 0) {
            budget.trip(ErrorKind.TIMEOUT, "execution time limit of " + limits.maxExecutionTime().toMillis()
                    + " ms exceeded");
        }
    }
}
