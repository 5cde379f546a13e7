package org.scriptbox.engine.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
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
import org.scriptbox.engine.vm.EngineGlobals;
import org.scriptbox.engine.vm.MeteredClosure;

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
    private final StopHookSettings stopHookSettings;
    private final StopHook stopHook = new StopHook();
    /** The run's cancel flag, deadline and limits, or (once) those of its on_stop hook. */
    private volatile Phase phase;

    Execution(ExecutionRequest request, ScriptCompiler compiler, Map<String, LibraryEntry> functions,
              StopHookSettings stopHookSettings) {
        this.request = request;
        this.limits = request.limits();
        this.compiler = compiler;
        this.stopHookSettings = stopHookSettings;
        this.startNanos = System.nanoTime();
        this.globals = new EngineGlobals();
        long deadline = startNanos + limits.maxExecutionTime().toNanos();
        this.phase = new Phase(request.cancellation(), deadline, limits, false);
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

    /** What holds for the Lua code running now: the main run's, or the on_stop hook's own. */
    private static final class Phase {
        final Cancellation cancellation;
        final long deadlineNanos;
        final ResourceLimits limits;
        final boolean stopHook;

        Phase(Cancellation cancellation, long deadlineNanos, ResourceLimits limits, boolean stopHook) {
            this.cancellation = cancellation;
            this.deadlineNanos = deadlineNanos;
            this.limits = limits;
            this.stopHook = stopHook;
        }
    }

    /** The function {@code on_stop} registered: replaced by a later {@code on_stop}, run at most once. */
    private static final class StopHook {
        private LuaValue function;
        private boolean used;

        synchronized void arm(LuaValue f) {
            if (used) {
                throw new LuaError("on_stop cannot be called from the on_stop hook");
            }
            function = f.isnil() ? null : f;
        }

        synchronized boolean armed() {
            return function != null && !used;
        }

        synchronized LuaValue disarm() {
            used = true;
            LuaValue f = function;
            function = null;
            return f;
        }
    }

    /** {@code on_stop(f)}: {@code f} runs once after an abnormal end; {@code nil} removes it. */
    void armStopHook(LuaValue f) {
        stopHook.arm(f);
    }

    /**
     * Before a host call: the budget is checked (a cancel, the deadline or a broken limit refuses the call,
     * uncatchably), and inside the on_stop hook only the allowed libraries are available.
     */
    void admitHostCall(String library, String name) {
        budget.check();
        if (phase.stopHook && !stopHookSettings.libraries().contains(library)) {
            throw new HostError(ErrorKind.PERMISSION, name + " is not available in on_stop (only the functions of "
                    + String.join(", ", new java.util.TreeSet<>(stopHookSettings.libraries())) + ")");
        }
    }

    /** After a host call, returned or thrown: a cancel that came meanwhile ends the run; its allocation is charged. */
    void hostCallEnded() {
        budget.check();
    }

    /** A new conversion's account, charged to this execution's memory limit (of the phase running now). */
    LuaValues.Charge charge(String what) {
        return new LuaValues.Charge(budget, phase.limits.maxMemoryBytes(), what);
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

    /** Seconds since this execution started (its {@code os.clock}). */
    double secondsRunning() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    ExecutionResult run(LuaCompiledScript script) {
        Instant startedAt = Instant.now();
        AllocationMeter meter = AllocationMeter.INSTANCE;
        long cpu0 = meter.currentThreadCpuNanos();
        Execution previous = CURRENT.get();
        CURRENT.set(this);
        org.scriptbox.engine.vm.TableSizes.Guard previousGuard = org.scriptbox.engine.vm.TableSizes.GUARD.get();
        org.scriptbox.engine.vm.TableSizes.GUARD.set(budget);
        Budget.Frames mainFrames = budget.frames();
        budget.resumeFrame(mainFrames);
        Outcome main;
        Outcome hook = null;
        long instructions;
        long allocated;
        try {
            main = guarded(() -> {
                Varargs out = mainFunction(script).invoke(LuaValues.argsToLua(request.args()));
                LimitBreach swallowed = budget.breach();
                if (swallowed != null) {
                    throw swallowed; // tripped inside a coroutine, whose resume returned false
                }
                budget.check(); // a cancel that came at the very end stops the conversion before it starts
                return LuaValues.resultsToJava(out, charge("the values the script returned"));
            }, mainFrames);
            instructions = budget.instructions();
            allocated = budget.allocatedBytes();
            if (main.status != ScriptStatus.COMPLETED && stopHook.armed()) {
                hook = runStopHook(EndListeners.reasonOf(main.status, main.error.kind()), mainFrames);
                instructions += budget.instructions();
                allocated += budget.allocatedBytes();
            }
        } finally {
            org.scriptbox.engine.vm.TableSizes.GUARD.set(previousGuard);
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
        long cpu = meter.currentThreadCpuNanos() - cpu0 + coroutines.cpuNanos();
        return ended(new ExecutionResult(request.scriptName(), request.executionId(), main.status, main.values,
                main.error, startedAt, Duration.ofNanos(System.nanoTime() - startNanos), instructions, allocated,
                Duration.ofNanos(cpu), permissionDenials, hook == null ? null : hook.error));
    }

    /** How one part of the execution (the main chunk, or the on_stop hook) ended. */
    private static final class Outcome {
        final ScriptStatus status;
        final List<Object> values;
        final ScriptError error;

        Outcome(ScriptStatus status, List<Object> values, ScriptError error) {
            this.status = status;
            this.values = values;
            this.error = error;
        }
    }

    /** Lua code whose end, however it comes, becomes an {@link Outcome}. */
    private interface LuaWork {
        List<Object> run();
    }

    /**
     * Runs {@code work} on this thread under the budget and turns every way it can end into an outcome;
     * then ends the coroutines it left and accounts what this thread allocated.
     */
    private Outcome guarded(LuaWork work, Budget.Frames frames) {
        AllocationMeter meter = AllocationMeter.INSTANCE;
        try {
            return new Outcome(ScriptStatus.COMPLETED, work.run(), null);
        } catch (LimitBreach b) {
            budget.placeOutsideFrames(b);
            return new Outcome(statusOf(b.kind()), List.of(), breachError(b));
        } catch (LuaError e) {
            LimitBreach b = budget.breach();
            if (b != null) {
                budget.placeOutsideFrames(b);
                return new Outcome(statusOf(b.kind()), List.of(), breachError(b));
            }
            budget.errorBeyondFrames(e);   // the main chunk's failed tail call: its position (errors package)
            return new Outcome(ScriptStatus.FAILED, List.of(),
                    ErrorMessages.runtimeError(e, e instanceof HostError ? ((HostError) e).kind() : ErrorKind.RUNTIME));
        } catch (StackOverflowError e) {
            return new Outcome(ScriptStatus.FAILED, List.of(),
                    ScriptError.of(ErrorKind.LIMIT, "call depth limit exceeded (Java stack overflow)"));
        } catch (OutOfMemoryError e) {
            // One allocation larger than the JVM could give (the memory limit is checked between
            // allocations): the failed allocation left nothing behind, so end this run, not the JVM.
            return new Outcome(ScriptStatus.FAILED, List.of(),
                    ScriptError.of(ErrorKind.LIMIT, "memory limit exceeded (the JVM could not allocate)"));
        } finally {
            coroutines.endAll(COROUTINE_END_WAIT_MS);
            budget.addAllocated(meter.currentThreadAllocatedBytes() - frames.allocMark);
            frames.allocMark = meter.currentThreadAllocatedBytes();
        }
    }

    /**
     * The script's on_stop hook, once, after an abnormal end: under a budget of its own (instructions,
     * time, a fresh memory count; a cancel flag of its own that the run's cancel does not raise), with only
     * the libraries {@link StopHookSettings#libraries} allows. Its failure is logged and returned, never
     * the run's status.
     */
    private Outcome runStopHook(String reason, Budget.Frames frames) {
        LuaValue hook = stopHook.disarm();
        StopHookSettings settings = stopHookSettings;
        Cancellation own = new Cancellation();
        long deadline = System.nanoTime() + settings.time().toNanos();
        // A quarter of the run's memory (at least 1 MB): the hook cannot double what one execution may allocate.
        long memory = Math.min(limits.maxMemoryBytes(), Math.max(1L << 20, limits.maxMemoryBytes() / 4));
        ResourceLimits hookLimits = new ResourceLimits(settings.time(), memory,
                settings.instructions(), limits.maxStringLength(), limits.maxTableSize(), limits.maxCallDepth(),
                limits.maxCoroutines());
        phase = new Phase(own, deadline, hookLimits, true);
        budget.restart(hookLimits, own, deadline);
        // A host call that blocks (a device answer) sees its scope's cancel flag raised at the hook's deadline.
        CompletableFuture.delayedExecutor(settings.time().toNanos(), TimeUnit.NANOSECONDS)
                .execute(() -> own.cancel("on_stop time limit of " + settings.time().toMillis() + " ms reached"));
        // A run ended by interrupting its thread (an executor shutting down) must still get its cleanup calls
        // through: the interrupt is held back while the hook runs, and restored after it.
        boolean interrupted = Thread.interrupted();
        Outcome outcome;
        try {
            outcome = guarded(() -> {
                hook.call(LuaValue.valueOf(reason));
                return List.of();
            }, frames);
        } finally {
            own.cancel("on_stop ended");
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (outcome.error == null) {
            return outcome;
        }
        ScriptError e = outcome.error;
        ScriptError failure = new ScriptError(e.kind(), "on_stop: " + e.message(), e.file(), e.line(), e.column(),
                e.traceback());
        request.log().log("ERROR", "on_stop failed: " + failure);
        return new Outcome(outcome.status, List.of(), failure);
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
        JvmChunk compiled = script.compiled();
        return compiled != null ? compiled.instantiate(globals, budget) : closure(script.prototype());
    }

    /** A closure of {@code p} over this execution's globals, run by the engine's interpreter under its budget. */
    MeteredClosure closure(Prototype p) {
        return new MeteredClosure(p, globals, budget);
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
        return phase.cancellation;
    }

    @Override
    public ScriptLog log() {
        return request.log();
    }

    @Override
    public void permissionDenied(String permission) {
        permissionDenials++;
        try {
            request.tracer().permissionDenied(permission);
        } catch (RuntimeException e) {
            // the trace is for people; a broken tracer must not change the run
        }
    }

    /** Told about this run's host calls, for its trace. */
    org.scriptbox.api.engine.ExecutionTracer tracer() {
        return request.tracer();
    }

    @Override
    public void onEnd(Consumer<ExecutionEnd> listener) {
        endListeners.add(listener);
    }

    @Override
    public void sleep(long nanos) {
        Phase p = phase;
        long wait = Math.min(Math.max(0, nanos), p.deadlineNanos - System.nanoTime());
        boolean cancelled;
        try {
            cancelled = p.cancellation.await(Math.max(0, wait));
        } catch (InterruptedException e) {
            // Our coroutine thread is being ended, or the caller's thread is shutting down.
            Thread.currentThread().interrupt();
            cancelled = true;
        }
        if (cancelled || p.cancellation.isCancelled()) {
            budget.trip(ErrorKind.CANCELLED, "cancelled: " + p.cancellation.reason());
        }
        if (System.nanoTime() - p.deadlineNanos >= 0) {
            budget.trip(ErrorKind.TIMEOUT, "execution time limit of " + p.limits.maxExecutionTime().toMillis()
                    + " ms exceeded");
        }
    }
}
