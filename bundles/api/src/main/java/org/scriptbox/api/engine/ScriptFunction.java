package org.scriptbox.api.engine;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A global function offered to scripts. Arguments arrive converted from Lua: nil → {@code null},
 * boolean → {@link Boolean}, number → {@link Double}, string → {@link String}, table → {@link java.util.Map}
 * (keys as converted values). The return value is converted back the same way ({@link java.util.List}
 * becomes a sequence; any {@link Number} a number); an {@code Object[]} returns several values.
 * Throw {@link ScriptCallException} for an error the script sees as a Lua error.
 */
@ConsumerType
@FunctionalInterface
public interface ScriptFunction {
    Object call(ExecutionScope scope, Object[] args);
}
