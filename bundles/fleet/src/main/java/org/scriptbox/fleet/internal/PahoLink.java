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
 * <p>
 * Every publish goes out on the link's thread, within the send window: at most the broker's receive maximum
 * (MQTT 5 CONNACK; Mosquitto's {@code max_inflight_messages}, 20 by default) QoS 1 messages unacknowledged.
 * Paho does not enforce it, and a broker that is slower than a burst (a controller's stage of 450 requests)
 * disconnects a client that exceeds it, a protocol error; Paho then sends all of its unacknowledged messages
 * again at the reconnect, is disconnected again, and the link never recovers.
 */
final class PahoLink implements FleetLink {
    private static final Logger LOG = LoggerFactory.getLogger(PahoLink.class);
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private final BrokerSettings settings;
    private volatile MqttAsyncClient client;   // replaced (link thread) when its session is refused, see renew()
    private final String clientId;
    private volatile long connectedAt;         // System.nanoTime() of the latest connect
    private int shortLived;                    // link thread: connections lost within SHORT_LIVED of their connect
    private int shortStreak;                   // link thread: the same, not reset by renew(): for the log and back-off
    private long shortWarnedAt;                // link thread: System.nanoTime() of the streak's last WARN line
    private static final long SHORT_LIVED_NS = 3_000_000_000L;
    private final MqttConnectionOptions options;
    private final ScheduledExecutorService executor;
    private final Map<String, Consumer<FleetMessage>> subscriptions = new ConcurrentHashMap<>();
    /**
     * Filters whose messages wait under a bound of their own, not the link's (Q47: a flood of retained revocations,
     * which any broker client may publish, filled the shared bound and the gateway's requests were dropped).
     */
    private final Map<String, InboundBudget> ownBudgets = new ConcurrentHashMap<>();
    private final List<Consumer<Boolean>> connectionListeners = new CopyOnWriteArrayList<>();
    private static final int OUTBOX_SIZE = 10_000;
    private final java.util.ArrayDeque<Outgoing> outbox = new java.util.ArrayDeque<>();   // link thread only
    // retained messages (state, status) that found the window full: the latest per topic, sent first when it frees
    private final Map<String, FleetMessage> retainedWaiting = new java.util.LinkedHashMap<>();   // link thread only
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    // sent from the outbox (answers, requests) and not yet acknowledged, in the order sent: Paho sends them again
    // itself on a resumed session; a new session (renew) starts without them, so they go back into the outbox
    private final Map<Long, Outgoing> unacknowledged = new java.util.concurrent.ConcurrentSkipListMap<>();
    private long sentCount;   // link thread only: the keys of unacknowledged
    private boolean aliasesWarned;   // link thread only
    private volatile int window = 20;   // the broker's receive maximum, from its CONNACK
    private volatile boolean windowFull;   // a send waits for an acknowledgement
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
    private long expiredDropped;       // link thread only: received messages whose expiry passed before their turn
    private long expiredReportedAt = System.nanoTime() - TimeUnit.SECONDS.toNanos(60);

    /**
     * A message waiting to be sent; {@code expires} (System.nanoTime()) bounds how long it may still be delivered
     * and carried out: a request whose asker stopped waiting must not be acted on later (FINDINGS Q22).
     */
    private record Outgoing(FleetMessage message, boolean expiring, long expires) {
    }

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
        this(will == null ? null : () -> will, settings, clientId, maxPacketBytes, inbound);
    }

    /**
     * A link whose death is asked of {@code will} before every connect: a signed one numbered afresh each time, so a
     * death captured from an earlier connection is not this one's.
     */
    static PahoLink withFreshWills(BrokerSettings settings, String clientId, java.util.function.Supplier<FleetMessage> will,
                                   int maxPacketBytes, InboundBudget inbound) {
        return new PahoLink(will, settings, clientId, maxPacketBytes, inbound);
    }

    private PahoLink(java.util.function.Supplier<FleetMessage> will, BrokerSettings settings, String clientId, int maxPacketBytes,
                     InboundBudget inbound) {
        this.will = will;
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
        this.options = options(settings, tls);
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

    private final java.util.function.Supplier<FleetMessage> will;   // null: none

    private static void setWill(MqttConnectionOptions o, FleetMessage will) {
        MqttMessage m = new MqttMessage(will.payload());
        m.setQos(1);
        m.setRetained(will.retained());
        o.setWill(will.topic(), m);
        MqttProperties p = new MqttProperties();
        if (will.auth() != null) {   // the gateway's signature: the broker publishes it with the will
            p.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty(FleetMessage.AUTH_PROPERTY, will.auth())));
        }
        o.setWillMessageProperties(p);
    }

    private static MqttConnectionOptions options(BrokerSettings s, TlsSetup tls) {
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
        return o;
    }

    // link thread
    private void connect() {
        if (closed) {
            return;
        }
        if (client.isConnected()) {
            if (!connected) {   // an attempt we had given up on completed after all: take it
                onConnected(null);
            }
            return;
        }
        if (tls != null) {
            tls.trace.reset();
        }
        try {
            if (will != null) {
                setWill(options, will.get());
            }
            IMqttToken token = client.connect(options);
            token.waitForCompletion(CONNECT_TIMEOUT_MS + 2000);
            onConnected(token);
        } catch (MqttException | RuntimeException e) {
            if (closed) {   // closing broke this attempt: nothing to report
                return;
            }
            logConnectProblem(ConnectProblem.explain(e, settings, tls));
            abandon();
            scheduleReconnect();
        }
    }

    /** @param token the connect's, with the broker's CONNACK; null for a late one (the window stays as it was) */
    private void onConnected(IMqttToken token) {
        // before anything is published on this connection: a publish given an alias would be resent without
        // its topic after a link loss (see PahoAliases)
        if (!PahoAliases.off(client) && !aliasesWarned) {
            aliasesWarned = true;
            LOG.warn("fleet: cannot turn off this Paho's outgoing topic aliases: a message in flight at a link loss may be "
                    + "refused by the broker at the reconnect");
        }
        if (token != null) {
            Integer max = token.getResponseProperties() == null ? null : token.getResponseProperties().getReceiveMaximum();
            window = max == null || max <= 0 ? 65_535 : max;   // absent: 65,535 (MQTT 5)
        }
        inFlight.set(client.getInFlightMessageCount());   // what Paho sends again from the resumed session
        retainedWaiting.clear();   // the connection listeners publish the current state and status again
        // the back-off starts again only once a connection has lived (see Callback.disconnected): a link dropped right
        // after each connect (another client taking its client id, FINDINGS Q34) must not reconnect at the minimum for ever
        connected = true;
        connectedAt = System.nanoTime();
        options.setCleanStart(false);   // after a renew(): persistent again from now on
        if (failedAttempts > 0) {
            LOG.info("fleet: connected to {} as {} (send window {}) after {} failed attempt(s)", settings, client.getClientId(),
                    window, failedAttempts);
        } else {
            LOG.info("fleet: connected to {} as {} (send window {})", settings, client.getClientId(), window);
        }
        failedAttempts = 0;
        lastProblem = null;
        for (String filter : subscriptions.keySet()) {
            subscribeNow(filter);
        }
        connectionListeners.forEach(l -> tell(l, true));
        executor.execute(this::flush);   // after the birth and status the listeners publish
    }

    /**
     * The broker dropped this client right after each of its last connects (seen after a broker restart with
     * persistence: "disconnected due to protocol error" at every reconnect, for good). The cause is Paho 1.2.5's
     * resend of an in-flight QoS 1 publish that carries only a topic alias of the old connection (Paho
     * eclipse-paho/paho.mqtt.java#1104; aliases must not outlive a connection, and Paho uses them whenever the
     * broker allows). The way out: a new Paho client (nothing in flight) and one clean start (what the broker queued
     * for us is dropped: the controller asks again at our birth).
     */
    private void renew() {
        shortLived = 0;
        String text = "fleet: the broker {} dropped this client right after each of its last connects: starting a new session "
                + "(requests it had queued for this client are dropped; state and status are published again; {} message(s) "
                + "not yet acknowledged are sent again)";
        if (shortStreak <= 3) {   // the streak's own WARN line (another client with this id?) reminds of it later
            LOG.warn(text, settings, unacknowledged.size());
        } else {
            LOG.debug(text, settings, unacknowledged.size());
        }
        MqttAsyncClient old = client;
        try {
            MqttAsyncClient fresh = new MqttAsyncClient(settings.uri(), clientId, new MemoryPersistence());
            fresh.setCallback(new Callback());
            client = fresh;
            options.setCleanStart(true);
            // the new session has nothing in flight: what the old one had not had acknowledged goes first, in order
            List<Outgoing> again = new java.util.ArrayList<>(unacknowledged.values());
            unacknowledged.clear();
            for (int i = again.size() - 1; i >= 0; i--) {
                outbox.addFirst(again.get(i));
            }
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
        queue(new Outgoing(message, false, 0));
    }

    /**
     * Sends {@code message} to be delivered and acted on within {@code within} from now, or never: it goes out with
     * the MQTT 5 message expiry of what is left of that time (less 2 s of the broker's rounding), so the broker drops it if it
     * cannot deliver it in time (a gateway that is away: its persistent session would hand it over days later), a
     * receiving {@link PahoLink} drops it if its turn comes after that, and it is not sent at all if the time ran out
     * while it waited here (offline).
     */
    void send(FleetMessage message, Duration within) {
        queue(new Outgoing(message, true, System.nanoTime() + within.toNanos()));
    }

    private void queue(Outgoing message) {
        executor.execute(() -> {
            outbox.addLast(message);
            if (outbox.size() > OUTBOX_SIZE) {
                LOG.warn("fleet: offline too long: dropped a message to {}", outbox.removeFirst().message().topic());
            }
            flush();
        });
    }

    // link thread: in order; what the client cannot take now (offline, the window full) waits: the window
    // is retried when an acknowledgement frees it (deliveryComplete), other refusals after 50 ms
    private void flush() {
        windowFull = false;
        while (!retainedWaiting.isEmpty() && client.isConnected()) {
            FleetMessage m = retainedWaiting.values().iterator().next();
            if (!publishNow(new Outgoing(m, false, 0), false)) {
                return;
            }
            retainedWaiting.remove(m.topic());
        }
        while (!outbox.isEmpty() && client.isConnected()) {
            if (!publishNow(outbox.peekFirst(), true)) {
                return;
            }
            outbox.removeFirst();
        }
    }

    /**
     * Link thread: publishes if the window has room; false when it must wait (and a retry is arranged). A message
     * whose time ran out is dropped (true: done with it).
     * @param keep kept until acknowledged, to be sent again by a new session (an answer or request must not be lost)
     */
    private boolean publishNow(Outgoing out, boolean keep) {
        FleetMessage message = out.message();
        long expirySeconds = 0;
        if (out.expiring()) {
            long left = out.expires() - System.nanoTime();
            if (left <= 0) {
                LOG.debug("fleet: not sent to {}: its time ran out while it waited here", Texts.clip(message.topic()));
                return true;
            }
            // the broker counts whole seconds (it may deliver up to a second past the expiry, and the remainder it
            // hands over is rounded): 2 s less than what is left, so the last moment it can be taken up comes before
            // its sender's (at least 1 s: below a 3 s wait the bound is that wait plus up to 2 s)
            expirySeconds = Math.max(1, left / 1_000_000_000L - 2);
        }
        if (inFlight.get() >= window) {
            windowFull = true;
            if (inFlight.get() < window) {   // an acknowledgement came in between: do not wait for the next one
                executor.execute(this::flush);
            }
            return false;
        }
        inFlight.incrementAndGet();
        Long key = keep ? sentCount++ : null;
        if (key != null) {   // before the publish: its acknowledgement may come before publish() returns
            unacknowledged.put(key, out);
        }
        try {
            client.publish(message.topic(), mqtt(message, expirySeconds), key, null);
            return true;
        } catch (IllegalArgumentException e) {
            // Paho's check of the topic (a wildcard, too long): no retry makes it valid, and retrying the head of the
            // queue for ever held up every later message (FINDINGS Q24)
            inFlight.decrementAndGet();
            if (key != null) {
                unacknowledged.remove(key);
            }
            LOG.warn("fleet: not sent: {} is not a topic one may publish on", Texts.clip(message.topic()));
            return true;
        } catch (MqttException | RuntimeException e) {
            inFlight.decrementAndGet();
            if (key != null) {
                unacknowledged.remove(key);
            }
            LOG.debug("fleet: send to {} waits: {}", message.topic(), reason(e));
            if (client.isConnected()) {
                executor.schedule(this::flush, 50, TimeUnit.MILLISECONDS);
            }
            return false;
        }
    }

    private static MqttMessage mqtt(FleetMessage message) {
        return mqtt(message, 0);
    }

    /** @param expirySeconds the MQTT 5 message expiry interval, 0 for none */
    private static MqttMessage mqtt(FleetMessage message, long expirySeconds) {
        MqttMessage m = new MqttMessage(message.payload());
        m.setQos(1);
        m.setRetained(message.retained());
        if (message.responseTopic() != null || message.correlationData() != null || expirySeconds > 0
                || message.auth() != null) {
            MqttProperties p = new MqttProperties();
            p.setResponseTopic(message.responseTopic());
            p.setCorrelationData(message.correlationData());
            if (expirySeconds > 0) {
                p.setMessageExpiryInterval(expirySeconds);
            }
            if (message.auth() != null) {
                p.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty(FleetMessage.AUTH_PROPERTY, message.auth())));
            }
            m.setProperties(p);
        }
        return m;
    }

    /**
     * Without queueing, on the link's thread: offline it is dropped (state and status are published again at
     * every connect). With the send window full a retained message (state, status) waits, the latest per topic,
     * and goes out before the outbox when the window frees; other messages (run events) are dropped.
     */
    @Override
    public void publish(FleetMessage message) {
        if (closed) {
            return;
        }
        onLinkThread(() -> {
            if (!client.isConnected()) {
                LOG.debug("fleet: offline: not published to {}", message.topic());
            } else if (message.retained() && (retainedWaiting.containsKey(message.topic())
                    || !publishNow(new Outgoing(message, false, 0), false))) {
                retainedWaiting.remove(message.topic());   // re-inserted last: the latest never overtaken by an older one
                retainedWaiting.put(message.topic(), message);
            } else if (!message.retained() && !publishNow(new Outgoing(message, false, 0), false)) {
                LOG.debug("fleet: send window full: not published to {}", message.topic());
            }
        });
    }

    /** As {@link #subscribe(String, Consumer)}, its messages counted against {@code budget} instead of the link's. */
    void subscribe(String filter, Consumer<FleetMessage> handler, InboundBudget budget) {
        ownBudgets.put(filter, budget);
        subscribe(filter, handler);
    }

    /** The bound a message on {@code topic} waits under. */
    private InboundBudget budgetOf(String topic) {
        for (Map.Entry<String, InboundBudget> e : ownBudgets.entrySet()) {
            if (matches(e.getKey(), topic)) {
                return e.getValue();
            }
        }
        return inbound;
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

    /** Runs a task on the link's thread soon; nothing once the link is closed. */
    private void onLinkThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
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

    /** Sent from the outbox and not yet acknowledged by the broker (tests). */
    int unacknowledgedCount() {
        return unacknowledged.size();
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

    /** The sender's signature (user property {@link FleetMessage#AUTH_PROPERTY}), or null; the first if several. */
    private static String auth(MqttProperties p) {
        if (p == null || p.getUserProperties() == null) {
            return null;
        }
        for (org.eclipse.paho.mqttv5.common.packet.UserProperty u : p.getUserProperties()) {
            if (FleetMessage.AUTH_PROPERTY.equals(u.getKey())) {
                return u.getValue();
            }
        }
        return null;
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
            long lived = System.nanoTime() - connectedAt;
            boolean shortly = lived < SHORT_LIVED_NS;
            executor.execute(() -> {
                String why = response.getException() == null ? response.getReasonString() : reason(response.getException());
                if (!shortly) {
                    shortStreak = 0;
                    nextWait = settings.reconnectMin();   // it had lived: reconnect soon
                    LOG.warn("fleet: lost the broker {}: {}", settings, why);
                } else {
                    // dropped right after its connect, again and again: Mosquitto closes the older of two connections
                    // with one client id without a reason code, so this is what a second gateway with the same
                    // gateway.id (a copied configuration or SD card) looks like; the back-off keeps growing (FINDINGS Q34)
                    shortStreak++;
                    long now = System.nanoTime();
                    if (shortStreak == 2 || shortStreak > 2 && now - shortWarnedAt >= REMIND_EVERY.toNanos()) {
                        shortWarnedAt = now;
                        LOG.warn("fleet: lost the broker {} right after connecting, {} times in a row ({}): another client may "
                                + "be connecting with this client id {} (a second gateway or controller with the same id, e.g. "
                                + "a copied configuration), or the broker refuses what this client sends; reconnecting with "
                                + "back-off up to {} ms (not logged again for {} minutes)", settings, shortStreak, why, clientId,
                                settings.reconnectMax().toMillis(), REMIND_EVERY.toMinutes());
                    } else if (shortStreak == 1) {
                        LOG.warn("fleet: lost the broker {} {} ms after connecting: {}", settings, lived / 1_000_000, why);
                    } else {
                        LOG.debug("fleet: lost the broker {} right after connecting ({} times in a row): {}", settings, shortStreak, why);
                    }
                }
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
            InboundBudget budget = budgetOf(topic);
            if (!budget.take(size)) {
                reportDropped(budget, topic);
                return;
            }
            MqttProperties p = message.getProperties();
            FleetMessage m = new FleetMessage(topic, message.getPayload(), message.isRetained(),
                    p == null ? null : p.getResponseTopic(), p == null ? null : p.getCorrelationData(), auth(p));
            // what is left of its expiry (the broker sends the remainder): past it, its sender stopped waiting
            Long expiry = p == null ? null : p.getMessageExpiryInterval();
            long expires = expiry == null || expiry <= 0 ? 0 : System.nanoTime() + TimeUnit.SECONDS.toNanos(expiry);
            executor.execute(() -> {
                try {
                    if (expires != 0 && System.nanoTime() - expires > 0) {
                        reportExpired(m);
                    } else {
                        dispatch(m);
                    }
                } finally {
                    budget.release(size);
                }
            });
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            if (token.getUserContext() instanceof Long key) {
                unacknowledged.remove(key);
            }
            if (inFlight.decrementAndGet() < 0) {
                inFlight.set(0);
            }
            if (windowFull && !closed) {   // an acknowledgement freed a place in the window
                windowFull = false;
                onLinkThread(PahoLink.this::flush);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    /** Link thread: a message that waited here beyond its expiry is not handled; one WARN line per 10 s. */
    private void reportExpired(FleetMessage m) {
        expiredDropped++;
        long now = System.nanoTime();
        if (now - expiredReportedAt >= TimeUnit.SECONDS.toNanos(10)) {
            LOG.warn("fleet: {} message(s) expired while they waited for this link's thread, the last on {}: not carried out "
                    + "(their sender stopped waiting for the answer)", expiredDropped, Texts.clip(m.topic()));
            expiredReportedAt = now;
            expiredDropped = 0;
        }
    }

    /** At most one WARN line per 10 s while messages are dropped (per bound: a flood of one kind names its kind). */
    private void reportDropped(InboundBudget budget, String topic) {
        long now = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong at = budget == inbound ? lastDropReport : budget.lastReport;
        long last = at.get();
        if (now - last >= java.util.concurrent.TimeUnit.SECONDS.toNanos(10) && at.compareAndSet(last, now)) {
            LOG.warn("fleet: {} {}: {} wait for this link's thread already (a flood from a client of the broker?)",
                    budget.droppedSinceLastReport(), budget == inbound ? "messages dropped"
                            : "messages like the one on " + Texts.clip(topic) + " dropped (they have a bound of their own)",
                    budget.queued());
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
