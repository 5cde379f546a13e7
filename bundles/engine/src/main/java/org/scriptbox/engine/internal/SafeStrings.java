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
        string.set("format", new Format((VarArgFunction) string.get("format")));
        string.set("char", new Char((VarArgFunction) string.get("char")));
        CountedPatterns.install(string, SafeStrings::budget);
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

    /**
     * {@code string.format}: an upper bound of the result (the format, every string argument, and room
     * for each conversion's width) is checked before formatting.
     */
    static final class Format extends VarArgFunction {
        /** Instructions per conversion (measured: library-CPU benchmark). */
        static final int CONVERSION_COST = 60;
        private final VarArgFunction luaj;

        private static int count(LuaString s, int b) {
            int n = 0;
            for (int i = 0; i < s.m_length; i++) {
                if (s.m_bytes[s.m_offset + i] == b) {
                    n++;
                }
            }
            return n;
        }

        Format(VarArgFunction luaj) {
            this.luaj = luaj;
        }

        @Override
        public Varargs invoke(Varargs given) {
            Varargs args = FormatConversions.apply(given);
            LuaString fmt = args.checkstring(1);
            long bound = fmt.length();
            // %q may escape every character of its string: count strings twice when the format has a q.
            int perChar = fmt.indexOf((byte) 'q', 0) >= 0 ? 2 : 1;
            for (int i = 2; i <= args.narg(); i++) {
                // Luaj accepts widths and precisions of at most two digits: 99 characters per conversion.
                bound += 99 + (args.arg(i).type() == TSTRING ? (long) perChar * args.arg(i).rawlen() : 32);
            }
            Budget budget = budget();
            // Each conversion is microseconds of Java formatting (java.util.Formatter for %f/%e, Luaj's own
            // for the rest), whatever its output: charged per '%' before formatting.
            budget.charge((long) CONVERSION_COST * count(fmt, '%'));
            if (bound > 8L * budget.stringLimit()) {
                budget.checkStringLength(bound); // would allocate far more than the limit before we could check
            }
            if (bound > budget.stringLimit()) {
                LuaValue result = luaj.invoke(args).arg1();
                budget.checkStringLength(result.rawlen());
                return result;
            }
            return luaj.invoke(args);
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
