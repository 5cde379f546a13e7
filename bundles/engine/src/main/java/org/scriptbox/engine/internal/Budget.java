package org.scriptbox.engine.internal;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.engine.Cancellation;

/**
 * The instruction budget, deadline, cancel check and call-depth limit of one execution.
 *
 * <p>Why a {@link DebugLib} subclass: Luaj's interpreter calls {@code globals.debuglib.onCall},
 * {@code onInstruction} and {@code onReturn} whenever a debuglib is installed. Installing this object as
 * {@code globals.debuglib} — without ever calling it as a library, so scripts get no {@code debug}
 * table — lets the engine count every instruction of every coroutine of the execution (they all share
 * the globals), while doing none of DebugLib's call-stack bookkeeping, which is what makes the standard
 * debug hook cost 2x. The hot path decrements a counter and stores the pc; every {@link #CHECK_INTERVAL}
 * instructions the slow path checks the budget, the deadline, the cancel flag and the memory meter.
 *
 * <p>Breaking a limit throws a {@link LimitBreach} (an {@link Error}: {@code pcall} cannot catch it) and
 * trips the budget: every later instruction throws it again, in every coroutine.
 *
 * <p>Luaj appends {@code debuglib.traceback(level)} to every runtime error message; {@link #traceback}
 * answers with this class's own traceback behind {@link #TRACEBACK_MARK}, which the engine's
 * {@code pcall} and the result conversion cut off again.
 */
final class Budget extends DebugLib implements org.luaj.vm2.lib.CountedPatterns.Meter, org.luaj.vm2.TableSizes.Guard {
    /** Instructions between two slow-path checks: ~40 µs of Lua at Luaj speed, so deadlines hold to ~1 ms. */
    static final int CHECK_INTERVAL = 4096;
    /** Luaj overflows the Java stack at ~2,450 Lua levels (less on a coroutine thread): stay far below. */
    static final int MAX_CALL_DEPTH = 200;
    /** Separates an error message from the traceback Luaj appends to it. */
    static final String TRACEBACK_MARK = "\u0000stack traceback:";
    private static final int TRACEBACK_FRAMES = 20;

    private final Globals globals;
    private final ResourceLimits limits;
    private final Cancellation cancellation;
    private final long deadlineNanos;
    private final int maxDepth;
    /** Copies of the limits read on hot paths. */
    private final int maxStringLength;
    private final int maxTableSize;
    private final AllocationMeter meter;

    /** Counts down to the next slow-path check. */
    private int ticks;
    /** The value {@link #ticks} started from at the last check. */
    private int chunk;
    /** Instructions accounted at slow-path checks. */
    private long executed;
    /** The pc of the instruction being run (by whichever coroutine runs now: only one runs at a time). */
    private int lastPc;
    /** Bytes allocated by the execution's threads, as of the last accounting. */
    private long allocated;
    private volatile LimitBreach breach;
    /**
     * Bytecode of the running Lua frame if its instructions must be checked one by one (it contains
     * {@code ..} or a constructor list, see {@link ScriptPrototype}), else {@code null}. Its registers are
     * the top of {@link #current}: only the checks read them, so they are not copied on every call.
     */
    private int[] code;
    /** The call stack of the running coroutine; switched by the coroutine library on resume and yield. */
    private Frames current;
    private static final int OP_CONCAT = org.luaj.vm2.Lua.OP_CONCAT;
    private static final int OP_SETLIST = org.luaj.vm2.Lua.OP_SETLIST;
    /** The bottom frame that returned last and its pc, for positions in a tail call it made. */
    private LuaFunction tailFunction;
    private int tailPc;
    /** Varies the check interval so that sampling the current instruction does not lock onto a loop's phase. */
    private int jitter = 0x2545F491;

