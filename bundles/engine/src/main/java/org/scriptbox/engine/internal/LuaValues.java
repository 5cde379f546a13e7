package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.scriptbox.api.ErrorKind;

/**
 * Converts between Lua values and plain Java values, as the API's {@code ScriptFunction} states:
 * nil ↔ null, boolean ↔ Boolean, number ↔ Double (any Number going in), string ↔ String,
 * table → Map (or List for results that are sequences), Map/List/Object[] → table.
 * Scripts never receive Java objects: anything else becomes its string form. Nesting is bounded
 * and cycles become {@code null}.
 *
 * <p>Every conversion from Lua is charged to its execution in bytes ({@link Charge}): what the Java
 * values it builds occupy, counted each time a value is reached, so a table referred to 1,000 times
 * costs 1,000 copies, as it does in memory. It stops with the memory-limit error the moment that would
 * pass what the execution may still allocate, and every {@link #CHECK_BYTES} it checks the execution's
 * budget (measured memory, deadline, cancel), so a cancel or undeploy ends it at once.
 */
final class LuaValues {
    static final int MAX_NESTING = 32;
    /** Most values one conversion visits, whatever their size. */
    static final int MAX_VALUES = 100_000;
    /** Bytes converted between two checks of the execution's budget. */
    static final long CHECK_BYTES = 64 * 1024;
    /** Charged per value: a reference in the list or map that holds it, plus a map entry's overhead. */
    static final int ENTRY_BYTES = 48;
    /** Charged per string: the String object and its array header ... */
    static final int STRING_BYTES = 56;
    /** Bytes of converted host-call arguments per instruction charged (a string costs 56 + 3 per character). */
    static final int CONVERTED_BYTES_PER_UNIT = 8;
    /** ... and per character: decoding Lua's bytes builds a char array, then the String's own array. */
    static final int CHAR_BYTES = 3;
    /** A Map, or a List, itself. */
    static final int CONTAINER_BYTES = 80;
    static final int NUMBER_BYTES = 16;

    private LuaValues() {
    }

    // ---- Lua to Java ----------------------------------------------------------------------------

    /** Arguments of a host function: tables become maps, as ScriptFunction promises. */
    static Object[] argsToJava(Varargs args, Charge charge) {
        Object[] out = new Object[args.narg()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toJava(args.arg(i + 1), false, 0, charge);
        }
        charge.chargeWork();
        return out;
    }

    /** Returned values: sequences become lists, other tables maps. */
    static List<Object> resultsToJava(Varargs values, Charge charge) {
        List<Object> out = new ArrayList<>(values.narg());
        for (int i = 1; i <= values.narg(); i++) {
            out.add(toJava(values.arg(i), true, 0, charge));
        }
        return out;
    }

    /**
     * One conversion's account: the tables on the path being converted (cycles), the values and bytes
     * it has built, and the execution's budget it is charged to.
     */
    static final class Charge extends IdentityHashMap<LuaValue, Boolean> {
        private static final long serialVersionUID = 1L;
        private final transient Budget budget;
        private final long maxBytes;
        private final long memoryLimit;
        private final String what;
        private int valuesLeft = MAX_VALUES;
        private long bytes;
        private long nextCheck = CHECK_BYTES;

        /**
         * @param budget      the execution's budget, checked every {@link #CHECK_BYTES}
         * @param memoryLimit the execution's memory limit in bytes; the conversion may use what is left of it
         * @param what        what is converted, for the error: "the values the script returned"
         */
        Charge(Budget budget, long memoryLimit, String what) {
            this.budget = budget;
            this.memoryLimit = memoryLimit;
            this.what = what;
            budget.checkMemory();
            this.maxBytes = Math.max(0, memoryLimit - budget.allocatedBytes());
        }

        void add(long n) {
            bytes += n;
            if (bytes > maxBytes) {
                budget.trip(ErrorKind.LIMIT, "memory limit of " + Sizes.readable(memoryLimit) + " exceeded converting " + what
                        + " (more than " + Sizes.readable(bytes) + " as Java values)");
            }
            if (bytes >= nextCheck) {
                nextCheck = bytes + CHECK_BYTES;
                budget.check();
            }
        }

        long bytes() {
            return bytes;
        }

