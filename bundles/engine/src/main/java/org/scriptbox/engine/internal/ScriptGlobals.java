package org.scriptbox.engine.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.SplittableRandom;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.scriptbox.engine.vm.NumberText;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.engine.vm.MeteredClosure;

/**
 * Fills one execution's fresh globals: Luaj's base functions minus the unsafe ones, the engine's own
 * {@code print}, {@code pcall}, {@code xpcall}, {@code load}, {@code require} and
 * {@code collectgarbage}, and per-execution copies of the shared library tables ({@link Sandbox}).
 */
final class ScriptGlobals {
    /** Nothing in a script can write to the JVM's stdout: print goes to the script's log. */
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    private ScriptGlobals() {
    }

    static void install(Globals g, Execution ex) {
        g.STDOUT = NOWHERE;
        g.STDERR = NOWHERE;
        new BaseLib().call(LuaValue.valueOf("_G"), g);
        g.compiler = null;
        g.loader = null;
        g.undumper = null;
        g.finder = null;
        for (String unsafe : new String[] {"dofile", "loadfile", "loadstring"}) {
            g.set(unsafe, LuaValue.NIL);
        }
        g.set("print", new Print(g, ex));
        g.set("pcall", new PCall(g));
        ErrorFunctions.Handling handling = new ErrorFunctions.Handling();
        g.set("xpcall", new XPCall(handling));
        ErrorFunctions.install(g, handling);
        g.set("load", new Load(ex));
        g.set("require", new Require(ex));
        g.set("collectgarbage", new CollectGarbage(ex));
        g.set("on_stop", new OnStop(ex));
        g.set("tostring", new ToString());
        g.set("tonumber", new ToNumber());
        g.set("rawequal", new RawEqual());
        g.set("rawset", new RawSet());
        g.set("string", Sandbox.copy(Sandbox.STRING));
        g.set("table", Sandbox.copy(Sandbox.TABLE));
        LuaTable math = Sandbox.copy(Sandbox.MATH);
        Random random = new Random();
        math.set("random", random);
        math.set("randomseed", random.seed());
        g.set("math", LibraryCall.wrapAll("math", math));
        g.set("os", Sandbox.copy(Sandbox.OS));
        LibraryCall.wrapAll(null, g);
    }

    /** Characters printed per instruction charged. */
    static final int PRINTED_CHARS_PER_UNIT = 4;

    /** {@code print(...)}: one INFO line in the script's log, values joined by tabs as Lua does. */
    static final class Print extends VarArgFunction {
        private final Globals globals;
        private final Execution ex;