    Budget(Globals globals, ResourceLimits limits, Cancellation cancellation, long deadlineNanos, AllocationMeter meter) {
        this.globals = globals;
        this.limits = limits;
        this.cancellation = cancellation;
        this.deadlineNanos = deadlineNanos;
        this.maxDepth = Math.min(limits.maxCallDepth(), MAX_CALL_DEPTH);
        this.maxStringLength = limits.maxStringLength();
        this.maxTableSize = limits.maxTableSize();
        this.meter = meter;
        this.chunk = (int) Math.min(CHECK_INTERVAL, limits.maxInstructions());
        this.ticks = chunk;
    }

    // ---- hot path -------------------------------------------------------------------------------

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        Prototype p = c.p;
        int[] checkedCode = p instanceof ScriptPrototype ? ((ScriptPrototype) p).checkedCode : p.code;
        current.push(c, lastPc, checkedCode, stack, this);
        code = checkedCode;
        // No tick here: every call runs at least one instruction, which is counted.
    }

    /** Called by {@code pcall}/{@code xpcall}: a Java frame, counted for depth and balanced by onReturn. */
    @Override
    public void onCall(LuaFunction f) {
        current.push(f, lastPc, code, null, this);
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        lastPc = pc;
        // Luaj concatenates strings and fills constructor lists in the VM without any hook: in functions
        // that do either, check the string length before a concatenation is built and the count of a list.
        int[] c = code;
        if (c != null) {
            int i = c[pc];
            if (((1L << (i & 0x3f)) & ScriptPrototype.CHECKED_OPS) != 0) {
                if ((i & 0x3f) == OP_CONCAT) {
                    checkConcat(i);
                } else {
                    checkStore(c, i, OP_SETLIST, pc, top);
                }
            }
        }
        if (--ticks <= 0) {
            check();
        }
    }

    @Override
    public void onReturn() {
        // Popped slots are not cleared: they are overwritten by the next call, and at most maxDepth
        // dead frames stay reachable until then. Clearing them measurably slows call-heavy scripts.
        Frames f = current;
        int d = f.depth - 1;
        if (d >= 0) {
            f.depth = d;
        }
        if (d > 0) {
            code = f.codes[d - 1];
        } else {
            code = null;
            if (d == 0) {
                // The bottom frame left, maybe through a tail call ("return f(x)") that Luaj runs after
                // popping it: remember where, so that a limit broken in that call still has a position.
                tailFunction = f.functions[0];
                tailPc = lastPc;
            }
        }
    }

    /** Makes the top frame of {@code f} the one whose instructions run next (after a coroutine switch). */
    void resumeFrame(Frames f) {
        current = f;
        int d = f.depth;
        if (d > 0) {
            code = f.codes[d - 1];
        } else {
            code = null;
        }
    }

    /** After control came to the running coroutine from another one (resume, yield, coroutine start). */
    void resumeFrame() {
        resumeFrame(frames());
    }

    /** {@code R(A) := R(B) .. ... .. R(C)}: strings and numbers only; a metamethod runs as Lua, under the budget. */
    private void checkConcat(int instruction) {
        LuaValue[] r = registers();
        int b = instruction >>> 23;
        int c = (instruction >> 14) & 0x1ff;
        long length = 0;
        for (int i = b; i <= c && i < r.length; i++) {
            LuaValue v = r[i];
            if (v == null) {
                return;
            }
            int type = v.type();
            if (type == LuaValue.TSTRING) {
                length += v.rawlen();
            } else if (type == LuaValue.TNUMBER) {
                length += 24;
            } else {
                return;
            }
        }
        checkStringLength(length);
    }

    /**
     * {@code SETLIST}: a constructor's list must not carry more values than the limit (checked before the
     * values are stored; the stores themselves are counted exactly by the patched {@link org.luaj.vm2.LuaTable}).
     */
    private void checkStore(int[] c, int instruction, int op, int pc, int top) {
        int a = (instruction >> 6) & 0xff;
        LuaValue[] r = registers();
        if (r == null || a >= r.length || !(r[a] instanceof org.luaj.vm2.LuaTable)) {
            return;
        }
        long size = org.luaj.vm2.TableSizes.lowerBound((org.luaj.vm2.LuaTable) r[a]);
        if (op == OP_SETLIST) {
            int b = instruction >>> 23;
            int n = (instruction >> 14) & 0x1ff;
            if (n == 0 && pc + 1 < c.length) {
                n = c[pc + 1];
            }
            long count = b != 0 ? b : Math.max(0, top - a - 1);
            size = Math.max(size, (long) (n - 1) * org.luaj.vm2.Lua.LFIELDS_PER_FLUSH + count);
        }
        checkTableSize(size);
    }

    /** Registers of the running Lua frame: when an instruction runs, the top frame is its closure's. */
    private LuaValue[] registers() {
        Frames f = current;
        return f.depth > 0 ? f.stacks[f.depth - 1] : null;
    }

    /** Throws the string-length limit if a string of {@code length} characters would break it. */
    @Override
    public void checkStringLength(long length) {
        if (length > maxStringLength) {
            trip(ErrorKind.LIMIT, "string length limit of " + limits.maxStringLength() + " exceeded ("
                    + length + " characters)");
        }
    }

    @Override
    public int maxTableSize() {
        return maxTableSize;
    }

    @Override
    public void tableTooBig(long size) {
        checkTableSize(size);
    }

    int stringLimit() {
        return maxStringLength;
    }

    /** Throws the table-size limit if a table of {@code size} elements would break it. */
    void checkTableSize(long size) {
        if (size > maxTableSize) {
            trip(ErrorKind.LIMIT, "table size limit of " + limits.maxTableSize() + " exceeded (" + size
                    + " elements)");
        }
    }

    /** Counts {@code n} units of work done inside a library function (pattern matching steps). */
    @Override
    public void charge(int n) {
        ticks -= n;
        if (ticks <= 0) {
            check();
        }
    }

    @Override
    public String traceback(int level) {
        return TRACEBACK_MARK + tracebackText();
    }

    // ---- slow path ------------------------------------------------------------------------------

    /** Checks everything; called every {@link #CHECK_INTERVAL} instructions and by library functions. */
    void check() {
        LimitBreach b = breach;
        if (b != null) {
            ticks = 0;
            throw b;
        }
        executed += chunk - ticks;
        if (cancellation.isCancelled()) {
            trip(ErrorKind.CANCELLED, "cancelled: " + cancellation.reason());
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            trip(ErrorKind.TIMEOUT, "execution time limit of " + limits.maxExecutionTime().toMillis() + " ms exceeded");
        }
        if (executed >= limits.maxInstructions()) {
            trip(ErrorKind.LIMIT, "instruction limit of " + limits.maxInstructions() + " exceeded");
        }
        checkMemory();
        jitter ^= jitter << 13;
        jitter ^= jitter >>> 17;
        jitter ^= jitter << 5;
        chunk = (int) Math.min(CHECK_INTERVAL - (jitter & 1023), limits.maxInstructions() - executed);
        ticks = chunk;
    }

    /** Accounts what the current thread allocated since its last accounting, and checks the memory limit. */
    void checkMemory() {
        Frames f = frames();
        long now = meter.currentThreadAllocatedBytes();
        allocated += now - f.allocMark;
        f.allocMark = now;
        if (allocated > limits.maxMemoryBytes()) {
            trip(ErrorKind.LIMIT, "memory limit of " + limits.maxMemoryBytes() + " bytes exceeded ("
                    + allocated + " bytes allocated)");
        }
    }

    /** Ends the execution with a limit error at the script's current position. Never returns. */
    LimitBreach trip(ErrorKind kind, String message) {
        LimitBreach b = breach;
        if (b == null) {
            Position where = currentPosition();
            b = new LimitBreach(kind, message, where.file, where.line, tracebackText());
            breach = b;
        }
        ticks = 0;
        throw b;
    }

    /** The breach that tripped this budget, or {@code null}. (Other threads stop a run through the cancel flag.) */
    LimitBreach breach() {
        return breach;
    }

    long instructions() {
        return executed + (chunk - ticks);
    }

    long allocatedBytes() {
        return allocated;
    }

    /** Adds bytes that a thread allocated after its last accounting (a coroutine thread that ended). */
    void addAllocated(long bytes) {
        allocated += bytes;
    }

    int maxDepth() {
        return maxDepth;
    }

    void depthExceeded() {
        trip(ErrorKind.LIMIT, "call depth limit of " + maxDepth + " exceeded (stack overflow)");
    }

    // ---- frames and traceback -------------------------------------------------------------------

    Frames frames() {
        LuaThread t = globals.running;
        Object cs = t.callstack;
        if (cs instanceof Frames) {
            return (Frames) cs;
        }
        Frames f = new Frames(maxDepth, meter.currentThreadAllocatedBytes());
        t.callstack = f;
        return f;
    }

    /** Frames of the running coroutine, innermost first, as {@code chunk:line} with its pc. */
    private Position currentPosition() {
        Frames f = frames();
        int pc = lastPc;
        for (int i = f.depth - 1; i >= 0; i--) {
            if (f.functions[i] instanceof LuaClosure) {
                return Position.of(((LuaClosure) f.functions[i]).p, pc);
            }
            pc = f.callerPcs[i];
        }
        if (tailFunction instanceof LuaClosure) {
            return Position.of(((LuaClosure) tailFunction).p, tailPc);
        }
        return new Position(null, 0);
    }

    String tracebackText() {
        Frames f = frames();
        StringBuilder sb = new StringBuilder();
        int pc = lastPc;
        int shown = 0;
        for (int i = f.depth - 1; i >= 0; i--) {
            LuaFunction fn = f.functions[i];
            if (fn instanceof LuaClosure) {
                if (shown++ == TRACEBACK_FRAMES) {
                    sb.append("\n\t...");
                    break;
                }
                Prototype p = ((LuaClosure) fn).p;
                Position pos = Position.of(p, pc);
                sb.append("\n\t").append(pos).append(": in ")
                        .append(p.linedefined == 0 ? "main chunk" : "function <" + pos.file + ":" + p.linedefined + ">");
            }
            pc = f.callerPcs[i];
        }
        return sb.toString();
    }

    /** A script position. */
    static final class Position {
        final String file;
        final int line;

        Position(String file, int line) {
            this.file = file;
            this.line = line;
        }

        static Position of(Prototype p, int pc) {
            int line = p.lineinfo != null && pc >= 0 && pc < p.lineinfo.length ? p.lineinfo[pc] : 0;
            return new Position(p.source == null ? "?" : p.source.tojstring(), line);
        }

        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    /** The call stack of one coroutine (or the main thread): functions and the pc each caller was at. */
    static final class Frames {
        final LuaFunction[] functions;
        final int[] callerPcs;
        final int[][] codes;
        final LuaValue[][] stacks;
        int depth;
        /** The owning Java thread's allocated-bytes counter at its last accounting. */
        long allocMark;

        Frames(int maxDepth, long allocMark) {
            functions = new LuaFunction[maxDepth + 1];
            callerPcs = new int[maxDepth + 1];
            codes = new int[maxDepth + 1][];
            stacks = new LuaValue[maxDepth + 1][];
            this.allocMark = allocMark;
        }

        /** A Java frame (pcall) records its caller's code, which runs again when it returns, and no registers. */
        void push(LuaFunction fn, int callerPc, int[] code, LuaValue[] stack, Budget budget) {
            int d = depth;
            if (d >= functions.length - 1) {
                budget.depthExceeded();
            }
            functions[d] = fn;
            callerPcs[d] = callerPc;
            codes[d] = code;
            stacks[d] = stack;
            depth = d + 1;
        }

        void pop() {
            if (depth > 0) {
                int d = --depth;
                functions[d] = null;
                stacks[d] = null;
            }
        }
    }
}
