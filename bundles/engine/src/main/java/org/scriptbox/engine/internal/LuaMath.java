package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.MathLib;

/**
 * Luaj's {@code math} library with what its JSE variant ({@code org.luaj.vm2.lib.jse.JseMathLib}) adds:
 * {@code acos}, {@code asin}, {@code atan}, {@code atan2}, {@code cosh}, {@code exp}, {@code log},
 * {@code pow}, {@code sinh}, {@code tanh} from {@link Math}, and {@link Math#pow} for {@code ^} (core
 * Luaj's own power function is an approximation). The engine does not embed {@code org.luaj.vm2.lib.jse}:
 * that package also holds {@code LuajavaLib} (Java objects for scripts) and {@code JseProcess}.
 */
final class LuaMath extends MathLib {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        super.call(modname, env);
        LuaValue math = env.get("math");
        math.set("acos", new Acos());
        math.set("asin", new Asin());
        math.set("atan", new Atan());
        math.set("atan2", new Atan2());
        math.set("cosh", new Cosh());
        math.set("exp", new Exp());
        math.set("log", new Log());
        math.set("pow", new Pow());
        math.set("sinh", new Sinh());
        math.set("tanh", new Tanh());
        return math;
    }

    /** {@code a ^ b} in Lua code and {@code math.exp} in Luaj's core library (through MathLib.MATHLIB). */
    @Override
    public double dpow_lib(double a, double b) {
        return Math.pow(a, b);
    }

    static final class Acos extends UnaryOp { protected double call(double d) { return Math.acos(d); } }
    static final class Asin extends UnaryOp { protected double call(double d) { return Math.asin(d); } }
    static final class Atan extends UnaryOp { protected double call(double d) { return Math.atan(d); } }
    static final class Atan2 extends BinaryOp { protected double call(double y, double x) { return Math.atan2(y, x); } }
    static final class Cosh extends UnaryOp { protected double call(double d) { return Math.cosh(d); } }
    static final class Exp extends UnaryOp { protected double call(double d) { return Math.exp(d); } }
    static final class Log extends UnaryOp { protected double call(double d) { return Math.log(d); } }
    static final class Pow extends BinaryOp { protected double call(double x, double y) { return Math.pow(x, y); } }
    static final class Sinh extends UnaryOp { protected double call(double d) { return Math.sinh(d); } }
    static final class Tanh extends UnaryOp { protected double call(double d) { return Math.tanh(d); } }
}
