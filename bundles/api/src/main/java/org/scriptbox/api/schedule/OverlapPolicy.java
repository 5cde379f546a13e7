package org.scriptbox.api.schedule;

/** What a schedule does when a run is due while the previous run of the same script still runs. */
public enum OverlapPolicy {
    /** Drop the due run. */
    SKIP,
    /** Run it once the previous one ends (at most one waiting). */
    QUEUE,
    /** Run it at once, in parallel. */
    PARALLEL
}
