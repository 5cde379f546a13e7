package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Converts between Lua values and plain Java values, as the API's {@code ScriptFunction} states:
 * nil ↔ null, boolean ↔ Boolean, number ↔ Double (any Number going in), string ↔ String,
 * table → Map (or List for results that are sequences), Map/List/Object[] → table.
 * Scripts never receive Java objects: anything else becomes its string form. Nesting is bounded
 * and cycles become {@code null}, so a hostile table cannot make the conversion run away.
 */
final class LuaValues {
    static final int MAX_NESTING = 32;
    /** Most values one conversion visits: a table that refers to one subtable many times is not a tree. */
    static final int MAX_VALUES = 100_000;

    private LuaValues() {
    }

    // ---- Lua to Java ----------------------------------------------------------------------------

    /** A function argument: tables become maps, as ScriptFunction promises. */
    static Object toJava(LuaValue v) {
        return toJava(v, false, 0, new Seen());
    }

    static Object[] argsToJava(Varargs args) {
        Seen seen = new Seen();
        Object[] out = new Object[args.narg()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toJava(args.arg(i + 1), false, 0, seen);
        }
        return out;
    }

    /** Returned values: sequences become lists, other tables maps. */
    static List<Object> resultsToJava(Varargs values) {
        Seen seen = new Seen();
        List<Object> out = new ArrayList<>(values.narg());
        for (int i = 1; i <= values.narg(); i++) {
            out.add(toJava(values.arg(i), true, 0, seen));
        }
        return out;
    }

    /** The tables on the path being converted (cycles), and how many values may still be visited. */
    private static final class Seen extends IdentityHashMap<LuaValue, Boolean> {
        private static final long serialVersionUID = 1L;
        int left = MAX_VALUES;
    }

    private static Object toJava(LuaValue v, boolean lists, int depth, Seen seen) {
        if (--seen.left < 0) {
            throw new org.luaj.vm2.LuaError("value too large to convert (more than " + MAX_VALUES + " values)");
        }
        switch (v.type()) {
            case LuaValue.TNIL:
            case LuaValue.TNONE:
                return null;
            case LuaValue.TBOOLEAN:
                return v.toboolean();
            case LuaValue.TNUMBER:
                return v.todouble();
            case LuaValue.TSTRING:
                return v.tojstring();
            case LuaValue.TTABLE:
                if (depth >= MAX_NESTING || seen.put(v, Boolean.TRUE) != null) {
                    return null;
                }
                try {
                    return tableToJava((LuaTable) v, lists, depth, seen);
                } finally {
                    seen.remove(v);
                }
            default:
                return v.typename();
        }
    }

    private static Object tableToJava(LuaTable t, boolean lists, int depth, Seen seen) {
        int n = t.rawlen();
        if (lists && isSequence(t, n)) {
            List<Object> list = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                list.add(toJava(t.rawget(i), true, depth + 1, seen));
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
            map.put(toJava(k, lists, depth + 1, seen), toJava(next.arg(2), lists, depth + 1, seen));
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

    static LuaValue toLua(Object o) {
        return toLua(o, 0);
    }

    /** A ScriptFunction's return value: an Object[] is several values. */
    static Varargs returnToLua(Object o) {
        if (o instanceof Object[]) {
            Object[] many = (Object[]) o;
            LuaValue[] values = new LuaValue[many.length];
            for (int i = 0; i < many.length; i++) {
                values[i] = toLua(many[i]);
            }
            return LuaValue.varargsOf(values);
        }
        return toLua(o);
    }

    static Varargs argsToLua(List<Object> args) {
        LuaValue[] values = new LuaValue[args.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = toLua(args.get(i));
        }
        return LuaValue.varargsOf(values);
    }

    private static LuaValue toLua(Object o, int depth) {
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
            return LuaValue.valueOf(o.toString());
        }
        if (depth >= MAX_NESTING) {
            return LuaValue.NIL;
        }
        if (o instanceof Map) {
            LuaTable t = new LuaTable();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                LuaValue key = toLua(e.getKey(), depth + 1);
                if (!key.isnil()) {
                    t.rawset(key, toLua(e.getValue(), depth + 1));
                }
            }
            return t;
        }
        if (o instanceof Collection) {
            return sequence(((Collection<?>) o).toArray(), depth);
        }
        if (o instanceof Object[]) {
            return sequence((Object[]) o, depth);
        }
        return LuaValue.valueOf(String.valueOf(o));
    }

    private static LuaTable sequence(Object[] items, int depth) {
        LuaTable t = new LuaTable(items.length, 0);
        for (int i = 0; i < items.length; i++) {
            t.rawset(i + 1, toLua(items[i], depth + 1));
        }
        return t;
    }
}
