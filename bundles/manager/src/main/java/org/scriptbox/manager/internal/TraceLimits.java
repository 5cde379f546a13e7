package org.scriptbox.manager.internal;

/**
 * How much of each run is traced and how many runs are kept (the manager's {@code trace.*} settings).
 *
 * @param runs      runs kept per script (in memory and on disk)
 * @param maxEvents events one run's trace holds, its START and END included
 * @param maxChars  characters of text one run's trace holds (names, arguments, results, log lines)
 */
record TraceLimits(int runs, int maxEvents, int maxChars) {
    static final TraceLimits DEFAULTS = new TraceLimits(20, 100, 8192);
    /** Longest text of one field of an event (an argument list, a result, a log line). */
    static final int FIELD_CHARS = 300;
}
