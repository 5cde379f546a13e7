package org.scriptbox.api.trace;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptStatus;

/**
 * What one run of a script did, as its timeline. Immutable. Bounded: a run keeps at most the configured
 * number of events and bytes of text; what did not fit is counted in {@link #omittedEvents} (its end is always
 * kept).
 *
 * @param scriptName     the script
 * @param run            the run's number, counting from 1 per script (kept across restarts)
 * @param executionId    the execution's id ({@link org.scriptbox.api.ExecutionResult#executionId()})
 * @param version        the script version that ran
 * @param trigger        who asked: {@code OPERATOR} or {@code SCHEDULE}
 * @param startedAt      when it started
 * @param duration       how long it ran
 * @param status         how it ended: COMPLETED, FAILED, TIMEOUT or CANCELLED
 * @param arguments      its arguments, as Lua would write them
 * @param result         what it returned, as Lua would write it (empty unless it completed)
 * @param error          why it did not complete (the limit it hit, with the line), or {@code null}
 * @param instructions   Lua instructions executed
 * @param cpuTime        CPU time of the run's threads
 * @param allocatedBytes bytes the run allocated
 * @param permissionDenials calls refused for lack of a permission
 * @param events         the timeline, oldest first: START, the calls and log lines, END
 * @param omittedEvents  events not recorded because the run's trace was full
 */
public record RunTrace(String scriptName, long run, String executionId, String version, String trigger,
                       Instant startedAt, Duration duration, ScriptStatus status, String arguments, String result,
                       ScriptError error, long instructions, Duration cpuTime, long allocatedBytes,
                       int permissionDenials, List<TraceEvent> events, int omittedEvents) {
    public RunTrace {
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(executionId, "executionId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(status, "status");
        cpuTime = cpuTime == null ? Duration.ZERO : cpuTime;
        version = version == null ? "" : version;
        trigger = trigger == null ? "" : trigger;
        arguments = arguments == null ? "" : arguments;
        result = result == null ? "" : result;
        events = List.copyOf(events);
    }
}
