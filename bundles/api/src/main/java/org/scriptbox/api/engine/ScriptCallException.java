package org.scriptbox.api.engine;

import org.scriptbox.api.ErrorKind;

/**
 * Raised by a {@link ScriptFunction}; the script sees a Lua error with this message (catchable with
 * {@code pcall}), prefixed by the script's position.
 */
public class ScriptCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    public ScriptCallException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ScriptCallException(String message) {
        this(ErrorKind.RUNTIME, message);
    }

    public ErrorKind kind() {
        return kind;
    }
}
