package org.scriptbox.testing.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.engine.HostArguments;
import org.scriptbox.api.engine.ScriptCallException;
import org.scriptbox.api.text.LuaNumbers;

/** The arguments of one mock or control call, checked as the real device API checks its own, with its wording. */
final class Args {
    private final String function;
    private final Object[] args;

    Args(String function, Object[] args, int max) {
        this.function = function;
        this.args = args == null ? new Object[0] : args;
        if (this.args.length > max) {
            throw error(ErrorKind.RUNTIME, "expects at most " + max + " argument" + (max == 1 ? "" : "s") + ", got "
                    + this.args.length);
        }
    }

    String function() {
        return function;
    }

    Object[] raw() {
        return args.clone();
    }

    Object value(int i) {
        return i < args.length ? args[i] : null;
    }

    int integer(int i, String name, int min, int max) {
        Object v = value(i);
        if (!(v instanceof Double d) || d != Math.rint(d) || d < min || d > max) {
            throw bad(i, name, "a whole number from " + min + " to " + max + " expected, got " + show(v));
        }
        return (int) (double) d;
    }

    double number(int i, String name, double min, double max) {
        Object v = value(i);
        if (!(v instanceof Double d) || Double.isNaN(d)) {
            throw bad(i, name, "number expected, got " + typeName(v));
        }
        if (d < min || d > max) {
            throw bad(i, name, "must be between " + show(min) + " and " + show(max) + ", got " + show(d));
        }
        return d;
    }

    boolean bool(int i, String name) {
        Object v = value(i);
        if (!(v instanceof Boolean b)) {
            throw bad(i, name, "boolean expected, got " + typeName(v));
        }
        return b;
    }

    String string(int i, String name) {
        Object v = value(i);
        if (!(v instanceof String s)) {
            throw bad(i, name, "string expected, got " + typeName(v));
        }
        return s;
    }

    String optionalString(int i, String name) {
        return value(i) == null ? null : string(i, name);
    }

    Map<?, ?> optionalTable(int i, String name) {
        Object v = value(i);
        if (v != null && !(v instanceof Map)) {
            throw bad(i, name, "table expected, got " + typeName(v));
        }
        return (Map<?, ?>) v;
    }

    /** A list of 1 to {@code max} strings (a Lua sequence arrives as a map 1..n). */
    List<String> strings(int i, String name, int max) {
        Object v = value(i);
        if (!(v instanceof Map<?, ?> m) || m.isEmpty() || m.size() > max) {
            throw bad(i, name, "a list of 1 to " + max + " channel names expected, got " + show(v));
        }
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= m.size(); k++) {
            if (!(m.get((double) k) instanceof String s)) {
                throw bad(i, name, "a list of 1 to " + max + " channel names expected");
            }
            out.add(s);
        }
        return out;
    }

    ScriptCallException bad(int i, String name, String problem) {
        return HostArguments.bad(function, i, name, problem);
    }

    ScriptCallException error(ErrorKind kind, String problem) {
        return new ScriptCallException(kind, function + ": " + problem);
    }

    static String typeName(Object v) {
        return HostArguments.typeName(v);
    }

    static String show(Object v) {
        return v instanceof Number n ? LuaNumbers.format(n)
                : v instanceof String s ? "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'"
                : v == null ? "nil" : typeName(v);
    }
}
