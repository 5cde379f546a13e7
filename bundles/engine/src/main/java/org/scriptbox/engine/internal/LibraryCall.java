package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.LibFunction;

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
 * It keeps the arity of the call ({@code call(a, b)} stays {@code call(a, b)}): no varargs are made for
 * the common fixed-arity calls.
 */
final class LibraryCall extends LibFunction {
    /** Bytes of returned string per instruction charged: a copy or scan of 8 bytes costs about one VM instruction. */
    static final int BYTES_PER_UNIT = 8;
    /** Returned values per instruction charged. */
    static final int VALUES_PER_UNIT = 4;

    private final LuaValue function;
    private final int cost;

    private LibraryCall(String name, LuaValue function, int cost) {
        this.name = name;
        this.function = function;
        this.cost = cost;
    }

    /** {@code function} behind the door, charging {@code cost} instructions per call; {@code function} if it is not one. */
    static LuaValue of(String name, LuaValue function, int cost) {
        if (!function.isfunction() || function instanceof LibraryCall) {
            return function;
        }
        return new LibraryCall(name, function, cost);
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
            return b.checkResult(function.call());
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a) {
        Budget b = enter();
        try {
            b.charge(cost);
            return b.checkResult(function.call(a));
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a, LuaValue c) {
        Budget b = enter();
        try {
            b.charge(cost);
            return b.checkResult(function.call(a, c));
        } finally {
            b.exit();
        }
    }

    @Override
    public LuaValue call(LuaValue a, LuaValue c, LuaValue d) {
        Budget b = enter();
        try {
            b.charge(cost);
            return b.checkResult(function.call(a, c, d));
        } finally {
            b.exit();
        }
    }

    @Override
    public Varargs invoke(Varargs args) {
        Budget b = enter();
        try {
            b.charge(cost);
            return b.checkResults(function.invoke(args));
        } finally {
            b.exit();
        }
    }

    @Override
    public Varargs onInvoke(Varargs args) {
        return invoke(args);
    }
}
