package org.scriptbox.engine.internal;

import org.scriptbox.api.text.OncePerInterval;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ResourceLimits;
import org.scriptbox.api.engine.Cancellation;
import org.scriptbox.engine.vm.Meter;

/**
 * The instruction budget, deadline, cancel check and call-depth limit of one execution.
 *
 * <p>Installed as {@code globals.debuglib} — never called as a library, so scripts get no {@code debug}
 * table. It is the {@link Meter} of every closure of the execution (in every coroutine: they share it),
 * interpreted ({@link org.scriptbox.engine.vm.MeteredClosure}) or compiled, whose code decrements
 * {@link #ticks} once per instruction and counts the call depth; every
 * ~{@link #CHECK_INTERVAL} instructions {@link #tick} checks the budget, the deadline, the cancel flag
 * and the memory meter. Nothing else is recorded per call or per instruction: the position of a limit
 * error and its traceback are collected from each interpreter frame's pc while the error unwinds
 * ({@link #unwinding}); the traceback of a runtime error likewise ({@link Meter}).
 *
 * <p>Breaking a limit throws a {@link LimitBreach} (an {@link Error}: {@code pcall} cannot catch it) and
 * trips the budget: every later check throws it again, in every coroutine.
 */
final class Budget extends Meter implements CountedPatterns.Meter, org.scriptbox.engine.vm.TableSizes.Guard {
    /** Instructions between two slow-path checks: ~40 µs of Lua at Luaj speed, so deadlines hold to ~1 ms. */
    static final int CHECK_INTERVAL = 4096;
    /** Luaj overflows the Java stack at ~2,450 Lua levels (less on a coroutine thread): stay far below. */
    static final int MAX_CALL_DEPTH = 200;
    /** Separates an error message from the traceback appended to it. */
    static final String TRACEBACK_MARK = Meter.TRACEBACK_MARK;

    private final Globals globals;
    /** Replaced once, by {@link #restart}, for the on_stop hook's own budget. */
    private ResourceLimits limits;
    private Cancellation cancellation;
    private long deadlineNanos;
    private final int maxDepth;
    /** Copies of the limits read on hot paths. */
    private final int maxStringLength;
    private final int maxTableSize;
    private final AllocationMeter meter;

    /** The value {@link #ticks} started from at the last check. */
    private int chunk;
    /** Instructions accounted at slow-path checks. */
    private long executed;
    /** Bytes allocated by the execution's threads, as of the last accounting. */
    private long allocated;
    private volatile LimitBreach breach;
    /** The call stack of the running coroutine; switched by the coroutine library on resume and yield. */
    private Frames current;
    /** The running coroutine's call depth (kept here, not in {@link #current}: one load less per call). */
    private int depth;
    /** The frame that last returned through a tail call, and where: a position while no frame is left. */
    private Prototype tailFunction;
    private int tailPc;
    /** {@link #pureInstructions()} right after that tail call: unchanged while its callee fails in Java code. */
    private long tailMark = -1;
    /** Work charged by {@link #charge(int)} (not instructions), so that {@link #pureInstructions()} can leave it out. */
    private long charged;
    /** Varies the check interval so that checks do not lock onto a loop's phase. */
    private int jitter = 0x2545F491;

    Budget(Globals globals, ResourceLimits limits, Cancellation cancellation, long deadlineNanos, AllocationMeter meter) {
        this.globals = globals;
        this.limits = limits;
        this.cancellation = cancellation;
        this.deadlineNanos = deadlineNanos;
        this.maxDepth = Math.min(limits.maxCallDepth(), MAX_CALL_DEPTH);
        this.maxStringLength = limits.maxStringLength();
        this.maxTableSize = limits.maxTableSize();
        org.scriptbox.engine.vm.TableSizes.limitInUse(maxTableSize);
        this.meter = meter;
        this.chunk = chunk(CHECK_INTERVAL, limits.maxInstructions());
        this.ticks = chunk;
    }

    /**
     * The instructions until the next check: {@code interval}, or fewer so that the check comes at the first
     * instruction beyond the limit ({@code room} more are allowed). A run of exactly the limit completes; the
     * instruction after it trips (red team E7: the check came at the limit's own last instruction).
     */
    private static int chunk(int interval, long room) {
        return room >= interval ? interval : (int) room + 1;
    }

    // ---- hot path (called by the patched interpreter) -------------------------------------------

    @Override
    public void enter() {
        int d = depth;
        if (d >= maxDepth) {
            depthExceeded();
        }
        depth = d + 1;
    }

    @Override
    public void exit() {
        int d = depth;
        if (d > 0) {
            depth = d - 1;
        }
    }

    /** DebugLib hooks for a Java frame (the engine's own library calls are counted by LibraryCall). */
    @Override
    public void onCall(LuaFunction f) {
        enter();
    }

