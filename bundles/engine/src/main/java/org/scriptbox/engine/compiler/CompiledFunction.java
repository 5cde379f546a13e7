package org.scriptbox.engine.compiler;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaFunction;
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
