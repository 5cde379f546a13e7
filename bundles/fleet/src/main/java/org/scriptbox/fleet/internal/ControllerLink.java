package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A controller's side of the protocol: the table of gateways (from the retained state and status topics of
 * the fleet) and requests with MQTT 5 correlation data, answered on this controller's response topic.
 */
final class ControllerLink implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControllerLink.class);
    static final int MAX_GATEWAYS = 100_000;
    static final int MAX_PACKET_BYTES = 16 << 20;
    /** As a JSON tree a message can take ~30 times its size: larger states, statuses and answers are not read. */
    static final int MAX_STATE_BYTES = 64 * 1024;
    static final int MAX_STATUS_BYTES = 1 << 20;
    static final int MAX_ANSWER_BYTES = 4 << 20;
    private final java.util.concurrent.atomic.AtomicBoolean tableFullWarned = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * A real fleet has few groups: each name is held once, and at most this many distinct ones are taken. Ghost
     * births (any broker client, retained) with 64 unique 64-character groups each were ~7 KB apiece, 684 MB at
     * {@link #MAX_GATEWAYS} (FINDINGS Q25).
     */
    static final int MAX_GROUPS = 10_000;
    private final Map<String, String> groupNames = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean groupsFullWarned = new java.util.concurrent.atomic.AtomicBoolean();
    private final PahoLink link;
    private final String fleet;
    private final RequestAuth.Signer signer;
    private final String responses;
    private final Map<String, GatewayView> gateways = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** Per request id, the gateway it was sent to: only that gateway's key may answer it (with gateway.keys). */
    private final Map<String, String> askedOf = new ConcurrentHashMap<>();
    private final GatewayAuth.Checker auth;   // null: births, statuses and answers are the broker's ACLs' to guard
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    private long droppedSinceWarn;   // link thread
    private long dropWarned;         // link thread
    /** Keys that births named and signed with, of gateways not (or otherwise) in gateway.keys: fleet:keys (bounded). */
    private final Map<String, String> presented = new ConcurrentHashMap<>();
    static final int MAX_PRESENTED = 10_000;
    private final List<Consumer<GatewayView>> onlineListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<GatewayView>> statusListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    ControllerLink(BrokerSettings broker, String fleet, String controllerId) {
        this(broker, fleet, controllerId, null);
    }

    /** @param signer signs every request (gateways with controller.keys take no other), or null */
    ControllerLink(BrokerSettings broker, String fleet, String controllerId, RequestAuth.Signer signer) {
        this(broker, fleet, controllerId, signer, null);
    }

    /** @param auth takes only messages signed by each gateway's key in gateway.keys, or null (the broker's ACLs) */
    ControllerLink(BrokerSettings broker, String fleet, String controllerId, RequestAuth.Signer signer, GatewayAuth.Checker auth) {
        this.signer = signer;
        this.auth = auth;
        this.fleet = fleet;
        this.responses = FleetTopics.responses(fleet, controllerId);
        // the broker sends nothing larger (its own default limit is 256 MB, from any client of it)
        this.link = new PahoLink(broker, "scriptbox-" + fleet + "-controller-" + controllerId, null, MAX_PACKET_BYTES);
        link.subscribe(FleetTopics.everyGateway(fleet, FleetTopics.STATE), this::state);
        link.subscribe(FleetTopics.everyGateway(fleet, FleetTopics.STATUS), this::status);
        link.subscribe(responses, this::response);
        if (auth != null) {   // verified at a bounded cost; without gateway.keys there is nothing to verify
            link.subscribe(FleetTopics.everyGateway(fleet, FleetTopics.EVENTS), m -> signedActivity(m, false));
            link.subscribe(FleetTopics.everyGateway(fleet, TELEMETRY) + "/+", m -> signedActivity(m, true));
        }
        link.subscribe(FleetTopics.revocations(fleet, "#"), this::defendRevocation);
        link.onConnection(up -> {
            if (up) {   // retained: published again at each connect (the broker may have lost or been cleared of them)
                revocations.forEach((topic, payload) -> link.publish(new FleetMessage(topic, payload, true, null, null)));
            }
        });
    }

    /** Topic to payload of the revocations this controller keeps published (retained). */
    private final Map<String, byte[]> revocations = new ConcurrentHashMap<>();
    private final Map<String, Long> revocationDefended = new ConcurrentHashMap<>();
    private final Set<String> revocationDue = ConcurrentHashMap.newKeySet();

    /** Publishes (retained) and keeps published a halted package's revocation ({@link PackageRevocation}). */
    void revoke(String topic, byte[] payload) {
        byte[] before = revocations.put(topic, payload.clone());
        if (before == null || !java.util.Arrays.equals(before, payload)) {
            link.publish(new FleetMessage(topic, payload, true, null, null));
        }
    }

    /**
     * Link thread: another client cleared or replaced one of our revocations (retained, anyone may publish there
     * without ACLs): ours again, at most once a second per topic, so a gateway that subscribes later still gets it.
     */
    private void defendRevocation(FleetMessage m) {
        byte[] mine = revocations.get(m.topic());
        if (mine == null || java.util.Arrays.equals(mine, m.payload()) || !revocationDue.add(m.topic())) {
            return;
        }
        long wait = Math.max(0, revocationDefended.getOrDefault(m.topic(), 0L) + 1_000 - System.currentTimeMillis());
        link.schedule(() -> {
            revocationDue.remove(m.topic());
            revocationDefended.put(m.topic(), System.currentTimeMillis());
            link.publish(new FleetMessage(m.topic(), revocations.get(m.topic()), true, null, null));
        }, wait);
    }

    ControllerLink start() {
        link.start();
        return this;
    }

    boolean connected() {
        return link.connected();
    }

    /** Told (on the link's thread) whenever a gateway's state says online. */
    void onOnline(Consumer<GatewayView> listener) {
        onlineListeners.add(listener);
    }

    /** Told (on the link's thread) of every status taken into the table, with the gateway as it is then. */
    void onStatus(Consumer<GatewayView> listener) {
        statusListeners.add(listener);
    }

    List<GatewayView> gateways() {
        List<GatewayView> list = new ArrayList<>(gateways.values());
        list.sort(java.util.Comparator.comparing(GatewayView::id));
        return list;
    }

    GatewayView gateway(String id) {
        return gateways.getOrDefault(id, GatewayView.unknown(id));
    }

    /**
     * Sends a request; the future completes with the answer, or exceptionally with a
     * {@link java.util.concurrent.TimeoutException} {@code timeout} after it was sent (a request held back for room,
     * {@link #MAX_BYTES_OUT}, waits first). The request expires then too: a gateway
     * that has not taken it up by then never carries it out (one that did may still be at it: a long run).
     */
    CompletableFuture<JsonNode> request(String gateway, String command, ObjectNode body, Duration timeout) {
        return request(gateway, command, body, timeout, () -> true);
    }

    /**
     * @param wanted asked when the request was held back for room (see {@link #MAX_BYTES_OUT}): false answers it
     *               {@link #NOT_SENT} instead of sending it (its rollout was halted meanwhile)
     */
    CompletableFuture<JsonNode> request(String gateway, String command, ObjectNode body, Duration timeout,
                                        java.util.function.BooleanSupplier wanted) {
        String id = UUID.randomUUID().toString();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        askedOf.put(id, gateway);
        answer.whenComplete((r, e) -> {
            pending.remove(id);
            askedOf.remove(id);
        });
        Held h = new Held(gateway, command, body, timeout, id, answer, wanted);
        boolean now;
        synchronized (held) {   // in order: nothing overtakes a request held back (a rollback its deploy, a number)
            now = held.isEmpty() && bytesOut < MAX_BYTES_OUT;
            if (!now) {
                held.add(h);
            }
        }
        if (now) {
            transmit(h);
        }
        return answer;
    }

    /**
     * Bytes of requests sent and not yet answered (or timed out) above which further requests wait as their JSON
     * tree (a stage's deploys share one): each sent one is a copy of the package, and ghosts in a group times a
     * large package would otherwise be gigabytes of queued requests in the controller (FINDINGS Q32).
     */
    static final long MAX_BYTES_OUT = 16L << 20;
    static final String NOT_SENT = "NOT_SENT";
    private long bytesOut;   // guarded by held
    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();

    private record Held(String gateway, String command, ObjectNode body, Duration timeout, String id,
                        CompletableFuture<JsonNode> answer, java.util.function.BooleanSupplier wanted) {
    }

    private void transmit(Held h) {
        byte[] correlation = h.id().getBytes(StandardCharsets.UTF_8);
        byte[] payload = h.body().toString().getBytes(StandardCharsets.UTF_8);
        Duration left = h.timeout();   // counted from the send: a request held back for room has not been waiting for an answer
        h.answer().orTimeout(left.toMillis(), TimeUnit.MILLISECONDS);
        long size = payload.length;
        synchronized (held) {
            bytesOut += size;
        }
        h.answer().whenComplete((r, e) -> release(size));
        // expires with our wait: a request we gave up on ("no answer") must not be carried out when the gateway
        // comes back to its persistent session days later, nor after waiting on its link thread (FINDINGS Q22)
        if (signer == null) {
            link.send(new FleetMessage(FleetTopics.request(fleet, h.gateway(), h.command()), payload, false, responses,
                    correlation), left);
        } else {
            // numbered and queued under one lock: the link sends in this order, and a gateway takes numbers only upwards
            synchronized (signer) {
                long seq = signer.nextSeq();
                link.send(new FleetMessage(FleetTopics.request(fleet, h.gateway(), h.command()),
                        signer.wrap(fleet, h.gateway(), h.command(), responses, correlation, seq, payload), false, responses,
                        correlation), left);
            }
        }
    }

    /** A request was answered or timed out: held ones go out while there is room. */
    private void release(long size) {
        synchronized (held) {
            bytesOut -= size;
        }
        while (true) {
            Held h;
            synchronized (held) {
                if (held.isEmpty() || bytesOut >= MAX_BYTES_OUT) {
                    return;
                }
                h = held.poll();
            }
            if (h.answer().isDone() || !h.wanted().getAsBoolean()) {
                h.answer().complete(Replies.refused(NOT_SENT, "not sent: its rollout was halted before there was room"));
                continue;
            }
            transmit(h);
        }
    }

    private void response(FleetMessage m) {
        byte[] c = m.correlationData();
        if (c == null) {
            return;
        }
        String id = new String(c, StandardCharsets.UTF_8);
        CompletableFuture<JsonNode> answer = pending.get(id);
        String gateway = askedOf.get(id);
        if (answer != null && gateway != null && !accepted(m, gateway, "res")) {
            return;   // a forged answer ("applied") is not the gateway's: its own answer, or the timeout, decides
        }
        if (answer != null) {
            int size = m.payload().length;
            JsonNode a = size > MAX_ANSWER_BYTES ? Replies.refused("TOO_LARGE", "the answer has " + size
                    + " bytes; this controller reads at most " + MAX_ANSWER_BYTES) : json(m);
            answer.complete(a != null && a.isObject() ? a : Replies.refused("BAD_ANSWER", "the answer is not a JSON object"));
        }
    }

    /**
     * The gateway a state or status message is about, or null to ignore it: any broker client can publish on
     * any topic, so the id must be one a gateway could have (it reaches logs, the shell and request topics),
     * and the table is bounded.
     */
    private String gatewayOf(FleetMessage m) {
        String id = FleetTopics.gatewayOf(m.topic());
        if (!FleetTopics.validId(id)) {
            return null;
        }
        if (gateways.size() >= MAX_GATEWAYS && !gateways.containsKey(id)) {
            if (tableFullWarned.compareAndSet(false, true)) {
                LOG.warn("fleet: {} gateways known: further ids are ignored (a client publishing ghosts?)", MAX_GATEWAYS);
            }
            return null;
        }
        return id;
    }

    /**
     * With gateway.keys: whether {@code m} is signed by {@code gateway}'s key and not a replay; one WARN line per 10 s
     * for what is dropped (a flood of forgeries is one line), all counted ({@link #dropped()}).
     */
    private boolean accepted(FleetMessage m, String gateway, String leaf) {
        if (auth == null) {
            return true;
        }
        String why = auth.check(m, gateway, leaf);
        if (why == null) {
            saveSoon();
            return true;
        }
        if (why == GatewayAuth.Checker.DUPLICATE) {
            return false;
        }
        dropped.incrementAndGet();
        droppedSinceWarn++;
        long t = System.currentTimeMillis();
        if (t - dropWarned >= 10_000) {
            LOG.warn("fleet: dropped {} message(s) not signed by their gateway's key in gateway.keys, the last: {}",
                    droppedSinceWarn, why);
            dropWarned = t;
            droppedSinceWarn = 0;
        }
        return false;
    }

    private volatile Path numbersFile;   // null: the gateways' numbers are not kept
    private boolean saveDue;              // link thread
    private long saveWarned;              // link thread

    /** Keeps the gateways' numbers in {@code file} ({@link GatewayNumbers}), loading them first; before {@link #start}. */
    ControllerLink keepNumbers(Path file) {
        if (auth != null) {
            GatewayNumbers.load(file, auth);
            numbersFile = file;
        }
        return this;
    }

    static final String TELEMETRY = "telemetry";
    /** An event or a telemetry message larger is refused before its signature is looked at. */
    static final int MAX_ACTIVITY_BYTES = 64 * 1024;
    private final Activity activity = new Activity();
    private VerifyBudget budget = new VerifyBudget(VerifyBudget.PER_GATEWAY, VerifyBudget.TOTAL, System::nanoTime);
    private final List<java.util.function.BiConsumer<String, FleetMessage>> activityListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Another budget (tests); before {@link #start}. */
    ControllerLink budget(VerifyBudget b) {
        budget = b;
        return this;
    }

    /** Told (link thread) of each event or telemetry message signed by its gateway and above its last number. */
    void onActivity(java.util.function.BiConsumer<String, FleetMessage> listener) {
        activityListeners.add(listener);
    }

    /** Per gateway, its events and telemetry taken, refused and dropped over the budget: fleet:activity. */
    Map<String, Activity.Counts> activity() {
        return activity.snapshot();
    }

    /** Link thread: cheap checks first (id, key, size, number), then the budget, then the signature. */
    void signedActivity(FleetMessage m, boolean telemetry) {
        String id = FleetTopics.gatewayOf(m.topic());
        if (!FleetTopics.validId(id)) {
            return;
        }
        if (!auth.knows(id)) {
            activity.count(Activity.UNKNOWN, telemetry, Activity.Outcome.REFUSED);
            return;
        }
        String why = m.payload().length > MAX_ACTIVITY_BYTES ? "too large"
                : auth.check(m, id, telemetry ? TELEMETRY : FleetTopics.EVENTS, () -> budget.take(id));
        if (why == null) {
            activity.count(id, telemetry, Activity.Outcome.TAKEN);
            saveSoon();
            activityListeners.forEach(l -> l.accept(id, m));
        } else {
            activity.count(id, telemetry, why == GatewayAuth.Checker.OVER_BUDGET ? Activity.Outcome.OVER_BUDGET
                    : Activity.Outcome.REFUSED);
        }
    }

    /** Link thread: one write a second at most, however many messages are taken. */
    private void saveSoon() {
        if (numbersFile == null || saveDue) {
            return;
        }
        saveDue = true;
        link.schedule(() -> {
            saveDue = false;
            if (!GatewayNumbers.save(numbersFile, auth)) {
                long t = System.currentTimeMillis();
                if (t - saveWarned >= 60_000) {
                    LOG.warn("fleet: cannot write {} (the gateways' sequence numbers): tried again with the next message", numbersFile);
                    saveWarned = t;
                }
            }
        }, 1_000);
    }

    /** Messages dropped so far as not signed by their gateway's key (gateway.keys). */
    long dropped() {
        return dropped.get();
    }

    /** The checker of gateway.keys, or null. */
    GatewayAuth.Checker auth() {
        return auth;
    }

    /** Whether births, statuses and answers are checked against gateway.keys. */
    boolean checksGateways() {
        return auth != null;
    }

    /**
     * Gateway id to the key its latest birth named and was signed with, for gateways whose key is not the one
     * in gateway.keys (or all, without gateway.keys): what an operator confirms with the gateway's fleet:identity.
     */
    Map<String, String> presentedKeys() {
        return new java.util.TreeMap<>(presented);
    }

    /** A birth's own key, if the birth is signed by it (it proves nothing: an operator compares it). */
    private void presented(String id, FleetMessage m, JsonNode birth) {
        String text = birth.path("key").asText("");
        if (text.isEmpty() || text.length() > 100 || presented.size() >= MAX_PRESENTED && !presented.containsKey(id)) {
            return;
        }
        java.security.PublicKey key;
        try {
            key = Ed25519Keys.publicKey(text);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (auth != null && key.equals(auth.key(id))) {
            presented.remove(id);   // the key configured: nothing to confirm
        } else if (GatewayAuth.selfSigned(m, fleet, id, key)) {
            presented.put(id, Ed25519Keys.publicText(key));
        }
    }

    void state(FleetMessage m) {   // link thread; package-private for the tests
        String id = gatewayOf(m);
        JsonNode o = m.payload().length > MAX_STATE_BYTES ? null : json(m);
        if (id == null || o == null) {
            return;
        }
        boolean online = "online".equals(o.path("state").asText());
        if (online) {
            presented(id, m, o);
        }
        if (!accepted(m, id, FleetTopics.STATE)) {
            return;
        }
        if (online && auth != null) {
            auth.expectWill(id, o.path("will").asLong(0));
        }
        GatewayView v = gateways.compute(id, (k, old) -> (old == null ? GatewayView.unknown(id) : old)
                .withState(online, texts(o.path("groups"))));
        if (online) {
            onlineListeners.forEach(l -> l.accept(v));
        }
    }

    void status(FleetMessage m) {
        String id = gatewayOf(m);
        if (id != null && m.payload().length > MAX_STATUS_BYTES) {
            oversize(m, id);
            return;
        }
        JsonNode o = json(m);
        if (id == null || o == null || !accepted(m, id, FleetTopics.STATUS)) {
            return;
        }
        List<String> groups = texts(o.path("groups"));
        GatewayView v = gateways.compute(id, (k, old) -> {
            GatewayView was = old == null ? GatewayView.unknown(id) : old;
            return was.withStatus(groups, Texts.clip(o.path("health").asText("?")),
                    packages(o, groups.isEmpty() ? was.groups() : groups), o.path("scripts").size(),
                    Texts.clip(o.path("problem").asText("")));
        });
        statusListeners.forEach(l -> l.accept(v));
    }

    /** Statuses over {@link #MAX_STATUS_BYTES} not read (tests, fleet:gateways). */
    private final java.util.concurrent.atomic.AtomicLong oversizeStatuses = new java.util.concurrent.atomic.AtomicLong();
    private long oversizeWarned;   // link thread
    static final String UNKNOWN = "unknown";

    /**
     * A status too large to read (Q48: long lastError texts on many scripts; a gateway of now clips them): before,
     * dropped silently, the controller kept the gateway's last health, and a rollout counted it healthy. Now its
     * health is unknown (a rollout stage counts it failed), counted, and one WARN line per 10 s names the gateway.
     */
    private void oversize(FleetMessage m, String id) {
        if (!gateways.containsKey(id) || !accepted(m, id, FleetTopics.STATUS)) {
            return;   // a ghost's or a forgery's: no entry made, no gateway's health changed
        }
        oversizeStatuses.incrementAndGet();
        String why = "its status of " + m.payload().length + " bytes is over the controller's " + (MAX_STATUS_BYTES >> 20)
                + " MB limit and was not read";
        GatewayView v = gateways.computeIfPresent(id, (k, was) -> was.withStatus(was.groups(), UNKNOWN, was.packages(),
                was.scripts(), why));
        long t = System.currentTimeMillis();
        if (t - oversizeWarned >= 10_000) {
            oversizeWarned = t;
            LOG.warn("fleet: gateway {}: {} ({} such status(es) so far): its health is unknown", id, why, oversizeStatuses.get());
        }
        if (v != null) {
            statusListeners.forEach(l -> l.accept(v));
        }
    }

    long oversizeStatuses() {
        return oversizeStatuses.get();
    }

    /**
     * Per group the package in place: {@code packages} (a gateway keeping versions per group), else the one
     * {@code package} of a gateway of before per-group versions, whose one version rule held for each of its groups.
     * Only valid group names, each held once ({@link #groupName}).
     */
    private Map<String, GatewayView.Installed> packages(JsonNode status, List<String> groups) {
        Map<String, GatewayView.Installed> out = new java.util.LinkedHashMap<>();
        JsonNode per = status.path("packages");
        if (per.isObject()) {
            per.properties().forEach(e -> {
                String group = FleetTopics.validId(e.getKey()) && out.size() < 64 ? groupName(e.getKey()) : null;
                if (group != null) {
                    out.put(group, installed(e.getValue()));
                }
            });
            return out;
        }
        JsonNode one = status.path("package");
        if (one.isObject()) {
            groups.forEach(g -> out.put(g, installed(one)));
        }
        return out;
    }

    private static GatewayView.Installed installed(JsonNode p) {
        return new GatewayView.Installed(p.path("version").asLong(0), Texts.clip(p.path("state").asText("")));
    }

    /** Group ids: only valid ones (a group decides which rollouts a gateway is in; the shell prints them). */
    private List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> {
            String name = n.asText();
            if (FleetTopics.validId(name) && out.size() < 64) {
                String held = groupName(name);
                if (held != null && !out.contains(held)) {
                    out.add(held);
                }
            }
        });
        return out;
    }

    /** The one copy of a group name, or null once {@link #MAX_GROUPS} distinct ones are known (one WARN line). */
    private String groupName(String name) {
        String held = groupNames.get(name);
        if (held != null) {
            return held;
        }
        if (groupNames.size() >= MAX_GROUPS) {
            if (groupsFullWarned.compareAndSet(false, true)) {
                LOG.warn("fleet: {} group names known: further ones are ignored (a client publishing ghosts?)", MAX_GROUPS);
            }
            return null;
        }
        return groupNames.computeIfAbsent(name, k -> k);
    }

    private static JsonNode json(FleetMessage m) {
        try {
            return m.payload().length == 0 ? null : PackageCodec.JSON.readTree(m.payload());
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        link.close();
        Path f = numbersFile;
        if (f != null && !GatewayNumbers.save(f, auth)) {
            LOG.warn("fleet: cannot write {} (the gateways' sequence numbers) at the close", f);
        }
    }
}
