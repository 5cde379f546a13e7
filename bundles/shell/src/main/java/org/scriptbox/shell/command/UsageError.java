package org.scriptbox.shell.command;

/**
 * An operator's mistake in a command line (missing or bad argument, unknown option): answered with one line
 * naming it and the command's synopsis, never with a stack trace. No stack is recorded.
 */
public final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageError(String message) {
        super(message, null, false, false);
    }
}
