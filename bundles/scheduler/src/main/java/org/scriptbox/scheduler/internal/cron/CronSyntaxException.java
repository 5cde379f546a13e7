package org.scriptbox.scheduler.internal.cron;

import org.scriptbox.api.schedule.ScheduleSyntaxException;

/**
 * A cron expression that cannot be parsed or never fires. The message names the 1-based column of the
 * offending character and repeats the expression, so the shell can show it as one sentence. It is the
 * API's {@link ScheduleSyntaxException}, so the manager's metadata codec can turn the column into a
 * line and column of the {@code .toml} without knowing this parser.
 */
public final class CronSyntaxException extends ScheduleSyntaxException {
    private static final long serialVersionUID = 1L;

    public CronSyntaxException(String expression, int column, String reason) {
        super(expression, column, reason);
    }
}
