package org.scriptbox.scheduler.internal.cron;

/**
 * A cron expression that cannot be parsed or never fires. The message names the 1-based column of the
 * offending character and repeats the expression, so the shell can show it as one sentence.
 */
public final class CronSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int column;
    private final String reason;

    public CronSyntaxException(String expression, int column, String reason) {
        super("invalid cron expression '" + expression + "' at column " + column + ": " + reason);
        this.column = column;
        this.reason = reason;
    }

    /** 1-based column of the problem in the expression as given. */
    public int column() {
        return column;
    }

    /** The problem without the position prefix. */
    public String reason() {
        return reason;
    }
}
