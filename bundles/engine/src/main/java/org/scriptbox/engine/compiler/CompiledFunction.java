package org.scriptbox.engine.compiler;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.scriptbox.engine.vm.Meter;

/**
 * What every class the compiler writes extends: a Lua function of one {@link Prototype} with its upvalues,
 * the execution's globals and its {@link Meter}. The generated subclass implements the entry points the
 * interpreter's {@code MeteredClosure} has ({@code call()} to {@code call(a, b, c)} and {@code onInvoke}), each
 * passing its arguments to the generated body exactly as the interpreter places them in registers.
 */
public abstract class CompiledFunction extends LuaFunction {
    /** The prototype this class was compiled from (positions, names). */
    public final Prototype p;
    /** The execution's budget: passed from the main chunk to every closure it creates. */
    public final Meter meter;
    /** The execution's globals (interpreted closures created from compiled code need them). */
    public final Globals globals;
    public final UpValue[] upValues;

    protected CompiledFunction(Prototype p, Meter meter, Globals globals, UpValue[] upValues) {
        this.p = p;
        this.meter = meter;
        this.globals = globals;
        this.upValues = upValues;
        if (upValues.length >= Meter.UPVALUES_PER_UNIT) {
            meter.closureMade(upValues.length); // as the interpreter's closures are charged (MeteredClosure)
        }
    }

    /**
     * The non-number result of the last {@link #callNum} that answered NaN for it (null after a NaN that is the
     * number): set by the callee just before it returns, taken at once by the generated call site
     * ({@link Ops#nanResult}). Per closure, so nothing is shared beyond the one call; no coroutine switch can fall
     * between the store and the take.
     */
    LuaValue escaped;

    /**
     * {@code f(a)} with one result wanted as a number, for generated call sites whose arguments are numbers: the
     * same call as {@code call(valueOf(a))} (depth, charges, errors, positions). The result as a double, or NaN
     * with the value in {@link #escaped} when it is no number. A class whose prototype takes exactly this many
     * parameters overrides it with a body that keeps them unboxed ({@link FunctionWriter}'s typed entry).
     */
    public double callNum(double a) {
        return Ops.resultNumber(this, call(Ops.box(a)));
    }

    /** {@link #callNum(double)} with two arguments. */
    public double callNum(double a, double b) {
        return Ops.resultNumber(this, call(Ops.box(a), Ops.box(b)));
    }

    /** {@link #callNum(double)} with three arguments. */
    public double callNum(double a, double b, double c) {
        return Ops.resultNumber(this, call(Ops.box(a), Ops.box(b), Ops.box(c)));
    }

    @Override
    public final Varargs invoke(Varargs args) {
        return onInvoke(args).eval();
    }

    /** As the interpreter's closures print themselves (scripts see it through tostring). */
    @Override
    public String tojstring() {
        return "function: " + p.toString();
    }

    @Override
    public String name() {
        return "<" + p.shortsource() + ":" + p.linedefined + ">";
    }
}
