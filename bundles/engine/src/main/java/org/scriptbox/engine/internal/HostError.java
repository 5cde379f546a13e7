package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaError;
import org.scriptbox.api.ErrorKind;

/**
 * A Lua error raised by a host function ({@code ScriptCallException}): catchable by {@code pcall} like
 * any Lua error, but if it ends the execution, the result keeps the host's {@link ErrorKind}
 * (PERMISSION, DEVICE ...).
 */
final class HostError extends LuaError {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    HostError(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    ErrorKind kind() {
        return kind;
    }
}
