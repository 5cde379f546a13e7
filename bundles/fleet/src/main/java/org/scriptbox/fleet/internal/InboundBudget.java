package org.scriptbox.fleet.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what waits for the link's thread. MQTT gives no back-pressure once a QoS 1 message is
 * acknowledged, and without broker ACLs any client may publish on a gateway's request topics: 10,000
 * requests a second would otherwise queue without limit (memory) and put a real deploy minutes behind
 * them. Beyond the bound a message is dropped (never answered: answering a flood would double it) and
 * counted; {@link #droppedSinceLastReport} feeds one WARN line per interval.
 */
final class InboundBudget {
    private final int maxMessages;
    private final long maxBytes;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** When its link last reported drops of it (one WARN line per 10 s). */
    final AtomicLong lastReport = new AtomicLong(System.nanoTime() - java.util.concurrent.TimeUnit.SECONDS.toNanos(10));
    /** For revocations (Q47): their own bound, so a flood of forged ones never drops a request. */
    static InboundBudget revocations() {
        return new InboundBudget(20_000, 8L << 20);
    }

    /** Dropped so far and not reported yet (tests). */
    long dropped() {
        return dropped.get();
    }

    InboundBudget(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** On the client library's thread: whether a message of {@code size} bytes may be queued. */
    boolean take(int size) {
        long n = messages.incrementAndGet();
        long b = bytes.addAndGet(size);
        if (n > maxMessages || b > maxBytes && n > 1) {   // one message alone always fits (its size is the broker's limit)
            messages.decrementAndGet();
            bytes.addAndGet(-size);
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** On the link's thread, once the message was handled. */
    void release(int size) {
        messages.decrementAndGet();
        bytes.addAndGet(-size);
    }

    long queued() {
        return messages.get();
    }

    long droppedSinceLastReport() {
        return dropped.getAndSet(0);
    }
}
