package org.scriptbox.engine.compiler;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaDouble;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaInteger;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.MathLib;
import org.scriptbox.engine.vm.Meter;
import org.scriptbox.engine.vm.MeteredClosure;

/**
 * The parts of the interpreter's instructions that generated code calls instead of spelling them out in
 * bytecode. Each does what the matching case of the metered interpreter loop ({@code MeteredClosure.execute})
 * does, call for call, so that values, errors and charges are the same; keep them in step with it.
 */
public final class Ops {
    private Ops() {
    }

    /**
     * The object local of a register whose number is held unboxed in its double local
     * ({@link NumericRegisters}). A private userdata: no Lua value is ever identical to it, and generated
     * code boxes the number before any other use, so it never reaches Lua code or a library.
     */
    public static final LuaValue UNBOXED = new LuaUserdata(new Object());

    /**
     * The value the interpreter would have stored for a number computed in doubles: Luaj boxes every
     * arithmetic result with {@code LuaDouble.valueOf}, an integral double in the int range becoming a
     * {@code LuaInteger} (so -0 becomes 0; generated code adds 0.0 to each result for the same effect).
     */
    public static LuaValue box(double d) {
        return LuaDouble.valueOf(d);
    }

    /**
     * The value of a register that may hold its number unboxed ({@code r} is {@link #UNBOXED}, {@code d} its
     * number): what {@link #box} gives for it, else {@code r} itself. For generated code's rarely taken paths.
     */
    public static LuaValue value(LuaValue r, double d) {
        return r == UNBOXED ? box(d) : r;
    }

    /**
     * {@code t[k]} for a key held unboxed: an integral key in the int range goes to {@code get(int)} (no box; the same
     * lookup and charges as its {@code LuaInteger}), any other to {@code get} of the boxed number.
     */
    public static LuaValue getIndex(LuaValue t, double k) {
        int i = (int) k;
        return i == k ? t.get(i) : t.get(box(k));
    }

    /** {@code t[k] = v} for a key held unboxed, as {@link #getIndex}. */
    public static void setIndex(LuaValue t, double k, LuaValue v) {
        int i = (int) k;
        if (i == k) {
            t.set(i, v);
        } else {
            t.set(box(k), v);
        }
    }

    /**
     * What a typed entry ({@code CompiledFunction.callNum}) answers for its result {@code v}: the number, or NaN
     * with {@code v} left in {@code f.escaped} for the call site ({@link #nanResult}).
     */
    public static double resultNumber(CompiledFunction f, LuaValue v) {
        if (v instanceof org.luaj.vm2.LuaNumber) {
            return v.todouble();
        }
        f.escaped = v;
        return Double.NaN;
    }

    /** The value of a typed call that answered NaN: the non-number {@code f} left, else the number NaN. */
    public static LuaValue nanResult(CompiledFunction f) {
        LuaValue v = f.escaped;
        if (v != null) {
            f.escaped = null;
            return v;
        }
        return LuaDouble.NAN;
    }

    /** Luaj's {@code LuaDouble.ddiv} on doubles (x / 0 is inf, nan or -inf by the sign of x alone). */
    public static double div(double lhs, double rhs) {
        return rhs != 0 ? lhs / rhs : lhs > 0 ? Double.POSITIVE_INFINITY : lhs < 0 ? Double.NEGATIVE_INFINITY : Double.NaN; // NaN / 0: NaN (E15)
    }

    /** Luaj's {@code LuaDouble.dmod} on doubles. */
    public static double mod(double lhs, double rhs) {
        return rhs != 0 ? lhs - rhs * Math.floor(lhs / rhs) : Double.NaN;
    }

    /** Luaj's {@code MathLib.dpow} on doubles. */
    public static double pow(double lhs, double rhs) {
        return MathLib.dpow_d(lhs, rhs);
    }

    /**
     * Charges a group of {@code n} instructions at once if that brings no check ({@code ticks} stays above
     * zero, as it would after {@code n} single decrements); otherwise charges nothing and returns false (the
     * caller then charges them one by one: {@link #charge1}).
     */
    public static boolean fits(Meter m, int n) {
        int t = m.ticks - n;
        if (t > 0) {
            m.ticks = t;
            return true;
        }
        return false;
    }

    /** The interpreter's charge of one instruction. */
    public static void charge1(Meter m) {
        if (--m.ticks <= 0) {
            m.tick();
        }
    }

    /**
     * The interpreter's charge of one instruction on generated code's ticks local {@code t} (the budget's ticks, not
     * yet written to {@code m.ticks}): the ticks after it.
     */
    public static int charge1(Meter m, int t) {
        if (--t <= 0) {
            return Check.tick(m, t);
        }
        return t;
    }

    /** {@code m.tick()} for generated code whose ticks local reached {@code t <= 0}: the ticks after the check. */
    public static int tick(Meter m, int t) {
        return Check.tick(m, t); // 6 bytes where C2 inlines it
    }

    /**
     * Where generated code's charges call the budget's check (every few thousand instructions): a class C2 does not
     * inline into Lua code. HotSpot's C2 inlines no method of a {@code Throwable} subclass into a method of another
     * class below the top level ({@code InlineTree::should_not_inline}, "exception method"), and the check with what
     * it calls is ~450 bytes of bytecode: inlined at each charge of a big body (nbody's advance has ~70), three of them
     * used up the body's 8,000-byte inlining budget, so its field reads stayed calls. Never instantiated.
     */
    static final class Check extends Error {
        private static final long serialVersionUID = 1L;

