package org.scriptbox.engine.errors;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.LibFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The standard library's argument checks as Lua 5.4 makes them (luaL_check*, luaL_opt*, luaL_argexpected in
 * lbaselib/lstrlib/lmathlib/ltablib/loslib/lcorolib), made before Luaj's function runs, so that a script reads
 * {@code bad argument #1 to 'rep' (string expected, got no value)} where Luaj said {@code bad argument: string
 * expected, got nil} (no argument number, no function, nil for a missing argument) or accepted what Lua refuses
 * ({@code math.fmod(1, 0)}, {@code table.insert(t, 9, v)}). A non-integral number where an integer is expected keeps
 * the engine's rule (truncated as in Lua 5.2; beyond the 32-bit range an error). Luaj's own numbered refusals ({@code bad argument #1: index out of range}) get the
 * function's name the same way. Only refusals are added: whatever passes these checks reaches Luaj as before.
 * <p>
 * A signature is one letter per parameter: {@code s} string (a number converts), {@code n} number (a numeric
 * string converts), {@code i} integer (a number here), {@code t} table, {@code f}
 * function, {@code c} coroutine, {@code v} any value but present, {@code r} gsub's replacement, {@code m} nil or
 * table, {@code x} table or string, {@code -} anything (not checked here); a {@code ?} after it: optional (absent or nil); a {@code *} after it: every
 * further argument alike.
 */
public final class LibrarySignatures {
    private static final Map<String, String> SIGNATURES = new HashMap<>();
    /** How the engine's WideNumber refuses a number an int conversion would wrap (engine.internal.WideNumber). */
    private static final String WIDE = "bad argument: number has no integer representation";
    private static final Pattern LUAJ_NUMBERED = Pattern.compile("^bad argument #(\\d+): (.*)$", Pattern.DOTALL);
    private static final Pattern CONCAT_ELEMENT = Pattern.compile("^invalid value \\(at index (\\d+)\\) in table for 'concat'$");

    static {
        String[][] table = {
                // string
                {"string.byte", "si?i?"}, {"string.char", "i*"}, {"string.find", "ssi?"}, {"string.format", "s"},
                {"string.gmatch", "ss"}, {"string.gsub", "ssri?"}, {"string.len", "s"}, {"string.lower", "s"},
                {"string.match", "ssi?"}, {"string.rep", "sis?"}, {"string.reverse", "s"}, {"string.sub", "sii?"},
                {"string.upper", "s"},
                // math
                {"math.abs", "n"}, {"math.ceil", "n"}, {"math.floor", "n"}, {"math.sqrt", "n"}, {"math.exp", "n"},
                {"math.log", "nn?"}, {"math.sin", "n"}, {"math.cos", "n"}, {"math.tan", "n"}, {"math.asin", "n"},
                {"math.acos", "n"}, {"math.atan", "nn?"}, {"math.deg", "n"}, {"math.rad", "n"}, {"math.fmod", "nn"},
                {"math.modf", "n"}, {"math.ult", "ii"}, {"math.tointeger", "v"}, {"math.random", "i?i?"}, {"math.max", "v"}, {"math.min", "v"},
                // table
                {"table.concat", "ts?i?i?"}, {"table.insert", "t"}, {"table.remove", "ti?"}, {"table.sort", "tf?"},
                {"table.unpack", "-i?i?"},
                // os (the sandbox's four)
                {"os.date", "s?i?"}, {"os.time", "t?"}, {"os.difftime", "nn"},
                // coroutine
                {"coroutine.create", "f"}, {"coroutine.resume", "c"}, {"coroutine.status", "c"}, {"coroutine.wrap", "f"},
                {"coroutine.close", "c"},
                // base
                {"assert", "v"}, {"getmetatable", "v"}, {"ipairs", "v"}, {"next", "tv?"}, {"pcall", "v"},
                {"rawequal", "vv"}, {"rawget", "tv"}, {"rawlen", "x"}, {"rawset", "tvv"}, {"select", "v"}, {"tonumber", "vi?"},
                {"setmetatable", "tm"}, {"tostring", "v"}, {"type", "v"}, {"xpcall", "-f"}, {"load", "-"},
        };
        for (String[] s : table) {
            SIGNATURES.put(s[0], s[1]);
        }
    }

    private LibrarySignatures() {
    }

    /** {@code function} with the checks of the library function {@code name} in front, or as it is if it has none. */
    public static LuaValue checked(String name, LuaValue function) {
        String signature = SIGNATURES.get(name);
        if (signature == null || !function.isfunction()) {
            return function;
        }
        return function instanceof VarArgFunction ? new CheckedVarArgs(name, signature, function)
                : new Checked(name, signature, function);
    }

    /** Refuses {@code args} as Lua would, or returns. */
    /** Functions with checks beyond their parameters' types ({@link #special}). */
    private static final java.util.Set<String> SPECIAL = java.util.Set.of("select", "tonumber", "load", "math.fmod",
            "math.random", "string.format", "table.insert", "table.remove");

    /** A signature read once: the kinds of the leading parameters and which are optional (a '*' part is Luaj's). */
    private static final class Signature {
        final char[] kinds;
        final boolean[] optional;
        final boolean special;

        Signature(String name, String text) {
            StringBuilder k = new StringBuilder();
            java.util.List<Boolean> o = new java.util.ArrayList<>();
            for (int i = 0; i < text.length(); i++) {
                char mark = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
                if (mark == '*') {
                    break;   // the rest is checked by Luaj's function; its refusal is numbered afterwards (named)
                }
                k.append(text.charAt(i));
                o.add(mark == '?');
                if (mark == '?') {
                    i++;
                }
            }
            kinds = k.toString().toCharArray();
            optional = new boolean[kinds.length];
            for (int i = 0; i < kinds.length; i++) {
                optional[i] = o.get(i);
            }
            special = SPECIAL.contains(name);
        }
    }

    /** Refuses {@code args} as Lua would, or returns. */
    static void check(String name, String signature, Varargs args) {
        check(name, new Signature(name, signature), args);
    }

    private static void check(String name, Signature signature, Varargs args) {
        char[] kinds = signature.kinds;
        for (int i = 0; i < kinds.length; i++) {
            check(name, kinds[i], signature.optional[i], args, i + 1);
        }
        if (signature.special) {
            special(name, args);
        }
    }

    private static void check(String name, char kind, boolean optional, Varargs args, int arg) {
        check(name, kind, optional, args.arg(arg), arg > args.narg(), arg);
    }

    /** A fixed-arity call's arguments, without a Varargs made for them (the common, cheap path). */
    private static void checkFixed(String name, Signature signature, int narg, LuaValue a, LuaValue b, LuaValue c) {
        char[] kinds = signature.kinds;
        for (int i = 0; i < kinds.length; i++) {
            LuaValue v = i == 0 ? a : i == 1 ? b : i == 2 ? c : NIL;
            check(name, kinds[i], signature.optional[i], v, i >= narg, i + 1);
        }
        if (signature.special) {
            special(name, narg == 0 ? NONE : narg == 1 ? a : narg == 2 ? LuaValue.varargsOf(a, b)
                    : LuaValue.varargsOf(a, b, c));
        }
    }

    private static final LuaValue NIL = LuaValue.NIL;
    private static final Varargs NONE = LuaValue.NONE;

    private static void check(String name, char kind, boolean optional, LuaValue v, boolean absent, int arg) {
        if (optional && v.isnil()) {
            return;
        }
        String got = absent ? "no value" : v.typename();
        switch (kind) {
            case 's':
                if (!v.isstring()) {   // a number is a string here, as in Lua
                    throw new ArgumentError(name, arg, "string expected, got " + got);
                }
                return;
            case 'n':
                if (!v.isnumber()) {   // a numeric string is a number here, as in Lua
                    throw new ArgumentError(name, arg, "number expected, got " + got);
                }
                return;
            case 'i':
                // a number: what is not integral is the engine's rule (truncated as in Lua 5.2; beyond the 32-bit
                // range an error, LibraryLimitsTest), not refused here
                if (!v.isnumber()) {
                    throw new ArgumentError(name, arg, "number expected, got " + got);
                }
                return;
            case 't':
                if (!v.istable()) {
                    throw new ArgumentError(name, arg, "table expected, got " + got);
                }
                return;
            case 'f':
                if (!v.isfunction()) {
                    throw new ArgumentError(name, arg, "function expected, got " + got);
                }
                return;
            case 'c':
                if (!v.isthread()) {
                    throw new ArgumentError(name, arg, "thread expected, got " + got);
                }
                return;
            case 'v':
                if (absent) {
                    throw new ArgumentError(name, arg, "value expected");
                }
                return;
            case 'r':
                if (!v.isstring() && !v.istable() && !v.isfunction()) {
                    throw new ArgumentError(name, arg, "string/function/table expected, got " + got);
                }
                return;
            case 'm':
                if (!v.isnil() && !v.istable()) {
                    throw new ArgumentError(name, arg, "nil or table expected, got " + got);
                }
                return;
            case 'x':
                if (!v.istable() && v.type() != LuaValue.TSTRING) {
                    throw new ArgumentError(name, arg, "table or string expected, got " + got);
                }
                return;
            case '-':
                return;
            default:
                throw new IllegalStateException("signature letter " + kind);
        }
    }

    /** The checks beyond the parameters' types. */
    private static void special(String name, Varargs args) {
        switch (name) {
            case "select":
                LuaValue index = args.arg1();   // select('#', ...) in a loop: no String made to look at it
                if (!(index.type() == LuaValue.TSTRING && index.rawlen() == 1
                        && ((org.luaj.vm2.LuaString) index).luaByte(0) == '#')) {
                    check(name, 'i', false, args, 1);
                }
                return;
            case "load":
                // lbaselib's order: the mode, the chunk name, then a chunk that is no string must be a reader
                check(name, 's', true, args, 3);
                check(name, 's', true, args, 2);
                if (!args.arg1().isstring()) {
                    check(name, 'f', false, args, 1);
                }
                return;
            case "tonumber":
                if (!args.arg(2).isnil()) {
                    if (args.arg1().type() != LuaValue.TSTRING) {
                        throw new ArgumentError(name, 1, "string expected, got " + args.arg1().typename());
                    }
                    double base = args.arg(2).todouble();
                    if (base < 2 || base > 36) {
                        throw new ArgumentError(name, 2, "base out of range");
                    }
                }
                return;
            case "math.random":
                if (args.narg() > 2) {
                    throw new LuaError("wrong number of arguments");
                }
                // random(0) is an integer with all bits random in 5.4: not an empty interval
                if (args.narg() == 2 && args.arg1().todouble() > args.arg(2).todouble()
                        || args.narg() == 1 && args.arg1().todouble() < 1 && args.arg1().todouble() != 0) {
                    throw new ArgumentError(name, 1, "interval is empty");
                }
                return;
            case "string.format":
                FormatArguments.check(name, args);
                return;
            case "math.fmod":
                if (isInteger(args.arg(1)) && isInteger(args.arg(2)) && args.arg(2).todouble() == 0) {
                    throw new ArgumentError(name, 2, "zero");
                }
                return;
            case "table.insert":
                if (args.narg() != 2 && args.narg() != 3) {
                    throw new LuaError("wrong number of arguments to 'insert'");
                }
                if (args.narg() == 3) {
                    check(name, 'i', false, args, 2);   // its bounds: SafeTables.Insert, against #t (__len)
                }
                return;
            default:
        }
    }

    /** {@code string.format}'s arguments as its conversions read them (lstrlib's str_format). */
    private static final class FormatArguments {
        static void check(String name, Varargs args) {
            // the format's bytes as they are (no Java string of it: this runs for every string.format call)
            org.luaj.vm2.LuaString fmt = args.arg1().checkstring();
            byte[] f = fmt.m_bytes;
            int end = fmt.m_offset + fmt.m_length;
            int arg = 1;
            for (int i = fmt.m_offset; i < end; i++) {
                if (f[i] != '%') {
                    continue;
                }
                if (++i < end && f[i] == '%') {
                    continue;
                }
                while (i < end && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0')) {
                    i++;
                }
                while (i < end && (f[i] >= '0' && f[i] <= '9' || f[i] == '.')) {
                    i++;
                }
                if (i >= end) {
                    return;   // an unfinished conversion: Luaj's and the engine's own wording
                }
                char conversion = (char) (f[i] & 0xff);
                if ("diouxXcaAeEfFgGsq".indexOf(conversion) < 0) {
                    return;   // an invalid conversion: left to the engine's LuaFormat
                }
                if (++arg > args.narg()) {
                    throw new ArgumentError(name, arg, "no value");
                }
                LuaValue v = args.arg(arg);
                if ("diouxXc".indexOf(conversion) >= 0) {
                    LibrarySignatures.check(name, 'i', false, args, arg);
                } else if ("aAeEfFgG".indexOf(conversion) >= 0) {
                    LibrarySignatures.check(name, 'n', false, args, arg);
                } else if (conversion == 'q' && !v.isnil() && !v.isboolean() && !v.isstring()) {
                    throw new ArgumentError(name, arg, "value has no literal form");
                }
            }
        }
    }

    /** A Lua integer: an integer subtype, or (Luaj keeps no subtype beyond 32 bits) an integral value. */
    private static boolean isInteger(LuaValue v) {
        return v.type() == LuaValue.TNUMBER && v.isinttype();
    }

    /**
     * Luaj's own numbered refusal ({@code bad argument #1: index out of range}) with the function's name; concat's
     * bad element named by its type as Lua does ({@code invalid value (table) at index 2 in table for 'concat'}).
     */
    static LuaError named(String name, Varargs args, LuaError e) {
        if (e instanceof ArgumentError || e.getClass() != LuaError.class) {
            return e;
        }
        String message = e.getMessage();
        if (name.equals("string.char") && message != null && message.startsWith("bad argument: ")) {
            for (int a = 1; a <= args.narg(); a++) {   // Luaj's unnumbered refusal of a char code: the first non-number
                if (!args.arg(a).isnumber()) {
                    return new ArgumentError(name, a, "number expected, got " + args.arg(a).typename());
                }
            }
            return e;
        }
        if (message != null && message.startsWith(WIDE)) {
            // the engine's refusal of a number beyond the 32-bit range (WideNumber): numbered at the first such argument
            for (int a = 1; a <= args.narg(); a++) {
                LuaValue v = args.arg(a).isnumber() ? args.arg(a).tonumber() : LuaValue.NIL;
                double d = v.isnil() ? 0 : v.todouble();
                if (v.isnumber() && !(d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE)) {
                    return new ArgumentError(name, a, message.substring("bad argument: ".length()));
                }
            }
            return e;
        }
        Matcher m = message == null ? null : LUAJ_NUMBERED.matcher(message);
        if (m == null || !m.matches()) {
            return e;
        }
        if (name.equals("string.char") && m.group(2).equals("invalid value")) {
            return new ArgumentError(name, Integer.parseInt(m.group(1)), "value out of range");
        }
        Matcher concat = CONCAT_ELEMENT.matcher(m.group(2));
        if (name.equals("table.concat") && concat.matches() && args.arg1().istable()) {
            int index = Integer.parseInt(concat.group(1));
            return new LuaError("invalid value (" + args.arg1().rawget(index).typename() + ") at index " + index
                    + " in table for 'concat'");
        }
        return new ArgumentError(name, Integer.parseInt(m.group(1)), m.group(2));
    }

    /** A fixed-arity library function behind its checks (its arity kept). */
    private static final class Checked extends LibFunction {
        private final Signature signature;
        private final LuaValue function;

        Checked(String name, String signature, LuaValue function) {
            this.name = name;
            this.signature = new Signature(name, signature);
            this.function = function;
        }

        @Override
        public LuaValue call() {
            checkFixed(name, signature, 0, NIL, NIL, NIL);
            try {
                return function.call();
            } catch (LuaError e) {
                throw named(name, NONE, e);
            }
        }

        @Override
        public LuaValue call(LuaValue a) {
            checkFixed(name, signature, 1, a, NIL, NIL);
            try {
                return function.call(a);
            } catch (LuaError e) {
                throw named(name, a, e);
            }
        }

        @Override
        public LuaValue call(LuaValue a, LuaValue b) {
            checkFixed(name, signature, 2, a, b, NIL);
            try {
                return function.call(a, b);
            } catch (LuaError e) {
                throw named(name, varargsOf(a, b), e);
            }
        }

        @Override
        public LuaValue call(LuaValue a, LuaValue b, LuaValue c) {
            checkFixed(name, signature, 3, a, b, c);
            try {
                return function.call(a, b, c);
            } catch (LuaError e) {
                throw named(name, varargsOf(a, b, c), e);
            }
        }

        @Override
        public Varargs invoke(Varargs args) {
            check(name, signature, args);
            try {
                return function.invoke(args);
            } catch (LuaError e) {
                throw named(name, args, e);
            }
        }
    }

    /** A varargs library function behind its checks. */
    private static final class CheckedVarArgs extends VarArgFunction {
        private final Signature signature;
        private final LuaValue function;

        CheckedVarArgs(String name, String signature, LuaValue function) {
            this.name = name;
            this.signature = new Signature(name, signature);
            this.function = function;
        }

        @Override
        public Varargs invoke(Varargs args) {
            check(name, signature, args);
            try {
                return function.invoke(args);
            } catch (LuaError e) {
                throw named(name, args, e);
            }
        }

        @Override
        public Varargs onInvoke(Varargs args) {
            return invoke(args);
        }
    }
}
