package org.scriptbox.engine.internal;

import org.scriptbox.api.text.OncePerInterval;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.lib.LibFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The one door through which a script reaches a library function ({@code string}, {@code table},
 * {@code math}, {@code os}, {@code coroutine} and the base functions). Every call through it:
 * <ul>
 * <li>counts one call level, so that every Lua → Java → Lua re-entry (metamethods reached from library
 * code, sort comparators, {@code gsub} callbacks, {@code return f(x)} tail calls into library functions,
 * coroutine resumes) meets the call-depth limit long before the Java stack ends;</li>
 * <li>pays a base cost in instructions, and afterwards one instruction per {@link #BYTES_PER_UNIT} bytes of
 * string and per {@link #VALUES_PER_UNIT} values it returned (work that grows with the arguments is
 * charged by the functions themselves, inside their loops: {@link Budget#charge});</li>
 * <li>holds every string it returns to the string-length limit, whatever made it (Luaj's own
 * {@code os.date}, {@code string.format}, ... included).</li>
 * </ul>
 * It keeps the arity of the call ({@code call(a, b)} stays {@code call(a, b)}) for fixed-arity functions;
 * a varargs function is always invoked with all its results, so that the values it made are charged and
 * checked even when the caller keeps only the first ({@code s:byte(1, -1)} as a statement made 10,000
 * values for one charged instruction). An iterator a function returns ({@code pairs}, {@code ipairs},
 * {@code string.gmatch}) is put behind the door too.
 */
class LibraryCall extends LibFunction {
    /** Bytes of returned string per instruction charged: a copy or scan of 8 bytes costs about one VM instruction. */
    static final int BYTES_PER_UNIT = 8;
    /** Returned values per instruction charged: the rate of {@code ...} passed on whole ({@link org.scriptbox.engine.vm.Meter#passed}). */
    static final int VALUES_PER_UNIT = org.scriptbox.engine.vm.Meter.VALUES_PER_UNIT;

    private final LuaValue function;
    final int cost;
    private final int bytesPerUnit;
    private final boolean varargs;
    private final boolean returnsIterator;
    private final boolean scansFirstArgument;
    /** Reads its number arguments as text ({@code string.*}, {@code table.concat}): each double gets Lua's text. */
    private final boolean textArguments;

    LibraryCall(String name, LuaValue function, int cost) {
        this.name = name;
        this.function = function;
        this.cost = cost;
        this.bytesPerUnit = LibraryCosts.resultBytesPerUnit(name);
        this.varargs = function instanceof VarArgFunction;
        this.returnsIterator = LibraryCosts.returnsIterator(name);
        this.scansFirstArgument = LibraryCosts.scansFirstArgument(name);
        this.textArguments = name.startsWith("string.") || name.equals("table.concat") || name.equals("os.date");
    }

    /** {@code function} behind the door, charging {@code cost} instructions per call; {@code function} if it is not one. */
    static LuaValue of(String name, LuaValue function, int cost) {
        if (!function.isfunction() || function instanceof LibraryCall) {
            return function;
        }
        // Lua 5.4's argument checks and wording in front of Luaj's function (org.scriptbox.engine.errors)
        LuaValue checked = org.scriptbox.engine.errors.LibrarySignatures.checked(name, function);
        java.util.function.DoubleUnaryOperator op = MathCall.operation(name, function);
        return op != null ? new MathCall(name, checked, cost, op) : new LibraryCall(name, checked, cost);
    }

    /**
     * One of Luaj's one-number math functions ({@code MathLib.UnaryOp}: {@code valueOf(f(arg.checkdouble()))}), which
     * compiled code calls with an unboxed number ({@link org.scriptbox.engine.vm.NumberFunction}). A number argument
     * passes the signature check and the wide-number guard unchanged in meaning and a number result costs nothing at
     * the door, so the call is: a call level, the base cost, {@code f}.
     */
    static final class MathCall extends LibraryCall implements org.scriptbox.engine.vm.NumberFunction {
        private final java.util.function.DoubleUnaryOperator op;

        MathCall(String name, LuaValue function, int cost, java.util.function.DoubleUnaryOperator op) {
            super(name, function, cost);
            this.op = op;
        }

        /** The operation of {@code function} if it is Luaj's own function of that name (not a replacement). */
        static java.util.function.DoubleUnaryOperator operation(String name, LuaValue function) {
            String luaj = "org.luaj.vm2.lib.MathLib$" + name.substring(name.indexOf('.') + 1);
            if (!name.startsWith("math.") || !function.getClass().getName().equals(luaj)) {
                return null;
            }
            switch (name) {
                case "math.sqrt": return Math::sqrt;
                case "math.abs": return Math::abs;
                case "math.floor": return Math::floor;
                case "math.ceil": return Math::ceil;
                case "math.sin": return Math::sin;
                case "math.cos": return Math::cos;
                default: return null;
            }
        }

        @Override
        public double callNumber(double x) {
            Budget b = enterCall();
            try {
                b.charge(cost);
                return op.applyAsDouble(x);
            } catch (RuntimeException e) {
                throw asLuaError(e);
            } finally {
                b.exit();
            }
        }
    }

    Budget enterCall() {
        return enter();
    }

    /** Every function of {@code table} put behind the door (in place), with the cost {@link LibraryCosts} gives. */
    static LuaTable wrapAll(String library, LuaTable table) {
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = table.next(k);
            if ((k = next.arg1()).isnil()) {
                return table;
            }
            LuaValue v = next.arg(2);
            if (v.isfunction() && k.isstring()) {
                String name = library == null ? k.tojstring() : library + "." + k.tojstring();
                table.rawset(k, of(name, v, LibraryCosts.baseCost(name)));
            }
        }
    }

    /** The results, checked and charged; an iterator among them behind the door. */
    private Varargs results(Budget b, Varargs r, boolean guarded) {
        r = owned(r, guarded);
        b.checkResults(r, bytesPerUnit);
        if (returnsIterator && r.arg1().isfunction() && !(r.arg1() instanceof LibraryCall)) {
            LuaValue iterator = new LibraryCall(name + " iterator", r.arg1(), LibraryCosts.ITERATOR_STEP);
            return r.narg() <= 1 ? iterator : varargsOf(iterator, r.subargs(2));
        }
        return r;
    }

    private LuaValue result(Budget b, LuaValue v, boolean guarded) {
        return b.checkResult(owned(v, guarded), bytesPerUnit);
    }

    /**
     * A result as the script may have it: a {@link WideNumber} made for the call is the plain number again, and a
     * table one of Luaj's library functions made ({@code os.date('*t')}: Luaj calls {@code new LuaTable}) becomes an
     * engine table, which keeps the table-size limit and the charged lookups ({@link EngineTable}).
     */
    private static LuaValue owned(LuaValue v, boolean guarded) {
        if (v.getClass() == LuaTable.class) {
            return EngineTable.copyOf((LuaTable) v);
        }
        return guarded ? WideNumber.unguard(v) : v;
    }

    private static Varargs owned(Varargs r, boolean guarded) {
        if (!guarded) {
            // Luaj's table-making library functions return the table as their one result: the first is the one to
            // look at, and a call with many results (table.unpack) pays nothing per value for it.
            LuaValue first = r.arg1();
            return first.getClass() == LuaTable.class ? r.narg() <= 1 ? owned(first, false) : varargsOf(owned(first, false), r.subargs(2)) : r;
        }
        int n = r.narg();
        LuaValue[] fixed = null;
        for (int i = 1; i <= n; i++) {
            LuaValue v = r.arg(i);
            LuaValue f = owned(v, guarded);
            if (f != v && fixed == null) {
                fixed = new LuaValue[n];
                for (int j = 1; j < i; j++) {
                    fixed[j - 1] = r.arg(j);
                }
            }
            if (fixed != null) {
                fixed[i - 1] = f;
            }
        }
        return fixed == null ? r : varargsOf(fixed);
    }

    /** The arguments with every double an int conversion would wrap as a {@link WideNumber}, or {@code args}. */
    private Varargs guarded(Varargs args, Budget b) {
        int n = args.narg();
        LuaValue[] fixed = null;
        for (int i = 1; i <= n; i++) {
            LuaValue v = args.arg(i);
            LuaValue g = guard(v, b);
            if (g != v && fixed == null) {
                fixed = new LuaValue[n];
                for (int j = 1; j < i; j++) {
                    fixed[j - 1] = args.arg(j);
                }
            }
            if (fixed != null) {
                fixed[i - 1] = g;
            }
        }
        return fixed == null ? args : varargsOf(fixed);
    }

    /** {@code v}, or a {@link WideNumber} in its place (see {@link #textArguments}). */
    private LuaValue guard(LuaValue v, Budget b) {
        return textArguments ? WideNumber.guardText(v, b) : WideNumber.guard(v, b);
    }

    /** A function that reads every byte of a string it is given but returns no string ({@code tonumber}). */
    private void chargeArgument(Budget b, LuaValue a) {
        if (scansFirstArgument && a.type() == TSTRING) {
            b.charge(a.rawlen() / BYTES_PER_UNIT);
        }
    }

    /** Logs a Java exception from library code once per function and minute, without the script's text. */
    private static final OncePerInterval FAILURE_LOG = new OncePerInterval(java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LibraryCall.class);

    /**
     * A Lua error passes as it is; any other exception from inside a library function (Luaj's own code:
     * {@code string.format('%-05d', 1)} reached {@code java.util.Formatter}'s IllegalFormatFlagsException,
     * red-team F1) becomes a Lua error the script can catch, naming the function and nothing of Java. The
     * door is the one mechanism: whatever a library function does wrong, no Java text reaches a script.
     */
    RuntimeException asLuaError(RuntimeException e) {
        if (e instanceof org.luaj.vm2.LuaError) {
            return e;
        }
        if (FAILURE_LOG.shouldLog(name)) {
            LOG.warn("library function {} failed with {}: refused to the script as a bad argument (repeats within a minute"
                    + " are not logged)", name, e.getClass().getName());
        }
        String what = e instanceof java.util.IllegalFormatException ? "invalid conversion" : "invalid arguments";
        return new org.luaj.vm2.LuaError("bad argument to '" + name + "' (" + what + ")");
    }

    private Budget enter() {
        Budget b = SafeStrings.budget();
        b.enter();
        return b;
    }

    @Override
    public LuaValue call() {
        Budget b = enter();
        try {
            b.charge(cost);
            return varargs ? results(b, function.invoke(NONE), false).arg1() : result(b, function.call(), false);
        } catch (RuntimeException e) {
            throw asLuaError(e);
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a) {
        Budget b = enter();
        try {
            b.charge(cost);
            chargeArgument(b, a);
            LuaValue ga = guard(a, b);
            boolean guarded = ga != a;
            return varargs ? results(b, function.invoke(ga), guarded).arg1() : result(b, function.call(ga), guarded);
        } catch (RuntimeException e) {
            throw asLuaError(e);
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a, LuaValue c) {
        Budget b = enter();
        try {
            b.charge(cost);
            chargeArgument(b, a);
            LuaValue ga = guard(a, b);
            LuaValue gc = guard(c, b);
            boolean guarded = ga != a || gc != c;
            return varargs ? results(b, function.invoke(varargsOf(ga, gc)), guarded).arg1()
                    : result(b, function.call(ga, gc), guarded);
        } catch (RuntimeException e) {
            throw asLuaError(e);
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a, LuaValue c, LuaValue d) {
        Budget b = enter();
        try {
            b.charge(cost);
            chargeArgument(b, a);
            LuaValue ga = guard(a, b);
            LuaValue gc = guard(c, b);
            LuaValue gd = guard(d, b);
            boolean guarded = ga != a || gc != c || gd != d;
            return varargs ? results(b, function.invoke(varargsOf(ga, gc, gd)), guarded).arg1()
                    : result(b, function.call(ga, gc, gd), guarded);
        } catch (RuntimeException e) {
            throw asLuaError(e);
        } finally {
            b.exit();
        }
    }

    @Override
    public Varargs invoke(Varargs args) {
        Budget b = enter();
        try {
            b.charge(cost);
            chargeArgument(b, args.arg1());
            Varargs g = guarded(args, b);
            return results(b, function.invoke(g), g != args);
        } catch (RuntimeException e) {
            throw asLuaError(e);
        } finally {
            b.exit();
        }
    }

    @Override
    public Varargs onInvoke(Varargs args) {
        return invoke(args);
    }
}