    @Override
    public void onReturn() {
        exit();
    }

    @Override
    public void tick() {
        check();
    }

    /**
     * A failed tail call: no Lua instruction ran since the last tail call (its callee was not callable,
     * or a library function failed), so the error belongs to that tail call's frame.
     */
    @Override
    protected Prototype failedTailCall() {
        return tailFunction != null && tailMark == pureInstructions() ? tailFunction : null;
    }

    @Override
    protected int failedTailPc() {
        return tailPc;
    }

    /** Lua instructions run (charged work left out): moves with every instruction, of any coroutine. */
    private long pureInstructions() {
        return instructions() - charged;
    }

    @Override
    public void tailCall(Prototype p, int pc) {
        tailFunction = p;
        tailPc = pc;
        tailMark = pureInstructions();
    }

    @Override
    public void unwinding(Error e, Prototype p, int pc) {
        if (e instanceof LimitBreach) {
            ((LimitBreach) e).passedFrame(p, pc);
        }
    }

    @Override
    protected LuaThread running() {
        return globals.running;
    }

    /** Makes {@code f} the call stack of the code that runs next (after a coroutine switch). */
    void resumeFrame(Frames f) {
        Frames was = current;
        if (was != null) {
            was.depth = depth;
        }
        current = f;
        depth = f.depth;
    }

    /** After control came to the running coroutine from another one (resume, yield, coroutine start). */
    void resumeFrame() {
        resumeFrame(frames());
    }

    /**
     * {@code R(A) := R(B) .. ... .. R(C)}: the strings and numbers among the operands; a metamethod runs as
     * Lua, under the budget. An operand with a {@code __concat} metamethod does not end the check: its
     * neighbours are still counted (red-team: {@code s .. s .. ... .. t} with a metamethod returning ''
     * built 200 times the limit, and the next round 200 times that), and what the metamethod returned is
     * checked once joined with them ({@link #concatResult}).
     */
    @Override
    public void concat(LuaValue[] r, int b, int c) {
        long length = 0;
        boolean other = false;
        for (int i = b; i <= c && i < r.length; i++) {
            LuaValue v = r[i];
            if (v == null) {
                continue;
            }
            int type = v.type();
            if (type == LuaValue.TSTRING) {
                length += v.rawlen();
            } else if (type == LuaValue.TNUMBER) {
                length += textLength(v) + NUMBER_TEXT_BYTES + numberText(v);
            } else {
                other = true;
            }
        }
        if (other) {
            concatCulprit = concatCulprit(r, b, Math.min(c, r.length - 1));
        }
        checkStringLength(length);
        // Copying is work: 1 instruction per CONCAT_BYTES_PER_UNIT bytes ('a .. a' of two 4,999-byte strings
        // was one instruction for ~1.2 us of CPU, red-team).
        charge((int) (length / CONCAT_BYTES_PER_UNIT));
    }

    /**
     * The operand Lua blames if {@code r[b..c]} cannot be joined: it joins from the right, so the
     * rightmost operand that is neither string nor number, or its left neighbour if that is one too.
     */
    private static int concatCulprit(LuaValue[] r, int b, int c) {
        for (int i = c; i >= b; i--) {
            if (!joinable(r[i])) {
                return i == c && i > b && !joinable(r[i - 1]) ? i - 1 - b : i - b;
            }
        }
        return -1;
    }

    private static boolean joinable(LuaValue v) {
        int type = v == null ? LuaValue.TNIL : v.type();
        return type == LuaValue.TSTRING || type == LuaValue.TNUMBER;
    }

    @Override
    public void concatResult(LuaValue result) {
        if (result.type() == LuaValue.TSTRING && result.rawlen() > maxStringLength) {
            checkStringLength(result.rawlen());
        }
    }

    /**
     * A table access that walked a long hash chain (one instruction per slot) or compared long string
     * keys byte by byte (one per {@link #KEY_BYTES_PER_UNIT} bytes).
     */
    @Override
    public void lookupWork(int steps, long bytesCompared) {
        charge(steps + bytesCompared / KEY_BYTES_PER_UNIT);
    }

    /**
     * Bytes of keys compared per instruction charged: Luaj's {@code raweq} compares byte by byte at
     * ~2 ns per byte (measured by the library-CPU benchmark: ~38 ns per 16 bytes), slower than the
     * engine's own comparisons ({@link Meter#COMPARE_BYTES_PER_UNIT}).
     */
    static final int KEY_BYTES_PER_UNIT = 4;

    /** Bytes copied by a concatenation per instruction charged. */
    static final int CONCAT_BYTES_PER_UNIT = 16;

