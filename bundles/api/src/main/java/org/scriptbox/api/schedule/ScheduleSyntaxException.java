package org.scriptbox.api.schedule;

/**
 * A schedule expression (a cron expression) that cannot be parsed or never fires, with the 1-based
 * column of the offending character in the expression as given. Thrown by
 * {@link ScriptScheduler#nextFireTimes} and {@link ScriptScheduler#schedule}, so that a caller that
 * knows where the expression came from (the metadata codec: a line and column in a {@code .toml}) can
 * point at the exact character.
 */
public class ScheduleSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String expression;
    private final int column;
    private final String reason;

    public ScheduleSyntaxException(String expression, int column, String reason) {
        super("invalid cron expression '" + expression + "' at column " + column + ": " + reason);
        this.expression = expression;
        this.column = column;
        this.reason = reason;
    }

    /** The expression as given. */
    public String expression() {
        return expression;
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
