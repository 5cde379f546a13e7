package org.scriptbox.api;

/** Thrown by scriptbox services; carries the structured {@link ScriptError}. */
public class ScriptException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ScriptError error;

    public ScriptException(ScriptError error) {
        super(error.toString());
        this.error = error;
    }

    public ScriptException(ScriptError error, Throwable cause) {
        super(error.toString(), cause);
        this.error = error;
    }

    public ScriptError error() {
        return error;
    }

    public ErrorKind kind() {
        return error.kind();
    }
}
