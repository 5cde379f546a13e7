package org.scriptbox.api;

import java.util.Objects;

/**
 * A problem with a script, for people: what kind, the message, and where — file, line and column
 * (1-based; 0 when unknown) — plus a Lua traceback for runtime errors.
 *
 * @param kind      what went wrong
 * @param message   one sentence, without the location prefix
 * @param file      the file or chunk name, or {@code null}
 * @param line      1-based line, 0 when unknown
 * @param column    1-based column, 0 when unknown
 * @param traceback Lua traceback ({@code chunk:line} per frame), or {@code null}
 */
public record ScriptError(ErrorKind kind, String message, String file, int line, int column, String traceback) {

    public ScriptError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** An error without a position. */
    public static ScriptError of(ErrorKind kind, String message) {
        return new ScriptError(kind, message, null, 0, 0, null);
    }

    /** An error at {@code file:line:column}. */
    public static ScriptError at(ErrorKind kind, String message, String file, int line, int column) {
        return new ScriptError(kind, message, file, line, column, null);
    }

    /** {@code file:line:column}, as far as known, or the empty string. */
    public String location() {
        if (file == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.toString();
    }

    /** {@code file:line:column: message}, the form shown in the shell and the log. */
    @Override
    public String toString() {
        String where = location();
        return where.isEmpty() ? message : where + ": " + message;
    }
}
