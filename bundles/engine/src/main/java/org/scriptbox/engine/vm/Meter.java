package org.scriptbox.engine.vm;

import java.util.Arrays;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * What the engine's interpreter ({@link MeteredClosure}) and its compiled code
 * (org.scriptbox.engine.compiler) ask of an execution's budget: the budget is in the interpreter loop
 * and in the generated code, not called through DebugLib's hooks.
 *
 * <p>The hot path is one decrement of {@link #ticks} per instruction. Nothing is recorded per call but
 * a depth count: positions and tracebacks are collected while an error unwinds through the
 * interpreter's frames, where each frame still knows its pc ({@link #unwinding}, {@link #errorFrame}).
 */
public abstract class Meter extends DebugLib {
    /** Separates an error message from the traceback appended to it. */
    public static final String TRACEBACK_MARK = "\u0000stack traceback:";
    /** Frames shown in a traceback. */
    public static final int TRACEBACK_FRAMES = 20;

    /** Counts down to the next slow-path check ({@link #tick}). */
    public int ticks;

    /** A Lua function was entered: count the call depth (and refuse it past the limit). */
    public abstract void enter();

    /** A Lua function was left (normally or not). */
    public abstract void exit();

    /** {@link #ticks} reached zero: check the limits, reset the ticks; throws to end the execution. */
    public abstract void tick();

    /** {@code R(b) .. ... .. R(c)} is about to be built from {@code stack}: check its length. */
    public abstract void concat(LuaValue[] stack, int b, int c);

    /**
     * A {@code ..} of strings and numbers only is about to be built ({@link Concat}): {@code length} bytes, the
     * exact length of the operands' texts, {@code numbers} of them numbers, {@code doubles} the weight of those written
     * with {@code %.14g} ({@link NumberText#weight}): check and charge it. Default: nothing.
     */
    public void concatTexts(long length, int numbers, int doubles) {
    }

    /**
     * The result of a {@code ..} of three operands or more that involved a {@code __concat} metamethod
     * (whose result the check before could not know): check its length. Default: nothing.
     */
    public void concatResult(LuaValue result) {
    }

    /**
     * Counts {@code n} instructions' worth of work done outside the instruction loop (bytes compared,
     * pattern steps ...): the limits are checked as soon as the count reaches the next check.
     */
    public abstract void charge(int n);

    // ---- comparisons of strings, charged per byte compared -------------------------------------------

    /**
     * Bytes compared per instruction charged. Luaj compares strings byte by byte: {@code a < b} of two
     * 10,000-byte strings with a common prefix was one instruction for ~5.6 us of CPU, ~150-400x a plain
     * one (red-team); the loops here compare ~16 bytes in well under a plain instruction's time.
     */
    public static final int COMPARE_BYTES_PER_UNIT = 16;

    /** Upvalues a closure may capture per instruction charged for making it. */
    public static final int UPVALUES_PER_UNIT = 4;

    /**
     * A closure with {@code upvalues} upvalues is being made (OP_CLOSURE, interpreted or compiled: both
     * constructors call this, so the counts are the same): each upvalue is found or made, so a closure over
     * 190 locals was one instruction for ~200-400 plain ones' CPU (red team R12). Charged past the first few.
     */
    public final void closureMade(int upvalues) {
        if (upvalues >= UPVALUES_PER_UNIT) {
            charge(upvalues / UPVALUES_PER_UNIT);
        }
    }

    /** Values of {@code ...} passed on whole per instruction charged: the library door's rate for the values it returns. */
    public static final int VALUES_PER_UNIT = 4;
    /** From this many values on, {@code ...} passed on whole is one flat array ({@link FlatValues}). */
    static final int FLAT_FROM = 16;

    /**
     * {@code ...} expanded to all its values (OP_VARARG with B = 0: the interpreter and compiled code both call this at
     * that instruction, so their counts, and the instruction a limit breaks at, are the same). What follows passes
     * every value on — into a table constructor, a call's arguments, a return — by work that grows with their
     * number, so they are charged by it (red team E13: {@code {...}}, {@code type(...)}, {@code math.max(...)} of 900
     * values cost one instruction). Every open list of many values comes from here or from a library function (whose
     * door charges its results, {@code internal.LibraryCall}), so each passing-on is charged once.
     *
     * <p>Many values are returned as one array: Luaj puts the values a call places before {@code ...} in a list of
     * their own in front of the ones it had, so {@code return f(n - 1, n, ...)} made a chain of one part per call,
     * and reading its k-th value walked k parts: 8,000 such tail calls ending in {@code select('#', ...)} took
     * 2.7 s of CPU for 56,000 instructions (the walks quadratic, the charge linear).
     */
    public final Varargs passed(Varargs values) {
        int n = values.narg();
        if (n < VALUES_PER_UNIT) {
            return values;
        }
        charge(n / VALUES_PER_UNIT);
        return n >= FLAT_FROM ? FlatValues.of(values, n) : values;
    }

    /**
     * A table constructor stores {@code n} values of an open list at once (OP_SETLIST with B = 0: {@code {...}},
     * {@code {f()}}; the interpreter and compiled code both call this before the stores, so their counts are the
     * same). The values were charged when they were passed on ({@link #passed}, a library function's door), but a
     * table store per value costs more than that quarter instruction: {@code {...}} of 900 values ran at 8.5x a
     * plain instruction's CPU (the library benchmark's worst row). The stores pay at the same rate again.
     */
    public final void stored(int n) {
        if (n >= VALUES_PER_UNIT) {
            charge(n / VALUES_PER_UNIT);
        }
    }

    /** {@code a == b} (OP_EQ; also rawequal and the sort's comparisons): a long string comparison is charged. */
    public final boolean eq(LuaValue a, LuaValue b) {
        if (a instanceof LuaString && b instanceof LuaString) {
            return stringsEqual((LuaString) a, (LuaString) b);
        }
        return a.eq_b(b);
    }

    /** {@code a < b} (OP_LT), as Luaj's {@code lt_b}, with a comparison of two strings charged. */
    public final boolean lt(LuaValue a, LuaValue b) {
        if (a instanceof LuaString && b instanceof LuaString) {
            return strcmp((LuaString) a, (LuaString) b) < 0;
        }
        if (a.type() == TNUMBER && b.type() == TNUMBER) {
            return a.lt_b(b);
        }
        try {
            return a.lt_b(b);
        } catch (LuaError e) {
            throw orderError(e, a, b);
        }
    }

    /**
     * scriptbox errors: Luaj's own "attempt to compare" (its text varies and can lose the operands' types)
     * becomes Lua 5.4's; an error from a metamethod (its text has a position) passes unchanged.
     */
    private static LuaError orderError(LuaError e, LuaValue a, LuaValue b) {
        String m = e.getMessage();
        return m != null && m.startsWith("attempt to compare ")
                ? new LuaError(org.scriptbox.engine.errors.RuntimeErrorText.orderError(a, b)) : e;
    }

    /** {@code a <= b} (OP_LE), as Luaj's {@code lteq_b}, with a comparison of two strings charged. */
    public final boolean le(LuaValue a, LuaValue b) {
        if (a instanceof LuaString && b instanceof LuaString) {
            return strcmp((LuaString) a, (LuaString) b) <= 0;
        }
        if (a.type() == TNUMBER && b.type() == TNUMBER) {
            return a.lteq_b(b);
        }
        try {
            return a.lteq_b(b);
        } catch (LuaError e) {
            throw orderError(e, a, b);
        }
    }

    /**
     * Luaj's {@code LuaString.raweq}: the bytes are compared only for two strings of one length and one
     * hash (Luaj hashes long strings from 32 sampled bytes, so such pairs can be made at will); those
     * comparisons pay for the bytes they compared.
     */
    public final boolean stringsEqual(LuaString a, LuaString b) {
        int n = a.m_length;
        if (a == b || n != b.m_length || n < COMPARE_BYTES_PER_UNIT || a.hashCode() != b.hashCode()) {
            return a.raweq(b);
        }
        int at = Arrays.mismatch(a.m_bytes, a.m_offset, a.m_offset + n, b.m_bytes, b.m_offset, b.m_offset + n);
        charge((at < 0 ? n : at) / COMPARE_BYTES_PER_UNIT);
        return at < 0;
    }

    /**
     * Lua's order of strings ({@code strcoll} in the C locale: bytes compared as unsigned values, a prefix is less),
     * paying for the common prefix it compared. Luaj's {@code LuaString.strcmp} compared signed bytes:
     * {@code '\255' < '5'} was true.
     */
    public final int strcmp(LuaString a, LuaString b) {
        int n = Math.min(a.m_length, b.m_length);
        if (n < COMPARE_BYTES_PER_UNIT) {
            for (int j = 0; j < n; j++) {
                int d = (a.m_bytes[a.m_offset + j] & 0xff) - (b.m_bytes[b.m_offset + j] & 0xff);
                if (d != 0) {
                    return d;
                }
            }
            return a.m_length - b.m_length;
        }
        int at = Arrays.mismatch(a.m_bytes, a.m_offset, a.m_offset + n, b.m_bytes, b.m_offset, b.m_offset + n);
        if (at < 0) {
            charge(n / COMPARE_BYTES_PER_UNIT);
            return a.m_length - b.m_length;
        }
        if (at >= COMPARE_BYTES_PER_UNIT) {
            charge(at / COMPARE_BYTES_PER_UNIT);
        }
        return (a.m_bytes[a.m_offset + at] & 0xff) - (b.m_bytes[b.m_offset + at] & 0xff);
    }

    /**
     * A Java exception (not a LuaError) escaped from VM code: the error the script sees, with no Java text in
     * it (Luaj's {@code new LuaError(e)} read {@code vm error: java.lang.ArrayIndexOutOfBoundsException: ...}).
     * The engine's budget logs the exception for the developers.
     */
    public LuaError internalError(Exception e) {
        return new LuaError("internal error of the engine (details in the container log)");
    }

    /** The running frame of {@code p} returns through a tail call at {@code pc}: remembered for positions while no frame is left. */
    public abstract void tailCall(Prototype p, int pc);

    /** An {@link Error} that ends the execution passes through a frame of {@code p} at {@code pc}. */
    public abstract void unwinding(Error e, Prototype p, int pc);

    /*
     * A Meter is also the globals' debuglib, so that the hooks Luaj's own code calls count like the metered
     * loop: Luaj's library functions report their calls (onCall(LuaFunction)/onReturn, see the Budget), and
     * should Luaj's own interpreter (org.luaj.vm2.LuaClosure) ever run over these globals — the engine never
     * creates one: every closure is a MeteredClosure or compiled, and the globals have no loader — its
     * instructions and calls are counted through these hooks, not run unlimited. DebugLib's own hooks keep a
     * call stack of their own in LuaThread.callstack, where the engine keeps something else.
     */
    @Override
    public void onCall(org.luaj.vm2.LuaClosure c, Varargs varargs, LuaValue[] stack) {
        enter();
    }

    /** The end of a call reported through the hooks (Luaj's interpreter, Luaj's pcall): the depth count's end. */
    @Override
    public void onReturn() {
        exit();
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        if (--ticks <= 0) {
            tick();
        }
    }

    /** {@code chunk:line} of {@code pc} in {@code p}. */
    public static String position(Prototype p, int pc) {
        return (p.source != null ? p.source.tojstring() : "?") + ":" + line(p, pc);
    }

    public static int line(Prototype p, int pc) {
        return p.lineinfo != null && pc >= 0 && pc < p.lineinfo.length ? p.lineinfo[pc] : 0;
    }

    /** One traceback line: {@code chunk:line: in function <chunk:defined>}. */
    public static String frameLine(Prototype p, int pc) {
        String source = p.source != null ? p.source.tojstring() : "?";
        return "\n\t" + source + ":" + line(p, pc) + ": in "
                + (p.linedefined == 0 ? "main chunk" : "function <" + source + ":" + p.linedefined + ">");
    }

    /** scriptbox errors: message (culprit names, levels) and named traceback of the error unwinding. */
    private final org.scriptbox.engine.errors.ErrorTrace trace =
            new org.scriptbox.engine.errors.ErrorTrace(TRACEBACK_MARK, TRACEBACK_FRAMES, this::charge);

    /** Which operand (from the first) of the concatenation checked last is the one Lua blames; -1 if none. */
    public int concatCulprit = -1;

    /**
     * A LuaError passes through the frame of {@code p} at {@code pc}: the innermost frame gives it its
     * message and position, outer frames their traceback lines ({@link org.scriptbox.engine.errors.ErrorTrace}).
     * The xpcall handler runs where xpcall catches the error.
     */
    void errorFrame(LuaError le, Prototype p, int pc, LuaThread running) {
        String text = LuaErrors.traceback(le) == null
                ? trace.first(le, le.getMessage(), p, pc, failedTailCall(), failedTailPc(), concatCulprit)
                : trace.next(le, p, pc);
        if (text != null) {
            LuaErrors.traceback(le, text);
        }
    }

    /**
     * An error that left the script without unwinding any Lua frame: the main chunk's own tail call failed
     * ({@code return string.rep()}: the chunk's frame was gone when the library refused). As in Lua, it takes its
     * message and position from that tail call's frame.
     */
    public void errorBeyondFrames(LuaError le) {
        Prototype tail = failedTailCall();
        if (LuaErrors.traceback(le) == null && tail != null) {
            LuaErrors.traceback(le, trace.first(le, le.getMessage(), tail, failedTailPc(), null, 0, concatCulprit));
        }
    }

    /**
     * The frame that returned through a tail call whose callee then failed before running any Lua
     * instruction (a nil callee, a library function's error), or null.
     */
    protected Prototype failedTailCall() {
        return null;
    }

    /** The pc of {@link #failedTailCall()}'s tail call. */
    protected int failedTailPc() {
        return 0;
    }

    // ---- code compiled by the engine's compiler (org.scriptbox.engine.compiler) ---------------------------

    /**
     * An error leaves a compiled function of {@code p} whose running instruction was {@code pc}: does what
     * the interpreter's catch blocks and finally do (position and traceback line, or the frame of a limit
     * error; then the end of the call's depth count) and returns what the function throws.
     */
    public final Throwable compiledUnwind(Throwable t, Prototype p, int pc) {
        try {
            if (t instanceof LuaError) {
                compiledErrorFrame((LuaError) t, p, pc);
                return t;
            }
            if (t instanceof Exception) {
                LuaError le = internalError((Exception) t);
                compiledErrorFrame(le, p, pc);
                return le;
            }
            if (t instanceof Error) {
                unwinding((Error) t, p, pc);
            }
            return t;
        } finally {
            exit();
        }
    }

    private void compiledErrorFrame(LuaError le, Prototype p, int pc) {
        LuaThread running = running();
        if (running != null) {
            errorFrame(le, p, pc, running);
        } else if (LuaErrors.traceback(le) == null) {
            LuaErrors.fileline(le, position(p, pc));
        }
    }

    /** The coroutine running on this thread (for the xpcall handler); null if unknown. */
    protected LuaThread running() {
        return null;
    }

    /** {@code a .. b} is about to be built (compiled code): check its length. */
    public void concat(LuaValue a, LuaValue b) {
        concat(new LuaValue[] {a, b}, 0, 1);
    }
}
