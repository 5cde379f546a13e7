package org.scriptbox.api.engine;

import java.util.List;
import java.util.Map;

import org.scriptbox.api.ErrorKind;

/**
 * What every host library's argument checks say alike (the device API, the script tests' mocks): Lua's type names
 * for the Java values a {@link ScriptFunction} receives, and the refusal of one argument in the words
 * {@code function: bad argument #n 'name': problem} (since 1.5).
 */
public final class HostArguments {
    private HostArguments() {
    }

    /** Lua's name for a converted value: nil, boolean, number, string, table (a Map or a List) or userdata. */
    public static String typeName(Object v) {
        if (v == null) {
            return "nil";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof Number) {
            return "number";
        }
        if (v instanceof String) {
            return "string";
        }
        return v instanceof Map || v instanceof List ? "table" : "userdata";
    }

    /** A RUNTIME error for argument {@code index} (0-based; the message counts from 1). */
    public static ScriptCallException bad(String function, int index, String name, String problem) {
        return new ScriptCallException(ErrorKind.RUNTIME, function + ": bad argument #" + (index + 1) + " '" + name + "': "
                + problem);
    }
}
