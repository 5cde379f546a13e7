package org.scriptbox.api.schedule;

/** What a schedule does with runs that fell due while the container was down. */
public enum MisfirePolicy {
    /** Forget them; wait for the next fire time. */
    SKIP,
    /** Run once at start-up, then carry on. */
    RUN_ONCE
}
