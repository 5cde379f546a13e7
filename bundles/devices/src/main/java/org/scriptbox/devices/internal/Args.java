package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.HostArguments;
import org.scriptbox.api.engine.ScriptCallException;

/**
 * Checks the arguments of one call and names the function and the argument in every complaint, e.g.
 * {@code device_set_motor_speed: bad argument #2 'speed': must be between -100 and 100, got 150}.
 */
final class Args {
    private final String function;
    private final Object[] args;

    Args(String function, Object[] args) {
        this.function = function;
        this.args = args == null ? new Object[0] : args;
    }

    String function() {
        return function;
    }

    /** Fails if more than {@code max} arguments were passed (trailing nils are fine). */
    Args atMost(int max) {
        for (int i = max; i < args.length; i++) {
            if (args[i] != null) {
                throw error("expects at most " + max + " argument" + (max == 1 ? "" : "s") + ", got " + args.length);
            }
        }
        return this;
    }

    double number(int index, String name, double min, double max) {
        Object v = arg(index);
        if (!(v instanceof Number n)) {
            throw bad(index, name, "expected a number, got " + typeName(v));
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            throw bad(index, name, "must be a finite number, got " + show(d));
        }
        if (d < min || d > max) {
            throw bad(index, name, "must be between " + show(min) + " and " + show(max) + ", got " + show(d));
        }
        return d;
    }

    int integer(int index, String name, int min, int max) {
        double d = number(index, name, min, max);
        if (d != Math.rint(d)) {
            throw bad(index, name, "must be a whole number, got " + show(d));
        }
        return (int) d;
    }

    boolean bool(int index, String name) {
        Object v = arg(index);
        if (!(v instanceof Boolean b)) {
            throw bad(index, name, "expected a boolean, got " + typeName(v));
        }
        return b;
    }

    /** A required string of at most 200 characters. */
    String string(int index, String name) {
        Object v = arg(index);
        if (!(v instanceof String s)) {
            throw bad(index, name, "expected a string, got " + typeName(v));
        }
        if (s.length() > 200) {
            throw bad(index, name, "too long: at most 200 characters, got " + s.length());
        }
        return s;
    }

    /** An optional string: {@code null} when absent. */
    String optionalString(int index, String name) {
        Object v = arg(index);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw bad(index, name, "expected a string, got " + typeName(v));
        }
        return s;
    }

    /** Any value, as text, for the log functions. */
    String text(int index, String name) {
        Object v = arg(index);
        if (v == null) {
            throw bad(index, name, "expected a string, got nil");
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return v instanceof Map || v instanceof List ? typeName(v) : v.toString();
    }

    /**
     * A list of strings: a Lua sequence (arrives as a map keyed 1..n), or a single string for one name.
     */
    List<String> strings(int index, String name, int minCount, int maxCount) {
        Object v = arg(index);
        List<Object> items = new ArrayList<>();
        if (v instanceof String s) {
            items.add(s);
        } else if (v instanceof List<?> list) {
            items.addAll(list);
        } else if (v instanceof Map<?, ?> map) {
            TreeMap<Integer, Object> ordered = new TreeMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Integer key = sequenceKey(e.getKey());
                if (key == null) {
                    throw bad(index, name, "expected a list of strings, got a table with key " + show(e.getKey()));
                }
                ordered.put(key, e.getValue());
            }
            if (!ordered.isEmpty() && (ordered.firstKey() != 1 || ordered.lastKey() != ordered.size())) {
                throw bad(index, name, "expected a list of strings, got a table with gaps");
            }
            items.addAll(ordered.values());
        } else {
            throw bad(index, name, "expected a list of strings, got " + typeName(v));
        }
        if (items.size() < minCount) {
            throw bad(index, name, "must name at least " + minCount + " entr" + (minCount == 1 ? "y" : "ies"));
        }
        if (items.size() > maxCount) {
            throw bad(index, name, "too many entries: at most " + maxCount + ", got " + items.size());
        }
        List<String> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw bad(index, name, "entry " + (i + 1) + " must be a string, got " + typeName(items.get(i)));
            }
            result.add(s);
        }
        return result;
    }

    private static Integer sequenceKey(Object key) {
        if (key instanceof Number n) {
            double d = n.doubleValue();
            if (d >= 1 && d == Math.rint(d) && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        return null;
    }

    private Object arg(int index) {
        return index < args.length ? args[index] : null;
    }

    ScriptCallException bad(int index, String name, String problem) {
        return HostArguments.bad(function, index, name, problem);
    }

    ScriptCallException error(String problem) {
        return new ScriptCallException(ErrorKind.RUNTIME, function + ": " + problem);
    }

    ScriptCallException error(ErrorKind kind, String problem) {
        return new ScriptCallException(kind, function + ": " + problem);
    }

    /** Lua's names for the converted types. */
    static String typeName(Object v) {
        return HostArguments.typeName(v);
    }

    private static String show(Object v) {
        return v instanceof Number n ? org.scriptbox.api.text.LuaNumbers.format(n) : String.valueOf(v);
    }
}