    /** The same for {@code a .. b} in compiled code (no array). */
    @Override
    public void concat(LuaValue a, LuaValue b) {
        long length = concatLength(a) + concatLength(b);
        if (length < 0) {
            concatCulprit = !joinable(b) && joinable(a) ? 1 : 0;
        }
        if (length > maxStringLength) {
            checkStringLength(length);
        }
        if (length >= CONCAT_BYTES_PER_UNIT) {
            charge((int) (length / CONCAT_BYTES_PER_UNIT));
        }
    }

    /** What a value adds to a concatenation (as above), or Integer.MIN_VALUE when a metamethod decides. */
    private static long concatLength(LuaValue v) {
        int type = v.type();
        if (type == LuaValue.TSTRING) {
            return v.rawlen();
        }
        return type == LuaValue.TNUMBER ? textLength(v) + NUMBER_TEXT_BYTES + numberText(v) : Integer.MIN_VALUE;
    }

    /** The length of a number's text, as {@code ..} writes it. */
    private static int textLength(LuaValue number) {
        return org.scriptbox.engine.vm.NumberText.string(number).length();
    }

    /**
     * A {@code ..} of strings and numbers only ({@link org.scriptbox.engine.vm.Concat}): the exact length is
     * checked; the charge is the copy's (one instruction per {@link #CONCAT_BYTES_PER_UNIT} bytes), with
     * {@link #NUMBER_TEXT_BYTES} bytes more for making each number's text and {@link #FLOAT_TEXT_COST}
     * instructions more for each double's, times its weight (the charges of session 6, the length now the real one).
     */
    @Override
    public void concatTexts(long length, int numbers, int doubles) {
        if (length > maxStringLength) {
            checkStringLength(length);
        }
        charge((int) ((length + (long) NUMBER_TEXT_BYTES * numbers) / CONCAT_BYTES_PER_UNIT) + doubles * FLOAT_TEXT_COST);
    }

    /** Bytes of copying a number's text is charged as, beside its length (see {@link #concatTexts}). */
    static final int NUMBER_TEXT_BYTES = 24;

    /**
     * Instructions a number's text costs when it is made for a concatenation ({@code ..}, {@code table.concat}):
     * a whole number is a long's digits, a fraction Lua's {@code %.14g} (~80 ns, ~18 plain instructions: three
     * float operands of {@code ..} cost ~11x a plain instruction per charged one, red team C4). Returned as bytes
     * of the concatenation's charge, {@link #CONCAT_BYTES_PER_UNIT} per instruction.
     */
    static int numberText(LuaValue number) {
        return number.isinttype() ? 0 : FLOAT_TEXT_COST * CONCAT_BYTES_PER_UNIT * org.scriptbox.engine.vm.NumberText.weight(number.todouble());
    }

    /** Instructions per fraction turned into text by a concatenation (see {@link #numberText}). */
    static final int FLOAT_TEXT_COST = 8;

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

    /**
     * What a library function returned ({@link LibraryCall}): a string is held to the length limit and
     * pays for its bytes.
     */
    LuaValue checkResult(LuaValue v, int bytesPerUnit) {
        if (v.type() == LuaValue.TSTRING) {
            int length = v.rawlen();
            if (length > maxStringLength) {
                checkStringLength(length);
            }
            charge(length / bytesPerUnit);
        }
        return v;
    }

    /** {@link #checkResult} for every value of {@code r}, and one instruction per few values. */
    Varargs checkResults(Varargs r, int bytesPerUnit) {
        if (r instanceof LuaValue) {
            checkResult((LuaValue) r, bytesPerUnit);
            return r;
        }
        int n = r.narg();
        long bytes = 0;
        for (int i = 1; i <= n; i++) {
            LuaValue v = r.arg(i);
            if (v.type() == LuaValue.TSTRING) {
                int length = v.rawlen();
                if (length > maxStringLength) {
                    checkStringLength(length);
                }
                bytes += length;
            }
        }
        charge((int) Math.min(Integer.MAX_VALUE, n / LibraryCall.VALUES_PER_UNIT + bytes / bytesPerUnit));
        return r;
    }

    /**
     * Counts {@code n} instructions' worth of work done inside a library function (pattern steps,
     * comparisons, bytes scanned): the budget, deadline and cancel flag are checked as soon as the count
     * reaches the next check, as in the interpreter loop. Long work calls this from its loop.
     */
    @Override
    public void charge(int n) {
        charged += n;
        ticks -= n;
        if (ticks <= 0) {
            check();
        }
    }

    /** What can be charged before a charge meets {@link #check()}: a batching loop charges when it reaches this. */
    @Override
    public int room() {
        return Math.max(1, ticks);
    }

    /** {@link #charge(int)} of a count that may exceed an int. */
    void charge(long n) {
        while (n > 0) {
            int part = (int) Math.min(n, 1 << 30);
            charge(part);
            n -= part;
        }
    }

    private static final OncePerInterval INTERNAL_ERROR_LOG = new OncePerInterval(java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Budget.class);