        private Check() {
        }

        static int tick(Meter m, int t) {
            m.ticks = t;
            m.tick();
            return m.ticks;
        }
    }

    /**
     * The generic path of arithmetic ({@code Arithmetic.add} .. {@code pow}: coercion, metamethods, errors) for
     * generated code with its ticks local {@code t}, written out first; operands as {@link #value} takes them (a
     * register and its double). One call instead of the spelled-out boxes and write-out: 18 bytes less per instruction
     * in the body, whose size bounds what C2 inlines into it.
     */
    public static LuaValue arith(Meter m, int t, int op, LuaValue b, double db, LuaValue c, double dc) {
        m.ticks = t;
        LuaValue x = value(b, db);
        LuaValue y = value(c, dc);
        switch (op) {
            case org.luaj.vm2.Lua.OP_ADD:
                return org.scriptbox.engine.vm.Arithmetic.add(m, x, y);
            case org.luaj.vm2.Lua.OP_SUB:
                return org.scriptbox.engine.vm.Arithmetic.sub(m, x, y);
            case org.luaj.vm2.Lua.OP_MUL:
                return org.scriptbox.engine.vm.Arithmetic.mul(m, x, y);
            case org.luaj.vm2.Lua.OP_DIV:
                return org.scriptbox.engine.vm.Arithmetic.div(m, x, y);
            case org.luaj.vm2.Lua.OP_MOD:
                return org.scriptbox.engine.vm.Arithmetic.mod(m, x, y);
            case org.luaj.vm2.Lua.OP_POW:
                return org.scriptbox.engine.vm.Arithmetic.pow(m, x, y);
            default:
                throw new IllegalArgumentException("opcode " + op);
        }
    }

    /** The generic path of {@code EQ}/{@code LT}/{@code LE} (the meter's comparisons), as {@link #arith}. */
    public static boolean compare(Meter m, int t, int op, LuaValue b, double db, LuaValue c, double dc) {
        m.ticks = t;
        LuaValue x = value(b, db);
        LuaValue y = value(c, dc);
        switch (op) {
            case org.luaj.vm2.Lua.OP_EQ:
                return m.eq(x, y);
            case org.luaj.vm2.Lua.OP_LT:
                return m.lt(x, y);
            case org.luaj.vm2.Lua.OP_LE:
                return m.le(x, y);
            default:
                throw new IllegalArgumentException("opcode " + op);
        }
    }

    /** Arguments or results from registers: what {@code varargsOf(stack, a, n)} gives the interpreter. */
    public static Varargs args(LuaValue[] values) {
        return LuaValue.varargsOf(values, 0, values.length);
    }

    /** Registers followed by the open results of the instruction before (B = 0 or C = 0 in the interpreter). */
    public static Varargs args(LuaValue[] values, Varargs more) {
        return LuaValue.varargsOf(values, 0, values.length, more);
    }

    public static Varargs args(LuaValue a, LuaValue b) {
        return LuaValue.varargsOf(a, b);
    }

    public static Varargs args(LuaValue a, LuaValue b, LuaValue c) {
        return LuaValue.varargsOf(a, b, c);
    }

    /** {@code OP_CONCAT} of the operands {@code ops} (2 or more), checked by the meter before it is built. */
    public static LuaValue concat(Meter m, LuaValue[] ops) {
        return org.scriptbox.engine.vm.Concat.join(m, ops, 0, ops.length - 1); // as the interpreter (engine-text)
    }

    /** {@code OP_FORLOOP}: the next index, or null when the loop ends. */
    public static LuaValue forNext(LuaValue i0, LuaValue limit, LuaValue step) {
        if (i0 instanceof LuaInteger && limit instanceof LuaInteger && step instanceof LuaInteger) {
            int s = ((LuaInteger) step).v;
            long n = (long) ((LuaInteger) i0).v + s;
            int lim = ((LuaInteger) limit).v;
            return (s > 0 ? n <= lim : n >= lim) ? LuaInteger.valueOf(n) : null;
        }
        LuaValue idx = step.add(i0);
        return (step.gt_b(0) ? idx.lteq_b(limit) : idx.gteq_b(limit)) ? idx : null;
    }

    /**
     * The open upvalue of register {@code idx}, created on first capture. {@code open} is indexed by
     * register (the interpreter searches its list for the same index: the same sharing).
     */
    public static UpValue upvalue(UpValue[] open, LuaValue[] stack, int idx) {
        UpValue u = open[idx];
        if (u == null) {
            u = new UpValue(stack, idx);
            open[idx] = u;
        }
        return u;
    }

    /** Closes the open upvalues of registers {@code from} and above ({@code OP_JMP} with A > 0). */
    public static void close(UpValue[] open, int from) {
        for (int r = open.length; --r >= from; ) {
            UpValue u = open[r];
            if (u != null) {
                u.close();
                open[r] = null;
            }
        }
    }

    /**
     * An interpreted closure of a function the compiler left to the interpreter, with its upvalues, metered
     * by the execution's budget (the globals' debuglib, see Execution).
     */
    public static LuaFunction interpreted(Prototype p, Globals globals, UpValue[] upValues) {
        return new MeteredClosure(p, globals, (Meter) globals.debuglib, upValues);
    }

    /** {@code OP_SETLIST} with B = 0: the open results of the instruction before, after the registers. */
    public static void setlistRest(LuaValue table, int offset, Varargs v) {
        int n = v.narg();
        for (int j = 1; j <= n; j++) {
            table.set(offset + j, v.arg(j));
        }
    }
}
