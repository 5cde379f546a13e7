package org.scriptbox.rest.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The REST API's settings (PID {@code org.scriptbox.rest}, runtime/etc/org.scriptbox.rest.cfg). */
@ObjectClassDefinition(name = "scriptbox REST API", description = "Sessions, login throttling, limits of the REST API")
@interface RestConfig {
    String PID = "org.scriptbox.rest";

    @AttributeDefinition(description = "a browser session ends after this many minutes without a request")
    int session_idle_minutes() default 30;

    @AttributeDefinition(description = "a browser session ends this many hours after its login, whatever its use")
    int session_lifetime_hours() default 8;

    @AttributeDefinition(description = "failed logins per user name within the window before logins are slowed down")
    int login_user_failures() default 5;

    @AttributeDefinition(description = "failed logins per source address within the window before logins are slowed down")
    int login_address_failures() default 20;

    @AttributeDefinition(description = "the window of login failures, minutes; also the longest wait")
    int login_window_minutes() default 15;

    @AttributeDefinition(description = "largest request body in bytes (a script's source and metadata together)")
    int max_body_bytes() default 4_500_000;

    @AttributeDefinition(description = "live event streams (SSE) open at once; more are refused with 503")
    int sse_max_streams() default 32;

    @AttributeDefinition(description = "live event streams one user or token may hold open at once")
    int sse_streams_per_caller() default 4;

    @AttributeDefinition(description = "a stream whose client has not taken a frame within this many seconds is dropped")
    int sse_write_deadline_seconds() default 10;

    @AttributeDefinition(description = "events buffered per stream; a client that falls this far behind is dropped")
    int sse_buffer_events() default 1000;

    @AttributeDefinition(description = "characters of events buffered per stream (a run event carries the run's values,"
            + " megabytes at times); a client that falls this far behind is dropped")
    int sse_buffer_chars() default 4_000_000;

    @AttributeDefinition(description = "how long an e-stop request waits for the devices' reports, ms")
    int estop_answer_ms() default 5000;
}
