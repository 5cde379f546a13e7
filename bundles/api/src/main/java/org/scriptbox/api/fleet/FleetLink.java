package org.scriptbox.api.fleet;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * scriptbox's small interface over the MQTT 5 client library: one connection to the broker, which
 * reconnects by itself with back-off and keeps its session (clean start off), so messages sent to a
 * gateway while it was away reach it when it returns. Handlers run on the link's own executor, one
 * message at a time, never on the client library's threads.
 */
@ProviderType
public interface FleetLink extends AutoCloseable {
    /**
     * Publishes with QoS 1 (at least once) if connected; while offline the message is dropped (for values
     * published again at every connect: state, status).
     */
    void publish(FleetMessage message);

    /**
     * Publishes with QoS 1 now or, while offline, as soon as the link is back (requests and answers): in
     * order, from a bounded queue that drops its oldest beyond its size. Returns at once.
     */
    void send(FleetMessage message);

    /**
     * Subscribes with QoS 1; the subscription is made again after every reconnect. {@code handler} gets
     * each message of {@code filter} on the link's executor.
     */
    void subscribe(String filter, Consumer<FleetMessage> handler);

    /** Whether the link is connected now. */
    boolean connected();

    /** Tells {@code listener} true after each (re)connect and false after each loss, on the link's executor. */
    void onConnection(Consumer<Boolean> listener);

    /** Disconnects cleanly (no last will) and stops reconnecting. */
    @Override
    void close();
}