    /** Logged once per exception class and minute (its message may carry script text: escaped, stack at DEBUG). */
    @Override
    public org.luaj.vm2.LuaError internalError(Exception e) {
        if (INTERNAL_ERROR_LOG.shouldLog(e.getClass().getName())) {
            LOG.warn("internal error of the Lua VM, reported to the script without details: {} (repeats within a minute"
                    + " are not logged)", org.scriptbox.api.text.SafeText.line(String.valueOf(e)));
            LOG.debug("the cause", e);
        }
        return super.internalError(e);
    }

    /** Not used by the patched interpreter; kept for anything that still asks a debuglib. */
    @Override
    public String traceback(int level) {
        return TRACEBACK_MARK;
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
        chunk = ticks; // accounted: instructions() stays exact if a limit ends the run here
        if (cancellation.isCancelled()) {
            trip(ErrorKind.CANCELLED, "cancelled: " + cancellation.reason());
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            trip(ErrorKind.TIMEOUT, "execution time limit of " + limits.maxExecutionTime().toMillis() + " ms exceeded");
        }
        if (executed > limits.maxInstructions()) {
            trip(ErrorKind.LIMIT, "instruction limit of " + limits.maxInstructions() + " exceeded");
        }
        checkMemory();
        jitter ^= jitter << 13;
        jitter ^= jitter >>> 17;
        jitter ^= jitter << 5;
        chunk = chunk(CHECK_INTERVAL - (jitter & 1023), limits.maxInstructions() - executed);
        ticks = chunk;
    }

    /** Accounts what the current thread allocated since its last accounting, and checks the memory limit. */
    void checkMemory() {
        Frames f = frames();
        long now = meter.currentThreadAllocatedBytes();
        allocated += now - f.allocMark;
        f.allocMark = now;
        if (allocated > limits.maxMemoryBytes()) {
            trip(ErrorKind.LIMIT, "memory limit of " + Sizes.readable(limits.maxMemoryBytes()) + " exceeded ("
                    + Sizes.readable(allocated) + " allocated)");
        }
    }

    /**
     * Ends the execution with a limit error. Never returns. Its position and traceback are filled in by
     * the interpreter frames it unwinds through (see {@link LimitBreach#passedFrame}).
     */
    LimitBreach trip(ErrorKind kind, String message) {
        LimitBreach b = breach;
        if (b == null) {
            b = new LimitBreach(kind, message);
            breach = b;
        }
        // the run's count is what ran, not the check block it broke in
        executed = instructions();
        chunk = 0;
        ticks = 0;
        throw b;
    }

    /**
     * A fresh start under {@code hookLimits}, {@code hookCancellation} and {@code hookDeadlineNanos} for the
     * script's on_stop hook, on this same object because compiled closures hold it: the breach that ended
     * the run is forgotten, instructions, bytes and depth count from zero. Only on the execution's own
     * thread once the run has ended (its coroutines ended, nothing else uses the budget).
     */
    void restart(ResourceLimits hookLimits, Cancellation hookCancellation, long hookDeadlineNanos) {
        limits = hookLimits;
        cancellation = hookCancellation;
        deadlineNanos = hookDeadlineNanos;
        breach = null;
        executed = 0;
        allocated = 0;
        tailFunction = null;
        tailMark = -1;
        charged = 0;
        Frames f = frames();
        f.depth = 0;
        f.allocMark = meter.currentThreadAllocatedBytes();
        current = f;
        depth = 0;
        chunk = chunk(CHECK_INTERVAL, limits.maxInstructions());
        ticks = chunk;
    }

    /** The breach that tripped this budget, or {@code null}. (Other threads stop a run through the cancel flag.) */
    LimitBreach breach() {
        return breach;
    }

    /**
     * Gives a breach that unwound through no interpreter frame (it broke inside a call that the bottom
     * frame made as a tail call, {@code return f(x)}, which Luaj runs after that frame has left) the
     * position of that tail call.
     */
    void placeOutsideFrames(LimitBreach b) {
        if (b.file() == null && tailFunction != null) {
            b.passedFrame(tailFunction, tailPc);
        }
        b.freeze();
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

    // ---- frames ---------------------------------------------------------------------------------

    Frames frames() {
        LuaThread t = globals.running;
        Object cs = t.callstack;
        if (cs instanceof Frames) {
            return (Frames) cs;
        }
        Frames f = new Frames(meter.currentThreadAllocatedBytes());
        t.callstack = f;
        return f;
    }

    /** What the budget keeps per coroutine (or the main thread): its call depth and allocation mark. */
    static final class Frames {
        /** The coroutine's call depth while another one runs. */
        int depth;
        /** The owning Java thread's allocated-bytes counter at its last accounting. */
        long allocMark;

        Frames(long allocMark) {
            this.allocMark = allocMark;
        }
    }
}
