package org.scriptbox.manager.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.scriptbox.api.config.ConfigReader;

/**
 * The manager's configuration (PID {@code org.scriptbox.manager}) as one immutable value, read from the
 * raw properties so that a bad value is refused with one line and the current one kept.
 *
 * @param capacity     the execution slots and queue places, with each script's share and the operators' reserve
 * @param logLines     lines kept per script for {@code script:logs}
 * @param statsFlushMs how often statistics are written (0: after every run)
 * @param logQuota     how much a script may write to the container log
 * @param historySize  versions kept per script for script:history, script:diff and script:rollback
 * @param trace        how much of each run is traced, and how many runs are kept
 */
record ManagerSettings(ExecutionCapacity capacity, int logLines, long statsFlushMs, LogQuota logQuota, int historySize,
                       TraceLimits trace) {
    static final ManagerSettings DEFAULTS = new ManagerSettings(new ExecutionCapacity(10, 100, 5, 20, 1), 200, 1000,
            LogQuota.DEFAULTS, 10, TraceLimits.DEFAULTS);

    /** The settings in {@code properties}; each refused value keeps its value in {@code current}, told to {@code refused}. */
    static ManagerSettings read(Map<String, ?> properties, ManagerSettings current, Consumer<String> refused) {
        ConfigReader r = new ConfigReader(ScriptManagerImpl.PID, properties);
        ExecutionCapacity d = DEFAULTS.capacity;
        ExecutionCapacity c = current.capacity;
        int max = r.intBetween("max.concurrent", 1, 10_000, d.maxConcurrent(), c.maxConcurrent());
        int queue = r.intBetween("queue.capacity", 0, 1_000_000, d.queueCapacity(), c.queueCapacity());
        int scriptMax = r.intBetween("max.concurrent.per.script", 1, 10_000, d.scriptConcurrent(), c.scriptConcurrent());
        int scriptQueue = r.intBetween("queue.capacity.per.script", 0, 1_000_000, d.scriptQueue(), c.scriptQueue());
        int reserve = r.intBetween("reserved.operator.slots", 0, 10_000, d.operatorReserve(), c.operatorReserve());
        if (reserve >= max) {
            // schedules would never run. Left at its default (a container with one slot), the reserve gives way;
            // set explicitly, it is refused
            reserve = properties.get("reserved.operator.slots") == null ? max - 1
                    : r.refuse("reserved.operator.slots", reserve, "must be smaller than max.concurrent (" + max + ")",
                            Math.min(c.operatorReserve(), max - 1));
        }
        ExecutionCapacity capacity = new ExecutionCapacity(max, queue, scriptMax, scriptQueue, reserve);
        int logLines = r.intBetween("log.lines", 1, 100_000, DEFAULTS.logLines, current.logLines);
        long flush = r.longBetween("stats.flush.ms", 0, 3_600_000, DEFAULTS.statsFlushMs, current.statsFlushMs);
        LogQuota q = current.logQuota;
        LogQuota dq = LogQuota.DEFAULTS;
        LogQuota quota = new LogQuota(
                r.intBetween("log.max.line.chars", 80, 1_000_000, dq.maxLineChars(), q.maxLineChars()),
                r.intBetween("log.max.lines.per.execution", 1, Integer.MAX_VALUE, dq.linesPerExecution(), q.linesPerExecution()),
                r.longBetween("log.max.bytes.per.execution", 1024, Long.MAX_VALUE, dq.bytesPerExecution(), q.bytesPerExecution()),
                r.intBetween("log.max.lines.per.window", 1, Integer.MAX_VALUE, dq.linesPerWindow(), q.linesPerWindow()),
                r.longBetween("log.max.bytes.per.window", 1024, Long.MAX_VALUE, dq.bytesPerWindow(), q.bytesPerWindow()),
                r.longBetween("log.window.ms", 1000, 86_400_000, dq.windowMillis(), q.windowMillis()),
                r.intBetween("log.max.lines.per.window.total", 1, Integer.MAX_VALUE, dq.linesTotal(), q.linesTotal()),
                r.longBetween("log.max.bytes.per.window.total", 1024, Long.MAX_VALUE, dq.bytesTotal(), q.bytesTotal()));
        int historySize = r.intBetween("history.size", 1, 1_000, DEFAULTS.historySize, current.historySize);
        TraceLimits dt = TraceLimits.DEFAULTS;
        TraceLimits t = current.trace;
        TraceLimits trace = new TraceLimits(r.intBetween("trace.runs", 1, 1_000, dt.runs(), t.runs()),
                r.intBetween("trace.max.events", 10, 10_000, dt.maxEvents(), t.maxEvents()),
                r.intBetween("trace.max.chars", 1024, 1_048_576, dt.maxChars(), t.maxChars()));
        r.refusals().forEach(refused);
        return new ManagerSettings(capacity, logLines, flush, quota, historySize, trace);
    }
}
