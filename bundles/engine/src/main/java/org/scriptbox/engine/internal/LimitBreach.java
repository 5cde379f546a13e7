package org.scriptbox.engine.internal;

import org.scriptbox.api.ErrorKind;

/**
 * Ends an execution: a broken limit, the deadline, or a cancel. It is a {@link Error}, not a
 * {@code LuaError}, because Luaj's {@code pcall}, {@code xpcall} and closures catch only
 * {@code LuaError} and {@code Exception}: a script cannot catch it. Once thrown, the budget keeps
 * throwing it at every later check, so a script that swallows it inside a coroutine does not get far.
 */
final class LimitBreach extends Error {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final String file;
    private final int line;
    private final String traceback;

    LimitBreach(ErrorKind kind, String message, String file, int line, String traceback) {
        // No Java stack trace: it is never shown and it would cost time at every rethrow.
        super(message, null, false, false);
        this.kind = kind;
        this.file = file;
        this.line = line;
        this.traceback = traceback;
    }

    ErrorKind kind() {
        return kind;
    }

    String file() {
        return file;
    }

    int line() {
        return line;
    }

    String traceback() {
        return traceback;
    }
}