        /**
         * The arguments of a host call are work as well as memory: converting them, and what the host does
         * with text (escaping, logging), grows with their size. {@code log_info} of a 9,999-character string
         * cost ~800x a plain instruction while only the memory limit counted it (red-team F9).
         */
        void chargeWork() {
            budget.charge(bytes / CONVERTED_BYTES_PER_UNIT);
        }

        void countValue() {
            if (--valuesLeft < 0) {
                throw new org.luaj.vm2.LuaError("value too large to convert (more than " + MAX_VALUES + " values)");
            }
        }
    }

    /**
     * A Lua string's bytes as Java text for the host (results, host-call arguments, log lines): UTF-8, each byte
     * that is not part of a valid sequence read as U+FFFD. Luaj's own {@code tojstring()} took a stray byte for
     * the lead of a sequence and swallowed the bytes after it ({@code '\255ab'} became one character U+F862, 'a'
     * and 'b' gone) or made lone surrogates (red team E6).
     */
    static String text(LuaValue v) {
        if (v instanceof org.luaj.vm2.LuaString) {
            org.luaj.vm2.LuaString s = (org.luaj.vm2.LuaString) v;
            return utf8(s.m_bytes, s.m_offset, s.m_length);
        }
        return v.tojstring();
    }

    /**
     * Strict UTF-8, each byte of an invalid sequence read as U+FFFD; also a character beyond U+FFFF written as two
     * 3-byte halves (what Luaj's {@code valueOf(String)} makes of a Java string, e.g. an error text from Java), so
     * such text still comes back whole.
     */
    static String utf8(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1); // ASCII
        }
        StringBuilder out = new StringBuilder(len);
        for (i = off; i < end;) {
            int c = b[i] & 0xff;
            int n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
            int cp = n == 0 ? c : n == 1 ? c & 0x1f : n == 2 ? c & 0x0f : c & 0x07;
            boolean ok = n >= 0 && i + n < end;
            for (int k = 1; ok && k <= n; k++) {
                if (i + k >= end || (b[i + k] & 0xc0) != 0x80) {
                    ok = false;
                } else {
                    cp = cp << 6 | b[i + k] & 0x3f;
                }
            }
            if (ok && (n == 2 && cp < 0x800 || n == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
                ok = false; // overlong or beyond Unicode
            }
            if (ok && cp >= 0xd800 && cp <= 0xdbff && i + 5 < end && (b[i + 3] & 0xff) == 0xed
                    && (b[i + 4] & 0xf0) == 0xb0 && (b[i + 5] & 0xc0) == 0x80) {
                out.append((char) cp).append((char) (0xdc00 | (b[i + 4] & 0x0f) << 6 | b[i + 5] & 0x3f));
                i += 6; // a pair of halves
                continue;
            }
            if (!ok || cp >= 0xd800 && cp <= 0xdfff) {
                out.append('\uFFFD');
                i++;
                continue;
            }
            out.appendCodePoint(cp);
            i += n + 1;
        }
        return out.toString();
    }

    private static Object toJava(LuaValue v, boolean lists, int depth, Charge charge) {
        charge.countValue();
        switch (v.type()) {
            case LuaValue.TNIL:
            case LuaValue.TNONE:
                return null;
            case LuaValue.TBOOLEAN:
                return v.toboolean();
            case LuaValue.TNUMBER:
                charge.add(NUMBER_BYTES);
                return v.todouble();
            case LuaValue.TSTRING:
                // Charged before the String is built: one string is at most the string-length limit.
                charge.add(STRING_BYTES + (long) CHAR_BYTES * v.rawlen());
                return text(v);
            case LuaValue.TTABLE:
                if (depth >= MAX_NESTING || charge.put(v, Boolean.TRUE) != null) {
                    return null;
                }
                try {
                    charge.add(CONTAINER_BYTES);
                    return tableToJava((LuaTable) v, lists, depth, charge);
                } finally {
                    charge.remove(v);
                }
            default:
                return v.typename();
        }
    }

    private static Object tableToJava(LuaTable t, boolean lists, int depth, Charge charge) {
        int n = t.rawlen();
        if (lists && isSequence(t, n)) {
            List<Object> list = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                charge.add(ENTRY_BYTES);
                list.add(toJava(t.rawget(i), true, depth + 1, charge));
            }
            return list;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = t.next(k);
            if ((k = next.arg1()).isnil()) {
                break;
            }
            charge.add(ENTRY_BYTES);
            map.put(toJava(k, lists, depth + 1, charge), toJava(next.arg(2), lists, depth + 1, charge));
        }
        return map;
    }

    private static boolean isSequence(LuaTable t, int n) {
        if (n == 0) {
            return t.next(LuaValue.NIL).arg1().isnil();
        }
        LuaValue k = LuaValue.NIL;
        int count = 0;
        while (true) {
            Varargs next = t.next(k);
            if ((k = next.arg1()).isnil()) {
                break;
            }
            if (!k.isinttype() || k.toint() < 1 || k.toint() > n) {
                return false;
            }
            count++;
        }
        return count == n;
    }

    // ---- Java to Lua ----------------------------------------------------------------------------

    /**
     * Java to Lua (a run's arguments, a host function's results) under the execution's limits, as a library
     * function's results are: every string is held to the string-length limit and charged 1 instruction per
     * {@link LibraryCall#BYTES_PER_UNIT} bytes, every value 1 per {@link LibraryCall#VALUES_PER_UNIT} (tables count
     * their elements themselves). Before (red team C6) a host function could hand a script a 100,000-character
     * string under a 10,000 limit, and the conversion of a 10,000-value argument was free.
     */
    static LuaValue toLua(Object o) {
        return toLua(o, 0, Execution.CURRENT.get());
    }

    /** A ScriptFunction's return value: an Object[] is several values. */
    static Varargs returnToLua(Object o) {
        Execution ex = Execution.CURRENT.get();
        if (o instanceof Object[]) {
            Object[] many = (Object[]) o;
            LuaValue[] values = new LuaValue[many.length];
            for (int i = 0; i < many.length; i++) {
                values[i] = toLua(many[i], 0, ex);
            }
            return LuaValue.varargsOf(values);
        }
        return toLua(o, 0, ex);
    }

    static Varargs argsToLua(List<Object> args) {
        Execution ex = Execution.CURRENT.get();
        LuaValue[] values = new LuaValue[args.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = toLua(args.get(i), 0, ex);
        }
        return LuaValue.varargsOf(values);
    }

    private static LuaValue toLua(Object o, int depth, Execution ex) {
        if (o == null) {
            return LuaValue.NIL;
        }
        if (o instanceof Boolean) {
            return LuaValue.valueOf((Boolean) o);
        }
        if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return LuaValue.valueOf(((Number) o).intValue());
        }
        if (o instanceof Number) {
            return LuaValue.valueOf(((Number) o).doubleValue());
        }
        if (o instanceof CharSequence || o instanceof Character) {
            return string(o.toString(), ex);
        }
        if (depth >= MAX_NESTING) {
            return LuaValue.NIL;
        }
        if (o instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) o;
            charge(ex, map.size());
            LuaTable t = new EngineTable();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                LuaValue key = toLua(e.getKey(), depth + 1, ex);
                if (key.isvalidkey()) {   // nil and NaN are no keys: a NaN key stored broke next() on the table
                    t.rawset(key, toLua(e.getValue(), depth + 1, ex));
                }
            }
            return t;
        }
        if (o instanceof Collection) {
            return sequence(((Collection<?>) o).toArray(), depth, ex);
        }
        if (o instanceof Object[]) {
            return sequence((Object[]) o, depth, ex);
        }
        return string(String.valueOf(o), ex);
    }

    private static LuaValue string(String s, Execution ex) {
        if (ex != null) {
            ex.budget().checkStringLength(s.length());
            ex.budget().charge(s.length() / LibraryCall.BYTES_PER_UNIT);
        }
        // UTF-8 as Lua code reads it and text() writes it back: Luaj's valueOf(String) wrote a character beyond
        // U+FFFF as two 3-byte halves (6 bytes for an emoji, which text() would read as two U+FFFD; E6)
        return org.luaj.vm2.LuaString.valueOf(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void charge(Execution ex, int values) {
        if (ex != null) {
            ex.budget().charge(values / LibraryCall.VALUES_PER_UNIT);
        }
    }

    private static LuaTable sequence(Object[] items, int depth, Execution ex) {
        charge(ex, items.length);
        LuaTable t = new EngineTable(items.length, 0);
        for (int i = 0; i < items.length; i++) {
            t.rawset(i + 1, toLua(items[i], depth + 1, ex));
        }
        return t;
    }
}
