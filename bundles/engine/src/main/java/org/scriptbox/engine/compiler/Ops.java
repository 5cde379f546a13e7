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
        return rhs != 0 ? lhs / rhs : lhs > 0 ? Double.POSITIVE_INFINITY : lhs == 0 ? Double.NaN : Double.NEGATIVE_INFINITY;
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
