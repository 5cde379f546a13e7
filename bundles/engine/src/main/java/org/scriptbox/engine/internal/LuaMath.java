package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.MathLib;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Luaj's {@code math} library with what its JSE variant ({@code org.luaj.vm2.lib.jse.JseMathLib}) adds:
 * {@code acos}, {@code asin}, {@code atan}, {@code atan2}, {@code cosh}, {@code exp}, {@code log},
 * {@code pow}, {@code sinh}, {@code tanh} from {@link Math}, and {@link Math#pow} for {@code ^} (core
 * Luaj's own power function is an approximation). The engine does not embed {@code org.luaj.vm2.lib.jse}:
 * that package also holds {@code LuajavaLib} (Java objects for scripts) and {@code JseProcess}.
 *
 * <p>Also as C's and Lua 5.2's (red team E15, session 9; Luaj's gave other values): {@code log} with a base
 * ({@code math.log(8, 2)} was {@code log(8)}), {@code ldexp} ({@code ldexp(1, 2^31 - 1)} was 0.5, {@code ldexp(1, -1075)}
 * -7.98e292), {@code frexp} of NaN, infinities and subnormals, {@code fmod} by an infinity (the dividend, not NaN),
 * {@code modf} of an infinity (fraction 0), {@code max}/{@code min} past a NaN (Lua compares, NaN loses), and
 * {@code 1 ^ nan}, {@code (-1) ^ inf} (1, as C's {@code pow}; Java's {@code Math.pow} says NaN).
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
        math.set("log", new Log());
        math.set("ldexp", new Ldexp());
        math.set("frexp", new Frexp());
        math.set("fmod", new Fmod());
        math.set("modf", new Modf());
        math.set("max", new Extreme(true));
        math.set("min", new Extreme(false));
        return math;
    }

    /** {@code a ^ b} in Lua code and {@code math.exp} in Luaj's core library (through MathLib.MATHLIB). */
    @Override
    public double dpow_lib(double a, double b) {
        return pow(a, b);
    }

    /** C's {@code pow}: as {@link Math#pow} but that 1 to any power, and -1 to an infinite one, is 1. */
    static double pow(double a, double b) {
        if (a == 1 || a == -1 && Double.isInfinite(b)) {
            return 1;
        }
        return Math.pow(a, b);
    }

    static final class Acos extends UnaryOp { protected double call(double d) { return Math.acos(d); } }
    static final class Asin extends UnaryOp { protected double call(double d) { return Math.asin(d); } }
    static final class Atan extends UnaryOp { protected double call(double d) { return Math.atan(d); } }
    static final class Atan2 extends BinaryOp { protected double call(double y, double x) { return Math.atan2(y, x); } }
    static final class Cosh extends UnaryOp { protected double call(double d) { return Math.cosh(d); } }
    static final class Exp extends UnaryOp { protected double call(double d) { return Math.exp(d); } }
    static final class Pow extends BinaryOp { protected double call(double x, double y) { return LuaMath.pow(x, y); } }
    static final class Sinh extends UnaryOp { protected double call(double d) { return Math.sinh(d); } }
    static final class Tanh extends UnaryOp { protected double call(double d) { return Math.tanh(d); } }

    /** {@code math.log(x [, base])}: Lua 5.4's (base 2 and 10 as {@code log2}/{@code log10}, exact for powers). */
    static final class Log extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            double x = args.checkdouble(1);
            if (args.isnoneornil(2)) {
                return valueOf(Math.log(x));
            }
            double base = args.checkdouble(2);
            if (base == 10) {
                return valueOf(Math.log10(x));
            }
            if (base == 2) {
                return valueOf(x > 0 && x < Double.POSITIVE_INFINITY && Math.scalb(1.0, Math.getExponent(x)) == x
                        && Math.getExponent(x) >= Double.MIN_EXPONENT ? Math.getExponent(x) : Math.log(x) / Math.log(2));
            }
            return valueOf(Math.log(x) / Math.log(base));
        }
    }

    /** {@code math.ldexp(m, e)}: {@code m * 2^e}, rounded once (C's {@code ldexp}). */
    static final class Ldexp extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf(Math.scalb(args.checkdouble(1), args.checkint(2)));
        }
    }

    /** {@code math.frexp(x)}: {@code m, e} with {@code x = m * 2^e}, {@code 0.5 <= |m| < 1}; 0, NaN, infinities: {@code x, 0}. */
    static final class Frexp extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            double x = args.checkdouble(1);
            if (x == 0 || Double.isNaN(x) || Double.isInfinite(x)) {
                return varargsOf(valueOf(x), valueOf(0));
            }
            int shift = 0;
            if (Math.abs(x) < Double.MIN_NORMAL) {
                x *= 0x1p54; // a subnormal: made normal first
                shift = -54;
            }
            int e = Math.getExponent(x) + 1;
            return varargsOf(valueOf(Math.scalb(x, -e)), valueOf(e + shift));
        }
    }

    /** {@code math.fmod(a, b)}: C's {@code fmod} (Java's {@code %} on doubles): {@code fmod(5.5, math.huge)} is 5.5. */
    static final class Fmod extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf(args.checkdouble(1) % args.checkdouble(2));
        }
    }

    /** {@code math.modf(x)}: integral part toward zero and the rest; an infinity's rest is 0, NaN's NaN. */
    static final class Modf extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            double x = args.checkdouble(1);
            double n = x < 0 ? Math.ceil(x) : Math.floor(x);
            return varargsOf(valueOf(n), valueOf(n == x ? 0 : x - n));
        }
    }

    /** {@code math.max}/{@code math.min} as Lua's loop: a later value replaces the best only if it compares so. */
    static final class Extreme extends VarArgFunction {
        private final boolean max;

        Extreme(boolean max) {
            this.max = max;
        }

        @Override
        public Varargs invoke(Varargs args) {
            double best = args.checkdouble(1);
            for (int i = 2, n = args.narg(); i <= n; i++) {
                double d = args.checkdouble(i);
                if (max ? d > best : d < best) {
                    best = d;
                }
            }
            return valueOf(best);
        }
    }
}
