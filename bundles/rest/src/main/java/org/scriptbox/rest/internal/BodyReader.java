package org.scriptbox.rest.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * Reads a request body without holding a thread while it arrives (red team W4: 250 slow login bodies, a byte
 * every few seconds, held every Jetty thread in a blocking read; the console, the API and the REST e-stop
 * stopped answering). Servlet non-blocking input: the container calls back when bytes are there. The body
 * has a size bound (counted while reading, whatever Content-Length said) and a total deadline, so a trickling
 * client is answered 408 and its connection closed however slowly it sends. (The deadline is a scheduled task,
 * not the async timeout: the same async cycle may go on to wait for a run, with a deadline of its own.)
 */
final class BodyReader implements ReadListener {
    /** What happens with the whole body, or with the reason there is none; called once, on a container thread. */
    interface Outcome {
        void body(byte[] bytes);

        void refused(ApiError error);
    }

    private final ServletInputStream in;
    private final int maxBytes;
    private final Outcome outcome;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[8192];
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> deadline;

    private BodyReader(ServletInputStream in, int maxBytes, Outcome outcome) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.outcome = outcome;
    }

    /** Starts reading the body of the request behind {@code async}, refused 408 if not all there in time. */
    static void read(AsyncContext async, ScheduledExecutorService timer, long deadlineMillis, int maxBytes, Outcome outcome)
            throws IOException {
        ServletInputStream in = async.getRequest().getInputStream();
        BodyReader r = new BodyReader(in, maxBytes, outcome);
        r.deadline = timer.schedule(() -> r.refuse(new ApiError(408, "timeout", "The request body did not arrive within "
                + deadlineMillis / 1000 + " s.")), deadlineMillis, TimeUnit.MILLISECONDS);
        in.setReadListener(r);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!done.get() && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return;   // onAllDataRead follows
            }
            if (bytes.size() + n > maxBytes) {
                refuse(new ApiError(413, "payload_too_large", "The request body is larger than " + maxBytes + " bytes."));
                return;
            }
            bytes.write(buffer, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        if (done.compareAndSet(false, true)) {
            cancelDeadline();
            outcome.body(bytes.toByteArray());
        }
    }

    @Override
    public void onError(Throwable t) {
        refuse(new ApiError(400, "bad_request", "The request body could not be read."));
    }

    private void refuse(ApiError e) {
        if (done.compareAndSet(false, true)) {
            cancelDeadline();
            outcome.refused(e);
        }
    }

    private void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }
}
