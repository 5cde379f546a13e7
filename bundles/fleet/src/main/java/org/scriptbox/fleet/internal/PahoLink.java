package org.scriptbox.fleet.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;


import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.scriptbox.api.fleet.FleetLink;
import org.scriptbox.api.fleet.FleetMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FleetLink} on Eclipse Paho's MQTT 5 client. Paho calls back on its own threads: each message
 * is copied into an immutable {@link FleetMessage} there and handed to this link's single thread, which
 * also does the (re)connecting, so a slow handler never stalls Paho's receiver and handlers never run
 * concurrently. Reconnects are ours (not Paho's automatic one, which does not retry a first connect that
 * failed): after every loss, with a wait that doubles from the minimum to the maximum.
 */
final class PahoLink implements FleetLink {
    private static final Logger LOG = LoggerFactory.getLogger(PahoLink.class);
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private final BrokerSettings settings;
    private volatile MqttAsyncClient client;   // replaced (link thread) when its session is refused, see renew()
    private final String clientId;
    private volatile long connectedAt;         // System.nanoTime() of the latest connect
    private int shortLived;                    // link thread: connections lost within SHORT_LIVED of their connect
    private static final long SHORT_LIVED_NS = 3_000_000_000L;
    private final MqttConnectionOptions options;
    private final ScheduledExecutorService executor;
    private final Map<String, Consumer<FleetMessage>> subscriptions = new ConcurrentHashMap<>();
    private final List<Consumer<Boolean>> connectionListeners = new CopyOnWriteArrayList<>();
    private static final int OUTBOX_SIZE = 10_000;
    private final java.util.ArrayDeque<FleetMessage> outbox = new java.util.ArrayDeque<>();   // link thread only
    private volatile boolean closed;
    private volatile boolean connected;
    private Duration nextWait;   // link thread only
    private static final Duration REMIND_EVERY = Duration.ofMinutes(10);
    private final TlsSetup tls;   // null: plain TCP
    private int failedAttempts;        // link thread only
    private String lastProblem;        // link thread only
    private long problemLoggedAt;      // link thread only
    private final InboundBudget inbound;
    private final java.util.concurrent.atomic.AtomicLong lastDropReport =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - java.util.concurrent.TimeUnit.SECONDS.toNanos(60));

    /**
     * @param will the death message the broker publishes when this client goes silent (retained), or null
     */
    PahoLink(BrokerSettings settings, String clientId, FleetMessage will) {
        this(settings, clientId, will, 0);
    }

    /** @param maxPacketBytes the broker is told to send nothing larger (0: no limit of ours) */
    PahoLink(BrokerSettings settings, String clientId, FleetMessage will, int maxPacketBytes) {
        this(settings, clientId, will, maxPacketBytes, new InboundBudget(50_000, 256L << 20));
    }

    /** @param inbound how many messages (and bytes) may wait for this link's thread; more are dropped */
    PahoLink(BrokerSettings settings, String clientId, FleetMessage will, int maxPacketBytes, InboundBudget inbound) {
        this.settings = settings;
        this.inbound = inbound;
        this.nextWait = settings.reconnectMin();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-link " + clientId);
            t.setDaemon(true);
            return t;
        });
        this.tls = settings.tls() ? TlsSetup.of(settings) : null;   // before the client: a bad store leaves nothing open
        this.clientId = clientId;
        try {
            this.client = new MqttAsyncClient(settings.uri(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("bad broker address " + settings.uri() + ": " + e.getMessage(), e);
        }
        this.options = options(settings, will, tls);
        if (maxPacketBytes > 0) {
            options.setMaximumPacketSize((long) maxPacketBytes);
        }
        client.setCallback(new Callback());
    }

    /** Starts connecting in the background; returns at once. */
    PahoLink start() {
        executor.execute(this::connect);
        return this;
    }

    private static MqttConnectionOptions options(BrokerSettings s, FleetMessage will, TlsSetup tls) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);   // a persistent session: what is sent while we are away waits at the broker
        o.setSessionExpiryInterval(s.sessionExpirySeconds());
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(s.keepAliveSeconds());
        o.setConnectionTimeout((int) (CONNECT_TIMEOUT_MS / 1000));
        if (!s.username().isEmpty()) {
            o.setUserName(s.username());
            o.setPassword(s.password().getBytes(StandardCharsets.UTF_8));
        }
        if (tls != null) {
            o.setSocketFactory(tls.context.getSocketFactory());
            o.setHttpsHostnameVerificationEnabled(true);   // the broker's certificate must name broker.host
        }
        if (will != null) {
            MqttMessage m = new MqttMessage(will.payload());
            m.setQos(1);
            m.setRetained(will.retained());
            o.setWill(will.topic(), m);
        }
        return o;
    }

    // link thread
    private void connect() {
        if (closed) {
            return;
        }
        if (client.isConnected()) {
            if (!connected) {   // an attempt we had given up on completed after all: take it
                onConnected();
            }
            return;
        }
        if (tls != null) {
            tls.trace.reset();
        }
        try {
            IMqttToken token = client.connect(options);
            token.waitForCompletion(CONNECT_TIMEOUT_MS + 2000);
            onConnected();
        } catch (MqttException | RuntimeException e) {
            if (closed) {   // closing broke this attempt: nothing to report
                return;
            }
            logConnectProblem(ConnectProblem.explain(e, settings, tls));
            abandon();
            scheduleReconnect();
        }
    }

    private void onConnected() {
        nextWait = settings.reconnectMin();
        connected = true;
        connectedAt = System.nanoTime();
        options.setCleanStart(false);   // after a renew(): persistent again from now on
        if (failedAttempts > 0) {
            LOG.info("fleet: connected to {} as {} after {} failed attempt(s)", settings, client.getClientId(), failedAttempts);
        } else {
            LOG.info("fleet: connected to {} as {}", settings, client.getClientId());
        }
        failedAttempts = 0;
        lastProblem = null;
        for (String filter : subscriptions.keySet()) {
            subscribeNow(filter);
        }
        connectionListeners.forEach(l -> tell(l, true));
        flush();
    }

    /**
     * The broker dropped this client right after each of its last connects (seen after a broker restart with
     * persistence: "disconnected due to protocol error" at every reconnect, for good). What the client or the
     * broker kept of the old session is the likely cause: a new Paho client (nothing in flight) and one clean
     * start (what the broker queued for us is dropped: the controller asks again at our birth).
     */
    private void renew() {
        shortLived = 0;
        LOG.warn("fleet: the broker {} dropped this client right after each of its last connects: starting a new session "
                + "(requests it had queued for this client are dropped; state and status are published again)", settings);
        MqttAsyncClient old = client;
        try {
            MqttAsyncClient fresh = new MqttAsyncClient(settings.uri(), clientId, new MemoryPersistence());
            fresh.setCallback(new Callback());
            client = fresh;
            options.setCleanStart(true);
        } catch (MqttException e) {
            LOG.warn("fleet: cannot start a new session: {}", reason(e));
            return;
        }
        try {
            old.disconnectForcibly(0, 500, false);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("fleet: ending the old session's client: {}", reason(e));
        }
        try {
            old.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("fleet: closing the old session's client: {}", reason(e));
        }
    }

    /**
     * A timed-out attempt goes on inside Paho: left alone it may complete after the next attempt started, and
     * two connections of one client id take the session from each other at the broker (seen under load:
     * connected, lost, connected, lost) or one completes unseen, without our subscriptions. End it first.
     */
    private void abandon() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("fleet: abandoning a connect attempt: {}", reason(e));
        }
    }

    /**
     * One WARN line per reason: the same reason again is DEBUG, with a reminder every {@link #REMIND_EVERY}
     * (a gateway with a bad certificate retries for days; its log must not fill with the same line).
     */
    private void logConnectProblem(String problem) {
        failedAttempts++;
        long now = System.nanoTime();
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            problemLoggedAt = now;
            LOG.warn("fleet: cannot connect to {}: {}; trying again with back-off from {} to {} ms (not logged again "
                    + "while the reason stays the same)", settings, problem, settings.reconnectMin().toMillis(),
                    settings.reconnectMax().toMillis());
        } else if (now - problemLoggedAt >= REMIND_EVERY.toNanos()) {
            problemLoggedAt = now;
            LOG.warn("fleet: still cannot connect to {} ({} attempts): {}", settings, failedAttempts, problem);
        } else {
            LOG.debug("fleet: cannot connect to {} (attempt {}): {}", settings, failedAttempts, problem);
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        Duration wait = nextWait;
        Duration doubled = nextWait.multipliedBy(2);
        nextWait = doubled.compareTo(settings.reconnectMax()) > 0 ? settings.reconnectMax() : doubled;
        executor.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void subscribeNow(String filter) {
        try {
            client.subscribe(filter, 1).waitForCompletion(CONNECT_TIMEOUT_MS);
        } catch (MqttException e) {
            LOG.warn("fleet: cannot subscribe to {}: {}", filter, reason(e));
        }
    }

    private static void tell(Consumer<Boolean> listener, boolean up) {
        try {
            listener.accept(up);
        } catch (RuntimeException e) {
            LOG.warn("fleet: a connection listener failed", e);
        }
    }

    @Override
    public void send(FleetMessage message) {
        executor.execute(() -> {
            outbox.addLast(message);
            if (outbox.size() > OUTBOX_SIZE) {
                LOG.warn("fleet: offline too long: dropped a message to {}", outbox.removeFirst().topic());
            }
            flush();
        });
    }

    // link thread: in order; what the client cannot take now (offline, too many in flight) waits
    private void flush() {
        while (!outbox.isEmpty() && client.isConnected()) {
            try {
                client.publish(outbox.peekFirst().topic(), mqtt(outbox.peekFirst()));
                outbox.removeFirst();
            } catch (MqttException | RuntimeException e) {
                LOG.debug("fleet: send to {} waits: {}", outbox.peekFirst().topic(), reason(e));
                if (client.isConnected()) {
                    executor.schedule(this::flush, 50, TimeUnit.MILLISECONDS);
                }
                return;
            }
        }
    }

    private static MqttMessage mqtt(FleetMessage message) {
        MqttMessage m = new MqttMessage(message.payload());
        m.setQos(1);
        m.setRetained(message.retained());
        if (message.responseTopic() != null || message.correlationData() != null) {
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(message.responseTopic());
            p.setCorrelationData(message.correlationData());
            m.setProperties(p);
        }
        return m;
    }

    @Override
    public void publish(FleetMessage message) {
        try {
            client.publish(message.topic(), mqtt(message));
        } catch (MqttException | RuntimeException e) {
            // offline: statuses are published again at the next connect
            LOG.debug("fleet: not published to {}: {}", message.topic(), reason(e));
        }
    }

    @Override
    public void subscribe(String filter, Consumer<FleetMessage> handler) {
        subscriptions.put(filter, handler);
        executor.execute(() -> {
            if (client.isConnected()) {
                subscribeNow(filter);
            }
        });
    }

    @Override
    public boolean connected() {
        return connected && client.isConnected();
    }

    @Override
    public void onConnection(Consumer<Boolean> listener) {
        connectionListeners.add(listener);
    }

    /** Runs a task on the link's thread (where handlers run) after a delay. */
    void schedule(Runnable task, long delayMs) {
        if (!closed) {
            executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);   // a clean disconnect: the broker sends no will
            }
        } catch (MqttException e) {
            LOG.debug("fleet: disconnect: {}", reason(e));
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("fleet: close: {}", reason(e));
        }
        executor.shutdownNow();
    }

    /** Publishes {@code last} and then disconnects, so a clean stop still leaves the retained offline state. */
    void closeWith(FleetMessage last) {
        if (client.isConnected()) {
            try {
                client.publish(last.topic(), mqtt(last)).waitForCompletion(2000);
            } catch (MqttException e) {
                LOG.debug("fleet: last message not sent: {}", reason(e));
            }
        }
        close();
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : e.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }

    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            connected = false;
            if (closed) {
                return;
            }
            boolean shortly = System.nanoTime() - connectedAt < SHORT_LIVED_NS;
            executor.execute(() -> {
                LOG.warn("fleet: lost the broker {}: {}", settings,
                        response.getException() == null ? response.getReasonString() : reason(response.getException()));
                connectionListeners.forEach(l -> tell(l, false));
                shortLived = shortly ? shortLived + 1 : 0;
                if (shortLived >= 3) {
                    renew();
                }
                scheduleReconnect();
            });
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("fleet: MQTT error: {}", reason(exception));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            int size = message.getPayload().length + topic.length();
            if (!inbound.take(size)) {
                reportDropped();
                return;
            }
            MqttProperties p = message.getProperties();
            FleetMessage m = new FleetMessage(topic, message.getPayload(), message.isRetained(),
                    p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData());
            executor.execute(() -> {
                try {
                    dispatch(m);
                } finally {
                    inbound.release(size);
                }
            });
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    /** At most one WARN line per 10 s while messages are dropped. */
    private void reportDropped() {
        long now = System.nanoTime();
        long last = lastDropReport.get();
        if (now - last >= java.util.concurrent.TimeUnit.SECONDS.toNanos(10) && lastDropReport.compareAndSet(last, now)) {
            LOG.warn("fleet: {} messages dropped: {} wait for this link's thread already (a flood from a client of the broker?)",
                    inbound.droppedSinceLastReport(), inbound.queued());
        }
    }

    private void dispatch(FleetMessage m) {
        subscriptions.forEach((filter, handler) -> {
            if (matches(filter, m.topic())) {
                try {
                    handler.accept(m);
                } catch (RuntimeException e) {
                    LOG.warn("fleet: handling a message on {} failed", Texts.clip(m.topic()), e);
                }
            }
        });
    }
}
