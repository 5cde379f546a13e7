package org.scriptbox.rest.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;

/**
 * One client's live event stream. Publishers only {@link #offer} into its bounded queue, which never
 * blocks; the stream's own thread writes to the socket. The queue is bounded in events and in characters
 * (frames are shared by every stream, but a stalled client kept a thousand run events of megabytes each
 * alive: red team W5). A client whose queue is full is dropped (told so
 * if the socket still takes it), so a slow or stalled client costs one thread and one queue, never the
 * engine's time. A client that does not take a frame within the write deadline (a stalled socket, say a
 * client that opened the stream and never reads) is dropped by the hub's watchdog, and its slot freed.
 */
final class EventStream implements Runnable {
    private static final long KEEPALIVE_SECONDS = 15;
    private static final String STOP = "";

    private final AsyncContext async;
    final String caller;
    private final String script;
    private final Set<String> types;
    private final BlockingQueue<String> queue;
    private final long maxChars;
    private final AtomicLong queuedChars = new AtomicLong();
    private final Runnable onEnd;
    private volatile boolean dropped;
    private volatile boolean closed;
    /** When the frame being written now began (System.nanoTime), 0 while not writing. */
    private volatile long writingSince;

    EventStream(AsyncContext async, String caller, String script, Set<String> types, int capacity, long maxChars,
                Runnable onEnd) {
        this.async = async;
        this.caller = caller;
        this.script = script;
        this.types = types;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxChars = maxChars;
        this.onEnd = onEnd;
    }

    boolean wants(String type, String scriptName) {
        return !closed && (types.isEmpty() || types.contains(type)) && (script == null || script.equals(scriptName));
    }

    /** Queues an event; a full queue drops the client. Never blocks. */
    void offer(String frame) {
        if (closed || dropped) {
            return;
        }
        if (queuedChars.addAndGet(frame.length()) > maxChars || !queue.offer(frame)) {
            dropped = true;
            queue.clear();
            queue.offer(STOP);
            onEnd.run();   // its slot is free now, not when its thread gets round to ending
        }
    }

    void close() {
        closed = true;
        queue.clear();
        queue.offer(STOP);
    }

    boolean dropped() {
        return dropped;
    }

    /** Whether the client has not taken a frame for longer than {@code deadlineNanos}: a stalled socket. */
    boolean stalled(long nowNanos, long deadlineNanos) {
        long since = writingSince;
        return since != 0 && nowNanos - since > deadlineNanos;
    }

    /** Gives up on a stalled client: its slot is freed at once; its thread ends when the socket gives up. */
    void abort() {
        dropped = true;
        close();
        onEnd.run();
        try {
            async.complete();
        } catch (RuntimeException ignored) {
            // the writer thread or the container completed it first
        }
    }

    @Override
    public void run() {
        try {
            ServletOutputStream out = async.getResponse().getOutputStream();
            write(out, ": scriptbox events\n\n");
            while (!closed) {
                String frame = queue.poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (frame == null) {
                    write(out, ": keepalive\n\n");
                } else if (frame == STOP) {
                    if (dropped) {
                        write(out, "event: dropped\ndata: {\"reason\":\"slow client\"}\n\n");
                    }
                    break;
                } else {
                    queuedChars.addAndGet(-frame.length());
                    write(out, frame);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away: nothing to tell anyone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
            try {
                async.complete();
            } catch (RuntimeException ignored) {
                // already completed by the container (client gone)
            }
            onEnd.run();
        }
    }

    private void write(ServletOutputStream out, String text) throws IOException {
        writingSince = System.nanoTime() | 1;   // never 0 while writing
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } finally {
            writingSince = 0;
        }
    }
}
