package org.scriptbox.api.trace;

import java.util.Objects;

/**
 * One entry of a run's timeline. Immutable. Every text is one safe line (no control characters: see
 * {@code SafeText}) and cut to a bounded length, so it can be printed to a terminal or set as a web page's
 * text as it is.
 *
 * @param offsetMicros   when it happened, in microseconds after the run started
 * @param type           what happened
 * @param name           the host function ({@code device_read}); the log level for {@link Type#LOG}; the
 *                       permission for a {@link Type#DENIED} without a call; the status for {@link Type#END}
 * @param detail         the arguments (as Lua would write them: {@code ("motor1", 25)}), or the log line
 * @param outcome        the result or the error message; for {@link Type#END} the result or the error with
 *                       its {@code file:line:column}
 * @param durationMicros how long a host call took, 0 for the other types
 * @param failed         whether a call failed (an error the script saw) or the run did not complete
 */
public record TraceEvent(long offsetMicros, Type type, String name, String detail, String outcome, long durationMicros,
                         boolean failed) {
    /** What a trace event records. */
    public enum Type {
        /** The run started; {@code detail} holds its arguments. */
        START,
        /** A host function returned or failed (not for lack of a permission or a token). */
        CALL,
        /** A call refused for lack of a permission. */
        DENIED,
        /** A call refused by the script's rate limit. */
        RATE_LIMITED,
        /** A line the script printed or logged. */
        LOG,
        /** The run ended; {@code name} is the status, {@code outcome} the result or the error and where. */
        END
    }

    public TraceEvent {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
        detail = detail == null ? "" : detail;
        outcome = outcome == null ? "" : outcome;
    }
}
