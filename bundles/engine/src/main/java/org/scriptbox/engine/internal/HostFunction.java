package org.scriptbox.engine.internal;

import org.scriptbox.api.text.OncePerInterval;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.engine.ScriptFunction;
import org.scriptbox.api.text.SafeText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ScriptFunction} of a {@code ScriptLibrary} service, as a Lua global of one execution.
 *
 * <p>The engine's host-call path holds the execution's limits around every call, whatever the function
 * does: before it, the budget is checked (a cancel, the deadline or a broken limit refuses the call
 * itself, uncatchably, so nothing is issued after a cancel) and its arguments are converted under the
 * execution's memory limit ({@link LuaValues.Charge}); after it — returned or thrown — the budget is
 * checked again, so a cancel that came while the call waited ends the run as CANCELLED instead of
 * reaching the script as a catchable error or a result, and what the call allocated is charged.
 */
final class HostFunction extends VarArgFunction {
    private static final Logger LOG = LoggerFactory.getLogger(HostFunction.class);
    private static final OncePerInterval FAILURE_LOG = new OncePerInterval(java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
    /** How many library failures were written to the log (for tests). */
    static final java.util.concurrent.atomic.AtomicLong FAILURES_LOGGED = new java.util.concurrent.atomic.AtomicLong();

    private final String library;
    private final ScriptFunction function;
    private final Execution execution;

    HostFunction(String library, String name, ScriptFunction function, Execution execution) {
        this.library = library;
        this.name = name;
        this.function = function;
        this.execution = execution;
    }

    @Override
    public Varargs invoke(Varargs args) {
        execution.admitHostCall(library, name);
        Object[] in = LuaValues.argsToJava(args, execution.charge("the arguments of " + name));
        long start = System.nanoTime();
        Object result;
        try {
            result = function.call(execution, in);
        } catch (ScriptCallException e) {
            traced(in, null, e.kind(), message(e), start);
            execution.hostCallEnded();
            if (e.kind() == ErrorKind.CANCELLED) {
                // The host says the run is cancelled (its device went away ...): as uncatchable as our own cancel.
                throw execution.budget().trip(ErrorKind.CANCELLED, "cancelled: " + message(e));
            }
            throw new HostError(e.kind(), message(e));
        } catch (LimitBreach e) {
            traced(in, null, e.kind(), e.getMessage(), start);
            throw e;
        } catch (RuntimeException e) {
            String told = name + " failed (details in the container log)";
            traced(in, null, ErrorKind.RUNTIME, told, start);
            execution.hostCallEnded();
            // A bug in the library, not the script's fault: log it for the operator, tell the script little.
            // Once per library function and script per minute: a script looping over pcall(f) must not write a
            // WARN line and a stack trace per call, outside any log quota. The exception's message may carry
            // the script's own text (an argument echoed back), so it is made safe and the trace kept for DEBUG.
            if (FAILURE_LOG.shouldLog(library + "|" + name + "|" + execution.scriptName())) {
                FAILURES_LOGGED.incrementAndGet();
                StackTraceElement[] at = e.getStackTrace();
                LOG.warn("library '{}' function {} failed in script {}: {}{} (repeats within a minute are not logged)",
                        SafeText.line(library), SafeText.line(name), SafeText.line(execution.scriptName()),
                        SafeText.line(cut(e.toString())), at.length == 0 ? "" : " at " + SafeText.line(at[0].toString()));
                LOG.debug("the cause", e);
            }
            throw new HostError(ErrorKind.RUNTIME, told);
        }
        traced(in, result, null, null, start);
        execution.hostCallEnded();
        return LuaValues.returnToLua(result);
    }

    /** Tells the run's tracer about the call; the tracer's own failure never changes what the script sees. */
    private void traced(Object[] in, Object result, ErrorKind kind, String error, long start) {
        try {
            execution.tracer().hostCall(name, in, result, kind, error, start, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.debug("the trace of a host call failed", e);
        }
    }

    private static String cut(String s) {
        return s.length() <= 500 ? s : s.substring(0, Character.isHighSurrogate(s.charAt(499)) ? 499 : 500) + "...";
    }

    private String message(ScriptCallException e) {
        return e.getMessage() == null ? name + " failed" : e.getMessage();
    }
}
