package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * String functions replaced so that limits hold inside Java-side library work, where the instruction
 * budget sees nothing: sizes are checked before anything is allocated, and pattern matching charges
 * every backtracking step to the instruction budget ({@link CountedPatterns}).
 */
final class SafeStrings {
    private SafeStrings() {
    }

    static void install(LuaTable string) {
        string.set("rep", new Rep());
        string.set("format", new Format());
        string.set("char", new Char((VarArgFunction) string.get("char")));
        string.set("upper", new Case(true));
        string.set("lower", new Case(false));
        CountedPatterns.install(string, SafeStrings::budget);
    }

    /**
     * {@code string.upper}/{@code string.lower} as Lua's in the C locale: byte by byte, only {@code a-z}/{@code A-Z}
     * change, the length never. Luaj's went through a Java string (UTF-8): {@code ('straße'):upper()} was
     * {@code 'STRASSE'}, {@code ('café'):upper()} {@code 'CAFÉ'}, and bytes that are not UTF-8 became U+FFFD
     * ({@code ('\255'):upper()} was 3 bytes): binary data was corrupted (red team E25).
     */
    static final class Case extends org.luaj.vm2.lib.OneArgFunction {
        private final boolean upper;

        Case(boolean upper) {
            this.upper = upper;
        }

        @Override
        public LuaValue call(LuaValue arg) {
            LuaString s = arg.checkstring();
            byte[] out = new byte[s.m_length];
            byte from = (byte) (upper ? 'a' : 'A');
            byte to = (byte) (upper ? 'z' : 'Z');
            for (int i = 0; i < out.length; i++) {
                byte b = s.m_bytes[s.m_offset + i];
                out[i] = b >= from && b <= to ? (byte) (b ^ 0x20) : b;
            }
            return LuaString.valueUsing(out);
        }
    }

    static Budget budget() {
        Execution ex = Execution.CURRENT.get();
        if (ex == null) {
            throw new IllegalStateException("string library used outside an execution");
        }
        return ex.budget();
    }

    /** {@code string.rep(s, n [, sep])}: the result's length is checked before it is built. */
    static final class Rep extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            int n = args.checkint(2);
            LuaString sep = args.optstring(3, EMPTYSTRING);
            if (n <= 0) {
                return EMPTYSTRING;
            }
            long length = (long) n * s.length() + (long) (n - 1) * sep.length();
            budget().checkStringLength(length);
            if (length == 0) {
                return EMPTYSTRING; // string.rep('', 1e9) must not loop a billion times
            }
            byte[] bytes = new byte[(int) length];
            // The first piece, then the filled part copied onto the rest, doubling: a few array copies
            // instead of n small ones. (Its length is charged by LibraryCall, one instruction per 8 bytes.)
            s.copyInto(0, bytes, 0, s.length());
            int unit = s.length() + sep.length();
            if (n > 1) {
                sep.copyInto(0, bytes, s.length(), sep.length());
                int filled = unit;
                while (filled < length) {
                    int chunk = (int) Math.min(filled, length - filled);
                    System.arraycopy(bytes, 0, bytes, filled, chunk);
                    filled += chunk;
                }
            }
            return LuaString.valueUsing(bytes);
        }
    }

    /** {@code string.format}: the engine's own ({@link LuaFormat}), charged per conversion. */
    static final class Format extends VarArgFunction {
        /** Instructions per conversion (measured: library-CPU benchmark). */
        static final int CONVERSION_COST = 60;

        private static int count(LuaString s, int b) {
            int n = 0;
            for (int i = 0; i < s.m_length; i++) {
                if (s.m_bytes[s.m_offset + i] == b) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString fmt = args.checkstring(1);
            Budget budget = budget();
            // Each conversion is microseconds of work at most (a float's exact digits; a float's text is charged per
            // character besides, LuaFormat), whatever its output: charged per '%' before formatting.
            budget.charge((long) CONVERSION_COST * count(fmt, '%'));
            return LuaFormat.format(args, budget); // held to the string-length limit while it is built
        }
    }

    /** {@code string.char(...)}: bounded by the number of arguments, which is checked anyway. */
    static final class Char extends VarArgFunction {
        private final VarArgFunction luaj;

        Char(VarArgFunction luaj) {
            this.luaj = luaj;
        }

        @Override
        public Varargs invoke(Varargs args) {
            budget().checkStringLength(args.narg());
            return luaj.invoke(args);
        }
    }
}