        Print(Globals globals, Execution ex) {
            this.globals = globals;
            this.ex = ex;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue tostring = globals.get("tostring");
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= args.narg(); i++) {
                if (i > 1) {
                    sb.append('\t');
                }
                sb.append(LuaValues.text(tostring.call(args.arg(i)))); // stray bytes as U+FFFD, nothing swallowed (E6)
                ex.budget().checkStringLength(sb.length()); // one log line is one string
            }
            // the line is built, escaped and written: work that grows with it (red-team F9: print of a 9,999-character
            // string in a loop cost ~31x plain instructions per charged one)
            ex.budget().charge(sb.length() / PRINTED_CHARS_PER_UNIT);
            ex.log().log("INFO", sb.toString());
            return NONE;
        }
    }

    /** {@code rawequal(a, b)}: Luaj's, with a comparison of two long strings charged per byte (see Meter#eq). */
    static final class RawEqual extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue a = args.checkvalue(1);
            LuaValue b = args.checkvalue(2);
            return valueOf(a.type() == TSTRING && b.type() == TSTRING
                    ? SafeStrings.budget().eq(a, b) : a.raweq(b));
        }
    }

    /**
     * {@code rawset(t, k, v)}: Luaj's stored a NaN key (a table store checks its key, rawset did not), after which
     * every {@code next}/{@code pairs} over the table and the conversion of a result or host-call argument holding
     * it failed with {@code invalid key to 'next'} (red team C1). Refused with Lua's own words, as {@code t[k] = v}.
     */
    static final class RawSet extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = args.checktable(1);
            LuaValue k = args.checkvalue(2);
            LuaValue v = args.checkvalue(3);
            if (k.isnil()) {
                throw new LuaError("table index is nil");
            }
            if (!k.isvalidkey()) {
                throw new LuaError("table index is NaN");
            }
            t.rawset(k, v);
            return t;
        }
    }

    /** Instructions charged per error caught by pcall/xpcall: a Java exception thrown and its traceback built. */
    static final int CAUGHT_ERROR_COST = 150;

    /** An error raised anywhere (VM or library) and caught: microseconds of Java work for one instruction. */
    static void chargeCaughtError() {
        SafeStrings.budget().charge(CAUGHT_ERROR_COST);
    }

    /**
     * The value pcall/xpcall return for a caught error, charged: a flat cost, and one instruction per
     * {@link #CAUGHT_ERROR_BYTES_PER_UNIT} bytes of its message (Luaj builds, prefixes and copies the message
     * several times: {@code pcall(error, ('x'):rep(9999))} cost ~100 us against 150 instructions, red-team).
     */
    static LuaValue caught(LuaError e) {
        chargeCaughtError();
        LuaValue v = ErrorMessages.errorValue(e);
        if (v.type() == LuaValue.TSTRING) {
            SafeStrings.budget().charge(v.rawlen() / CAUGHT_ERROR_BYTES_PER_UNIT);
        }
        return v;
    }

    static final int CAUGHT_ERROR_BYTES_PER_UNIT = 1;

    /**
     * An error caught right after {@code f}, a Lua function, returned through a tail call ({@code return t(1)},
     * {@code return string.rep()}): the tail call failed after f's frame was gone, so no frame gave the error its
     * position; as in Lua (and as for the main chunk's own tail call) it takes f's tail call's position and names
     * (red team E3: it read {@code attempt to call table}). A library function's own error stays as it is.
     */
    static void afterTailCall(LuaValue f, LuaError e) {
        if (f instanceof org.scriptbox.engine.vm.MeteredClosure || f instanceof org.scriptbox.engine.compiler.CompiledFunction) {
            SafeStrings.budget().errorBeyondFrames(e);
        }
    }

    /** Luaj's pcall, minus the traceback that Luaj appends to messages; a {@link LimitBreach} passes through. */
    static final class PCall extends VarArgFunction {
        private final Globals globals;

        PCall(Globals globals) {
            this.globals = globals;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue func = args.checkvalue(1);
            // Its call level is counted by the LibraryCall in front of it.
            try {
                return varargsOf(TRUE, func.invoke(args.subargs(2)));
            } catch (LuaError e) {
                afterTailCall(func, e);
                return varargsOf(FALSE, caught(e));
            }
        }
    }

    /**
     * xpcall: the handler runs under the same budget, where xpcall catches the error (scriptbox keeps no
     * call stack to run it on at the error point: the error's frames are collected on the way instead,
     * and {@code debug.traceback} in the handler lists them); its own errors give "error in error handling".
     */
    static final class XPCall extends VarArgFunction {
        private final ErrorFunctions.Handling handling;

        XPCall(ErrorFunctions.Handling handling) {
            this.handling = handling;
        }

        @Override
        public Varargs invoke(Varargs args) {
            final LuaValue handler = args.checkvalue(2);
            try {
                return varargsOf(TRUE, args.arg1().invoke(args.subargs(3)));
            } catch (LuaError e) {
                afterTailCall(args.arg1(), e);
                LuaValue message = caught(e);
                LuaError outer = handling.enter(e);
                try {
                    return varargsOf(FALSE, handler.call(message));
                } catch (LuaError | StackOverflowError again) {
                    return varargsOf(FALSE, valueOf("error in error handling"));
                } finally {
                    handling.leave(outer);
                }
            }
        }
    }

    /**
     * {@code load(chunk [, chunkname [, mode [, env]]])}: text only, compiled with the engine's bounded
     * compiler, and run as a closure over this execution's globals, so the budget counts it. A custom
     * {@code env} replaces the chunk's {@code _ENV} upvalue only: a closure made over a plain table
     * would escape the instruction count (Luaj meters only closures of a Globals).
     */
    static final class Load extends VarArgFunction {
        static final int COMPILE_COST_PER_BYTE = 10;
        private final Execution ex;

        Load(Execution ex) {
            this.ex = ex;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue chunk = args.arg1();
            LuaValue nameArg = args.arg(2);
            // Lua's default name is the chunk's text for a string, "=(load)" for a reader; either way only
            // LUA_IDSIZE characters of it are kept (Luaj kept all of them in every prototype and message: a
            // 10,000-character name cost ~90 KB and ~600 us per load, red team)
            String name = ChunkNames.displayed(nameArg.isstring() ? ChunkNames.head(nameArg)
                    : chunk.isstring() ? ChunkNames.head(chunk) : "=(load)");
            String mode = args.optjstring(3, "bt");
            if (!mode.contains("t")) {
                return varargsOf(NIL, valueOf("attempt to load a text chunk (mode is '" + mode + "')"));
            }
            String source;
            if (chunk.isstring()) {
                source = chunk.tojstring();
            } else if (chunk.isfunction()) {
                try {
                    source = readPieces(chunk);
                } catch (LuaError e) {
                    // as Lua's lua_load: an error of the reader (or a piece that is no string) is load's failure,
                    // returned as nil and the error; a broken limit (not a LuaError) still ends the run
                    ScriptGlobals.afterTailCall(chunk, e);
                    return varargsOf(NIL, ScriptGlobals.caught(e));
                }
            } else {
                // refused before (LibrarySignatures, Lua's order and text); kept for a call without the door
                return argerror(1, "function expected, got " + chunk.typename());
            }
            if (source.length() > ex.limits().maxStringLength() && !chunk.isstring()) {
                return varargsOf(NIL, valueOf("chunk too long"));
            }
            if (!source.isEmpty() && source.charAt(0) == 0x1b) {
                return varargsOf(NIL, valueOf("attempt to load a binary chunk (mode is 't')"));
            }
            // Compiling costs ~10 VM instructions' worth per byte of source (measured: library-CPU benchmark).
            ex.budget().charge((long) source.length() * COMPILE_COST_PER_BYTE + jumpListCost(source));
            Prototype p;
            try {
                // the run's deadline, cancel and limits are checked as the compile reads (C5)
                p = ex.compiler().compilePrototype(name, source, ex.budget()::check);
            } catch (ScriptException e) {
                // Lua's form, chunk:line: message; the column is the deployer's addition for files
                ScriptError error = e.error();
                return varargsOf(NIL, valueOf(ScriptError.at(error.kind(), error.message(), error.file(), error.line(), 0)
                        .toString()));
            }
            MeteredClosure closure = ex.closure(p);
            if (!args.isnoneornil(4) && closure.upValues.length > 0) {
                closure.upValues[0].setValue(args.arg(4));
            }
            return closure;
        }

        /** Steps of Luaj's jump-list walk (~2 ns each) per instruction charged. */
        static final int JUMP_STEPS_PER_UNIT = 8;

        /**
         * Luaj's compiler walks a jump list to its end to append to it, so an expression of k {@code or}/{@code and}
         * costs ~k²/2 steps on top of its bytes: a 10,000-byte {@code a or a or ...} took ~650 ns per byte against
         * ~210 for ordinary source, and {@code load} of it in a loop ran at ~15x a plain instruction per charged
         * one (red team C5). Charged as if all of the source's {@code or}/{@code and} words were one expression (an
         * upper bound: 500 of them cost ~16,000 instructions); counted, so the same in every run.
         */
        static long jumpListCost(String source) {
            long k = logicalOperators(source);
            return k * k / 2 / JUMP_STEPS_PER_UNIT;
        }

        /** The words {@code or} and {@code and} in {@code source} (in strings and comments too: an upper bound). */
        static long logicalOperators(String source) {
            long n = 0;
            int len = source.length();
            for (int i = 0; i + 1 < len; i++) {
                char c = source.charAt(i);
                if ((c == 'o' && source.charAt(i + 1) == 'r' && word(source, i, 2))
                        || (c == 'a' && i + 2 < len && source.charAt(i + 1) == 'n' && source.charAt(i + 2) == 'd'
                        && word(source, i, 3))) {
                    n++;
                }
            }
            return n;
        }

        private static boolean word(String s, int at, int length) {
            return (at == 0 || !namePart(s.charAt(at - 1))) && (at + length >= s.length() || !namePart(s.charAt(at + length)));
        }

        private static boolean namePart(char c) {
            return c == '_' || c < 128 && Character.isLetterOrDigit(c);
        }

        private String readPieces(LuaValue reader) {
            StringBuilder sb = new StringBuilder();
            int max = ex.limits().maxStringLength();
            while (true) {
                LuaValue piece = reader.call();
                if (piece.isnil()) {
                    return sb.toString();
                }
                if (!piece.isstring()) {
                    throw new LuaError("reader function must return a string");
                }
                // a number is a string here, as lua_tolstring makes it (Luaj's length() of a number threw)
                String text = piece.tojstring();
                if (text.isEmpty()) {
                    return sb.toString();
                }
                sb.append(text);
                if (sb.length() > max) {
                    return sb.toString();
                }
            }
        }
    }

    /** {@code require(name)}: only other deployed scripts, through the request's ModuleResolver. */
    static final class Require extends OneArgFunction {
        private final Execution ex;

        Require(Execution ex) {
            this.ex = ex;
        }

        @Override
        public LuaValue call(LuaValue name) {
            return ex.require(name.checkjstring());
        }
    }

    /** {@code on_stop(function(reason) ... end)}: the cleanup hook run once after an abnormal end ({@link Execution}). */
    static final class OnStop extends OneArgFunction {
        private final Execution ex;

        OnStop(Execution ex) {
            this.ex = ex;
        }

        @Override
        public LuaValue call(LuaValue f) {
            if (!f.isnil() && !f.isfunction()) {
                argerror(1, "function or nil expected, got " + f.typename());
            }
            ex.armStopHook(f);
            return NONE;
        }
    }

    /** {@code tostring}: as Lua, a {@code __tostring} that returns no string is an error (Luaj passed its value on). */
    static final class ToString extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue value) {
            return FormatConversions.tostring(value);
        }
    }

    /**
     * {@code tonumber(v)}: a string read as Lua reads a number ({@link NumberText#parse}; Luaj's failed on
     * {@code "0x"} with a Java exception and knew no {@code "42\r"}, {@code "-0x10"} or {@code "0x1p4"});
     * with a base, Lua 5.2's ({@link #inBase}).
     */
    static final class ToNumber extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (!args.isnoneornil(2)) {
                return inBase(args.checkstring(1), args.checkint(2));
            }
            LuaValue v = args.arg1();
            if (v.type() == TNUMBER) {
                return v instanceof WideNumber ? WideNumber.unguard(v) : v;
            }
            if (v.type() == TSTRING) {
                double d = NumberText.parse(v.checkstring());
                return Double.isNaN(d) ? NIL : valueOf(d);
            }
            return NIL;
        }

        /**
         * Lua 5.2's {@code tonumber(s, base)} (lbaselib): C spaces around, one sign ({@code -} or {@code +}), at least one
         * digit of the base, the value accumulated as a double (no wrap, no overflow to nil). Luaj's trimmed only ' ', read
         * {@code '-'} as 0 and gave nil beyond 2^63 (red team E18). The signature check has refused bases outside 2..36.
         */
        static LuaValue inBase(org.luaj.vm2.LuaString s, int base) {
            byte[] b = s.m_bytes;
            int i = s.m_offset;
            int end = i + s.m_length;
            while (i < end && isSpace(b[i])) {
                i++;
            }
            boolean negative = false;
            if (i < end && (b[i] == '-' || b[i] == '+')) {
                negative = b[i] == '-';
                i++;
            }
            int digits = 0;
            double n = 0;
            for (; i < end; i++, digits++) {
                int c = b[i] & 0xff;
                int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
                if (digit >= base) {
                    break;
                }
                n = n * base + digit;
            }
            while (i < end && isSpace(b[i])) {
                i++;
            }
            return digits > 0 && i == end ? valueOf(negative ? -n : n) : NIL;
        }

        private static boolean isSpace(byte c) {
            return c == ' ' || c >= '\t' && c <= '\r';
        }
    }

    /** Only {@code collectgarbage("count")}: the execution's allocated kilobytes. */
    static final class CollectGarbage extends VarArgFunction {
        private final Execution ex;

        CollectGarbage(Execution ex) {
            this.ex = ex;
        }

        @Override
        public Varargs invoke(Varargs args) {
            String opt = args.optjstring(1, "collect");
            if (!"count".equals(opt)) {
                throw new LuaError("collectgarbage: only \"count\" is available to scripts");
            }
            ex.budget().checkMemory();
            double kb = ex.budget().allocatedBytes() / 1024.0;
            return varargsOf(valueOf(kb), valueOf((int) (ex.budget().allocatedBytes() % 1024)));
        }
    }

    /** math.random and math.randomseed with a generator of this execution's own. */
    static final class Random extends VarArgFunction {
        private SplittableRandom random = new SplittableRandom();

        @Override
        public Varargs invoke(Varargs args) {
            switch (args.narg()) {
                case 0:
                    return valueOf(random.nextDouble());
                case 1: {
                    int m = args.checkint(1);
                    if (m < 1) {
                        argerror(1, "interval is empty");
                    }
                    return valueOf(1 + random.nextInt(m));
                }
                default: {
                    int m = args.checkint(1);
                    int n = args.checkint(2);
                    if (n < m) {
                        argerror(2, "interval is empty");
                    }
                    return valueOf(m + (int) random.nextLong((long) n - m + 1));
                }
            }
        }

        LuaValue seed() {
            return new OneArgFunction() {
                @Override
                public LuaValue call(LuaValue seed) {
                    random = new SplittableRandom(seed.checklong());
                    return NONE;
                }
            };
        }
    }

}
