package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.api.fleet.SignedPackage;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.fleet.internal.Rollout.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The controller: knows the fleet's gateways and rolls signed packages out to a group in stages, as
 * hawkBit does. Each stage deploys to more gateways (cumulative: one, then 10 %, then all); a gateway
 * fails when it refuses the package, does not answer in time, or its package's health-check script does
 * not complete. When the failed share passes the threshold the rollout halts and every gateway that got
 * the package is rolled back; one that does not answer its rollback is "rollback owed" (the rollout still ends
 * ROLLED_BACK, so a dead gateway never blocks its group). Gateways offline at their stage are PENDING and get
 * the package when they return (their birth message), each catch-up sent without waiting for its answer.
 * Each group's rollout work runs on its own {@link SerialLane} (a silent gateway of one group never delays
 * another group); every change is saved before the next step, so a new controller on the same data folder
 * resumes.
 */
public final class FleetController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetController.class);

    private final ControllerLink link;
    private final RolloutStore store;
    private final Path dataDir;
    private final Duration timeout;
    private final String fleet;
    private final RolloutBook book = new RolloutBook();
    /** Rollbacks owed by gateways in rollouts no longer kept (Q46): sent at their birth until answered. */
    private final OwedRollbacks owed;
    /** "group/gateway/version" of the owed rollbacks on the way (one at a time each). */
    private final Set<String> owedOnTheWay = ConcurrentHashMap.newKeySet();
    /** Finished rollouts kept per group (the newest; every unfinished one is kept too): older ones are deleted (Q33). */
    private volatile int keptFinished = DEFAULT_KEPT;
    static final int DEFAULT_KEPT = 20;
    /** Per rollout, completed (with "also roll back") by {@link #halt}: every wait of its stage ends on it. */
    private final Map<String, CompletableFuture<Boolean>> haltSignals = new ConcurrentHashMap<>();
    /** Per rollout, the gateways sent its deploy (a stage's or a catch-up's) whose answer is not recorded yet. */
    private final Map<String, Set<String>> inFlight = new ConcurrentHashMap<>();
    /** Per rollout, the gateways with a catch-up (deploy or rollback) on the way: one at a time each. */
    private final Map<String, Set<String>> catchingUp = new ConcurrentHashMap<>();
    /** Per rollout, the gateways whose status was not degraded when its deploy was sent (not saved: after a restart only the package's own scripts count). */
    private final Map<String, Set<String>> healthyBefore = new ConcurrentHashMap<>();
    /** A deploy not answered in time: counted as failed, but the gateway may still apply it later. */
    private static final String NO_ANSWER = "no answer within ";
    /** A catch-up deploy not answered in time: PENDING (asked again at the next birth), it may still apply it. */
    private static final String CATCH_UP_UNANSWERED = "its catch-up was not answered within ";
    /** How long after a deploy's answer the gateway's status is awaited for its health (bounded). */
    private static final Duration HEALTH_WAIT = Duration.ofSeconds(3);
    /** Answers arriving within this window after the first are recorded with it: one synced save per batch. */
    private static final long BATCH_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Not a gateway id (those are validId): in an answer queue, the halt. */
    private static final String HALT = "";
    private final Object deployLock = new Object();
    /** "group/gateway" of the births whose catch-up look is queued on the group's lane. */
    private final Set<String> queuedBirths = ConcurrentHashMap.newKeySet();
    /** Rollouts whose next soak check is scheduled (one at a time each). */
    private final Set<String> soakTicks = ConcurrentHashMap.newKeySet();
    /** Per rollout, its package's envelope as one JSON tree, shared by the deploys held back for room (never changed). */
    private final Map<String, ObjectNode> envelopes = new ConcurrentHashMap<>();
    /** One lane per group; the pool grows with the groups whose rollouts wait at the same time. */
    private final Map<String, SerialLane> lanes = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService pool = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "fleet-rollout-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    /** Only puts soak checks on their lanes when due. */
    private final java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleet-rollout-timer");
        t.setDaemon(true);
        return t;
    });

    FleetController(BrokerSettings broker, String fleet, String controllerId, Path dataDir, Duration requestTimeout) {
        this(broker, fleet, controllerId, dataDir, requestTimeout, null);
    }

    /** @param key signs every request under {@code controllerId} (gateways' controller.keys), or null */
    FleetController(BrokerSettings broker, String fleet, String controllerId, Path dataDir, Duration requestTimeout,
                    java.security.PrivateKey key) {
        this(broker, fleet, controllerId, dataDir, requestTimeout, key, Map.of(), Duration.ofMinutes(10));
    }

    /**
     * @param gatewayKeys gateway id to public key ({@code gateway.keys}): when not empty, births, statuses and answers
     *                    are taken only when signed by their gateway's key; empty: the broker's ACLs guard them
     * @param clockWindow how far ahead of this controller's clock a gateway's message may be signed (0: any)
     */
    FleetController(BrokerSettings broker, String fleet, String controllerId, Path dataDir, Duration requestTimeout,
                    java.security.PrivateKey key, Map<String, java.security.PublicKey> gatewayKeys, Duration clockWindow) {
        if (!FleetTopics.validId(fleet) || !FleetTopics.validId(controllerId)) {
            throw new IllegalArgumentException("fleet.id and controller.id must be letters, digits, _ . - (at most 64)");
        }
        RequestAuth.Signer signer = null;
        if (key != null) {
            try {   // kept, so that gateways hear a controller restarted after NTP put its clock back at once (Q45)
                signer = new RequestAuth.Signer(controllerId, key, new SequenceSource(System::currentTimeMillis,
                        dataDir.resolve("request-seq"), clockWindow));
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage());   // names the file: fail closed
            }
        }
        this.trustedKeys = gatewayKeys.isEmpty() ? null : new TrustedGatewayKeys(dataDir.resolve(TrustedGatewayKeys.FILE));
        this.link = new ControllerLink(broker, fleet, controllerId, signer, trustedKeys == null ? null
                : new GatewayAuth.Checker(trustedKeys.over(gatewayKeys), fleet, clockWindow, System::currentTimeMillis))
                .keepNumbers(dataDir.resolve(GatewayNumbers.FILE));   // a damaged file fails closed (it names it)
        this.store = new RolloutStore(dataDir.resolve("rollouts"));
        this.owed = new OwedRollbacks(dataDir.resolve("owed-rollbacks"));
        this.dataDir = dataDir;
        this.timeout = requestTimeout;
        this.fleet = fleet;
    }

    /** A controller on a plain loopback broker (tests, the CLI). */
    public static FleetController plain(String host, int port, String fleet, String controllerId, Path dataDir,
                                        Duration requestTimeout) {
        return new FleetController(BrokerSettings.plain(host, port), fleet, controllerId, dataDir, requestTimeout);
    }

    /** A controller on a plain loopback broker that signs its requests with {@code key} (tests). */
    public static FleetController signed(String host, int port, String fleet, String controllerId, Path dataDir,
                                         Duration requestTimeout, java.security.PrivateKey key) {
        return new FleetController(BrokerSettings.plain(host, port), fleet, controllerId, dataDir, requestTimeout, key);
    }

    /**
     * A controller on a plain loopback broker that takes births, statuses and answers only when signed by the
     * gateway's key in {@code gatewayKeys} (tests); {@code key} may be null.
     */
    public static FleetController checkingGateways(String host, int port, String fleet, String controllerId, Path dataDir,
                                                   Duration requestTimeout, java.security.PrivateKey key,
                                                   Map<String, java.security.PublicKey> gatewayKeys) {
        return new FleetController(BrokerSettings.plain(host, port), fleet, controllerId, dataDir, requestTimeout, key,
                gatewayKeys, Duration.ofMinutes(10));
    }

    /** Messages of gateways dropped as not signed by their key in gateway.keys (0 without it). */
    public long droppedGatewayMessages() {
        return link.dropped();
    }

    private final TrustedGatewayKeys trustedKeys;   // null: no gateway.keys

    /**
     * fleet:trust-key: {@code gateway}'s messages are taken signed by {@code key} from now on (and its old key until
     * one signed by the new is taken: a rotation loses nothing), kept across restarts.
     * @throws IllegalStateException without gateway.keys; IOException: not kept (and not in effect)
     */
    public synchronized void trustKey(String gateway, java.security.PublicKey key) throws IOException {
        if (trustedKeys == null) {
            throw new IllegalStateException("this controller has no gateway.keys: it takes every gateway's messages unchecked");
        }
        trustedKeys.trust(gateway, key);
        link.auth().trust(gateway, key);
    }

    /** fleet:revoke-key: nothing of {@code gateway} is taken any more, across restarts too. */
    public synchronized void revokeKey(String gateway) throws IOException {
        if (trustedKeys == null) {
            throw new IllegalStateException("this controller has no gateway.keys: it takes every gateway's messages unchecked");
        }
        trustedKeys.revoke(gateway);
        link.auth().revoke(gateway);
    }

    /** Per gateway, its events and telemetry taken, refused and over the verification budget: fleet:activity. */
    public Map<String, Activity.Counts> activity() {
        return link.activity();
    }

    /** Keys births presented (signed with) that gateway.keys does not hold for their gateway: fleet:keys. */
    public Map<String, String> presentedKeys() {
        return link.presentedKeys();
    }

    boolean checksGateways() {
        return link.checksGateways();
    }

    /** A controller logging in with a user name and password (plain TCP). */
    public static FleetController withPassword(String host, int port, String username, String password, String fleet,
                                               String controllerId, Path dataDir, Duration requestTimeout) {
        BrokerSettings p = BrokerSettings.plain(host, port);
        BrokerSettings s = new BrokerSettings(host, port, false, "", "", "", "", username, password, p.sessionExpirySeconds(),
                p.reconnectMin(), p.reconnectMax(), p.keepAliveSeconds());
        return new FleetController(s, fleet, controllerId, dataDir, requestTimeout);
    }

    /**
     * How many finished rollouts (COMPLETED, HALTED, ROLLED_BACK) each group keeps, at least 1 (the newest is the
     * group's version to go above, and what a gateway joining the group catches up with); before {@link #start}.
     */
    FleetController keepFinished(int perGroup) {
        keptFinished = Math.max(1, perGroup);
        return this;
    }

    /** Connects, loads the saved rollouts (forgetting those beyond the kept history) and resumes those that were under way. */
    public FleetController start() throws IOException {
        try {
            lockData();
        } catch (IOException e) {
            close();   // nothing of it started
            throw e;
        }
        Set<String> groups = new java.util.TreeSet<>();
        owed.load();   // before a prune adds to it
        for (Rollout r : store.load()) {
            book.put(r);
            groups.add(r.group());
            revokeIfHalted(r);   // published at the connect, and kept published
        }
        groups.forEach(this::prune);   // a history kept longer before, or a crash between a save and a prune
        link.onOnline(this::born);
        link.onStatus(this::statusSeen);
        link.start();
        for (Rollout r : book.all()) {
            Boolean halted = r.state() == State.RUNNING ? store.savedHalt(r.id()) : null;
            if (halted != null) {   // halted while its own file could not be saved (Q29): halted now, not resumed
                LOG.warn("fleet: rollout {} was halted by the operator before the controller stopped: halting it", r.id());
                signal(r.id()).complete(halted);
            }
            if (r.state() == State.RUNNING || r.state() == State.ROLLING_BACK || r.state() == State.HALTING) {
                LOG.info("fleet: resuming rollout {} ({}, stage {})", r.id(), r.state(), r.stage() + 1);
                lane(r.group()).execute(() -> begin(r.id()));
            }
        }
        return this;
    }

    public boolean connected() {
        return link.connected();
    }

    public List<GatewayView> gateways() {
        return link.gateways();
    }

    public List<Rollout> rollouts() {
        List<Rollout> list = new ArrayList<>(book.all());
        list.sort(Rollout.ORDER);
        return list;
    }

    /** Entries held per rollout in memory: the rollouts and what the controller keeps beside each (tests: bounded, Q33). */
    int held() {
        return book.size() + haltSignals.size() + inFlight.size() + catchingUp.size() + healthyBefore.size()
                + envelopes.size() + soakTicks.size() + unsaved.size();
    }

    /** Gateway statuses over the controller's limit, not read (Q48: their gateways' health is unknown). */
    long oversizeStatuses() {
        return link.oversizeStatuses();
    }

    /** Synced rewrites of rollout files so far (tests). */
    long saves() {
        return store.saves();
    }

    public Optional<Rollout> rollout(String id) {
        return Optional.ofNullable(book.get(id));
    }

    /**
     * Starts a rollout of a signed package (its envelope) to the package's group.
     *
     * @return the rollout id
     * @throws IllegalArgumentException for a package that cannot be read or bad stages
     */
    public String deploy(String envelope, List<String> stages, double maxFailureRate) {
        return deploy(envelope, stages, maxFailureRate, Duration.ZERO);
    }

    /**
     * @param soak how long each stage's gateways must stay healthy (status {@code health} not degraded) before the
     *             next stage; zero: none
     */
    public String deploy(String envelope, List<String> stages, double maxFailureRate, Duration soak) {
        SignedPackage signed;
        FleetPackage pkg;
        try {
            JsonNode tree = PackageCodec.JSON.readTree(envelope);
            signed = PackageCodec.readEnvelope(tree);
            pkg = PackageCodec.readBody(signed.body());
            if (!tree.path(PackageRevocation.FIELD).isTextual()) {
                LOG.warn("fleet: package version {} of group {} has no revocation (a package file fleet:sign wrote before session 9): "
                        + "if its rollout halts, gateways without controller.keys can still be sent it by another client", pkg.version(), pkg.group());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the package is not JSON");
        }
        if (signed.signature().length == 0) {
            throw new IllegalArgumentException("the package is not signed (fleet:sign signs it)");
        }
        if (!FleetTopics.validId(pkg.group())) {
            // the rollout's id, and with it its file name, is made of the group: "../../x" left the data area (Q35)
            throw new IllegalArgumentException("the package's group '" + Texts.clip(pkg.group()) + "' is not a group id "
                    + "(letters, digits, _ . -; at most 64)");
        }
        if (!fleet.equals(pkg.fleet())) {   // every gateway would refuse it (WRONG_FLEET), one stage after the other
            throw new IllegalArgumentException("the package is for fleet '" + Texts.clip(pkg.fleet())
                    + "'; this controller manages fleet '" + fleet + "'");
        }
        if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {   // NaN too: above "NaN" is every rate, and JSON has no NaN
            throw new IllegalArgumentException("the failure threshold must be between 0 and 1");
        }
        synchronized (deployLock) {   // two operators deploying to one group at once: one of them is refused
            return start(envelope, pkg, stages, maxFailureRate, soak);
        }
    }

    private String start(String envelope, FleetPackage pkg, List<String> stages, double maxFailureRate, Duration soak) {
        Rollout newest = null;
        for (Rollout other : book.ofGroup(pkg.group())) {
            boolean busy = other.state() == State.RUNNING || other.state() == State.ROLLING_BACK;
            if (busy) {
                throw new IllegalArgumentException("rollout " + other.id() + " of group " + pkg.group() + " is still "
                        + other.state() + (other.state() == State.RUNNING ? "; wait for it or halt it first"
                        : "; it ends within " + timeout.toSeconds() + " s (the request timeout)"));
            }
            if (newest == null || other.version() > newest.version()) {
                newest = other;
            }
        }
        if (newest != null && newest.version() >= pkg.version()) {
            // the gateways would refuse it (DOWNGRADE or REPLAY): say so before any is asked
            throw new IllegalArgumentException("package version " + pkg.version() + " is not above version "
                    + newest.version() + " of rollout " + newest.id() + "; sign it with a higher --version");
        }
        // nor below what the group's gateways report: a controller with a new data folder, a second controller, or
        // rollouts forgotten beyond rollouts.kept (FINDINGS Q43)
        GatewayView ahead = link.gateways().stream().filter(g -> g.groups().contains(pkg.group()))
                .filter(g -> g.packageVersion(pkg.group()) >= pkg.version())
                .max(Comparator.comparingLong(g -> g.packageVersion(pkg.group()))).orElse(null);
        if (ahead != null) {
            throw new IllegalArgumentException("package version " + pkg.version() + " is not above version "
                    + ahead.packageVersion(pkg.group()) + " that gateway " + ahead.id() + " of group " + pkg.group()
                    + " reports (" + ahead.packageState(pkg.group()) + "); sign it with a higher --version");
        }
        String id = pkg.group() + "-v" + pkg.version() + "-" + Long.toString(System.currentTimeMillis(), 36);
        Instant now = Instant.now();
        if (soak.isNegative()) {
            throw new IllegalArgumentException("the soak time cannot be negative");
        }
        Rollout r = new Rollout(id, envelope, pkg.group(), pkg.version(), pkg.healthCheck(), Rollout.parseStages(String.join(",", stages)),
                maxFailureRate, 0, State.RUNNING, Map.of(), null, now, now, soak.toMillis(), null, nextSeq());
        save(r);
        LOG.info("fleet: rollout {} of package version {} to group '{}' in stages {}", id, pkg.version(), pkg.group(), r.stages());
        lane(r.group()).execute(() -> begin(id));
        return id;
    }

    /** The next rollout's seq; a hand-edited file at the end of the range is refused in one line, not wrapped. */
    private long nextSeq() {
        long max = book.maxSeq();
        if (max == Long.MAX_VALUE) {
            throw new IllegalArgumentException("a rollout file holds the highest seq there is (edited by hand?): set its \"seq\" "
                    + "back below the next one's and restart the controller");
        }
        return max + 1;
    }

    /**
     * Emergency stop, at once (also mid-stage, also during a soak): no further deploy of it is sent; with
     * {@code rollback}, those that got it go back. A gateway whose deploy was already sent may still apply
     * it: the rollout stays HALTING (or ROLLING_BACK) until its answer, and it is rolled back.
     *
     * @return what happens, naming the gateways that may still apply it
     */
    public String halt(String id, boolean rollback) {
        Rollout r = book.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no rollout '" + Texts.clip(id) + "'");
        }
        if (r.state() == State.ROLLING_BACK) {
            throw new IllegalArgumentException("rollout " + id + " is ROLLING_BACK: it ends within " + timeout.toSeconds()
                    + " s (the request timeout); a gateway that has not answered its rollback by then is marked rollback owed "
                    + "and sent it again when it returns");
        }
        if (r.state() != State.RUNNING) {
            String owed = r.owedText();
            throw new IllegalArgumentException("rollout " + id + " is " + r.state() + (owed.isEmpty() ? "" : " (" + owed + ")")
                    + ": nothing to halt");
        }
        // read before the signal: the lane clears the set as soon as it sees the signal
        List<String> flying = new ArrayList<>(inFlight.getOrDefault(id, Set.of()));
        java.util.Collections.sort(flying);
        if (signal(id).isDone()) {
            return "rollout " + id + " is already halting";
        }
        String unsaved = "";
        try {
            store.saveHalt(id, rollback);   // before anything acts on it: a restart must not resume what was halted
        } catch (IOException e) {
            unsaved = "; the halt could not be saved in the data area (" + PahoLink.reason(e) + "): a controller restart "
                    + "before it takes writes again would resume the rollout";
        }
        if (!signal(id).complete(rollback)) {
            return "rollout " + id + " is already halting";
        }
        lane(r.group()).execute(() -> drive(id));   // if no work of the lane holds it now
        String then = rollback ? "; every gateway that got it is rolled back (ROLLING_BACK until each answered or "
                + "timed out; one that does not answer is marked rollback owed, sent again when it returns)" : "";
        return (flying.isEmpty()
                ? "halting rollout " + id + ": no further gateway is sent the package" + then
                : "halting rollout " + id + ": no further gateway is sent the package; its deploy is already on the way to "
                + flying + ": each may still apply it and is rolled back when it answers (HALTING until then)" + then) + unsaved;
    }

    private CompletableFuture<Boolean> signal(String id) {
        return haltSignals.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    private Set<String> inFlight(String id) {
        return inFlight.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
    }

    /**
     * One request to one gateway, waiting for its answer (at most the request timeout).
     *
     * @throws IllegalArgumentException for a gateway id or command that is not an id (one topic level each: a
     *         wildcard or a separator would make a topic no client may publish on)
     */
    public JsonNode request(String gateway, String command, ObjectNode body) {
        if (!FleetTopics.validId(gateway)) {
            throw new IllegalArgumentException("no gateway id '" + Texts.clip(gateway) + "' (letters, digits, _ . -; at most 64)");
        }
        if (!FleetTopics.validId(command)) {
            throw new IllegalArgumentException("no command '" + Texts.clip(command) + "' (list, run, cancel, undeploy, history, "
                    + "rollback or configuration)");
        }
        try {
            return link.request(gateway, command, body, timeout).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("no answer from " + Texts.clip(gateway) + " within " + timeout.toSeconds() + " s (the "
                    + "request expired then: if the gateway had not taken it up by then, it never carries it out)");
        }
    }

    private SerialLane lane(String group) {
        return lanes.computeIfAbsent(group, g -> new SerialLane(pool));
    }

    // ---- on a group's lane ----

    /** The controller is closing: the lane leaves without recording anything (a new one resumes from the store). */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    private volatile boolean closed;

    /** Waits for an answer (every request future completes by its timeout); an interrupt means closing. */
    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * After a (re)start the gateway table fills from the retained state messages: before a resumed rollout
     * picks gateways, wait (bounded) until its gateways, or at least one of its group, are known.
     */
    private void awaitTable(Rollout r) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Set<String> known = new java.util.HashSet<>();
            link.gateways().forEach(g -> known.add(g.id()));
            boolean ready = r.results().isEmpty()
                    ? link.gateways().stream().anyMatch(g -> g.groups().contains(r.group()))
                    : known.containsAll(r.results().keySet());
            if (link.connected() && ready || signal(r.id()).isDone()) {   // a halt does not wait for the table
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
    }

    private Rollout save(Rollout r) {
        if (closed) {
            throw new Stopped();
        }
        try {
            store.save(r);
            unsaved.remove(r.id());
        } catch (java.io.UncheckedIOException e) {
            // a full or failing disk: the rollout goes on in memory (a halt must still take effect, and be shown) rather
            // than stopping with it RUNNING in memory; one line per rollout until a save succeeds again (Q29)
            if (unsaved.add(r.id())) {
                LOG.error("fleet: {} ({}): it goes on in memory; a controller restart before the data area takes writes "
                        + "again resumes it from its last saved state", e.getMessage(), PahoLink.reason(e));
            }
        }
        Rollout was = book.get(r.id());
        book.put(r);
        revokeIfHalted(r);
        if (RolloutBook.finished(r) && (was == null || !RolloutBook.finished(was))) {
            healthyBefore.remove(r.id());   // only stages and soaks look at it
            prune(r.group());
        }
        return r;
    }

    /**
     * On the group's lane (or at start): forgets the group's finished rollouts beyond the newest {@link #keptFinished}
     * (file and halt markers deleted, folder synced; memory of them released), and keeps no package in the completed
     * ones left but the newest: only the newest rollout's package is ever sent again (catch-ups), and a halted one's
     * is kept for its revocation.
     */
    private void prune(String group) {
        for (Rollout old : book.prunable(group, keptFinished)) {
            List<String> owing = old.gatewaysWith(x -> owesRollback(old, x));
            try {
                // the rollbacks it still owes outlive it (Q46): saved before its file goes
                owed.add(group, owing.stream().map(g -> new OwedRollbacks.Owed(g, old.version(), old.id())).toList());
            } catch (IOException e) {
                LOG.error("fleet: cannot save the rollbacks rollout {} is owed by {} ({}): it is kept until they are saved",
                        old.id(), owing.size() <= 10 ? owing : owing.subList(0, 10) + " and " + (owing.size() - 10) + " more",
                        PahoLink.reason(e));
                continue;
            }
            if (!owing.isEmpty()) {
                LOG.info("fleet: forgetting rollout {} (beyond the {} kept of group {}): the rollback owed by {} gateway(s) "
                        + "is kept in owed-rollbacks/{}.json, sent when they return", old.id(), keptFinished, group,
                        owing.size(), group);
            }
            try {
                store.delete(old.id());
            } catch (IOException e) {
                LOG.error("fleet: cannot delete the file of rollout {} ({}): it is forgotten again at the next start",
                        old.id(), PahoLink.reason(e));
            }
            book.remove(old);
            forget(old.id());
        }
        List<Rollout> left = book.ofGroup(group);
        // the newest completed one keeps it too: after a rolled-back one, it is the group's package a gateway away
        // through both is sent when it returns
        Rollout newestCompleted = left.stream().filter(x -> x.state() == State.COMPLETED).reduce((a, b) -> b).orElse(null);
        for (int i = 0; i < left.size() - 1; i++) {
            Rollout r = left.get(i);
            // a halted one keeps it: its revocation is published again at each start (it needs the signed body)
            if (r.state() == State.COMPLETED && !r.envelope().isEmpty() && r != newestCompleted) {
                envelopes.remove(r.id());
                Rollout light = r.withoutEnvelope();
                try {
                    store.save(light);
                } catch (java.io.UncheckedIOException e) {
                    // the file keeps its package; memory does not need it
                }
                book.put(light);
            }
        }
    }

    /** Releases what the controller holds for a rollout it no longer keeps. */
    private void forget(String id) {
        haltSignals.remove(id);
        inFlight.remove(id);
        catchingUp.remove(id);
        healthyBefore.remove(id);
        envelopes.remove(id);
        soakTicks.remove(id);
        unsaved.remove(id);
        revokedRollouts.remove(id);
        unrevocable.remove(id);
    }

    /**
     * A halted rollout's package is revoked (Q14): its revocation, signed by the package's signer when it signed the
     * package, is published retained, so every gateway of the group refuses it (REVOKED) from whoever sends it, also
     * gateways without controller.keys. Idempotent; a package file without one (signed before) cannot be revoked.
     */
    private void revokeIfHalted(Rollout r) {
        State s = r.state();
        if (s != State.HALTED && s != State.HALTING && s != State.ROLLING_BACK && s != State.ROLLED_BACK
                || r.results().isEmpty()   // halted before any gateway was sent it: nobody saw it on req/#
                || !revokedRollouts.add(r.id())) {
            return;
        }
        try {
            JsonNode o = PackageCodec.JSON.readTree(r.envelope());
            String revocation = o == null ? null : o.path(PackageRevocation.FIELD).asText(null);
            if (revocation == null) {
                if (unrevocable.add(r.id())) {
                    LOG.warn("fleet: rollout {} halted: its package file has no revocation (signed before fleet:sign wrote one), so "
                            + "gateways without controller.keys would still take it from another client on req/deploy", r.id());
                }
                return;
            }
            SignedPackage signed = PackageCodec.readEnvelope(o);
            FleetPackage pkg = PackageCodec.readBody(signed.body());
            link.revoke(FleetTopics.revocation(pkg.fleet(), pkg.group(), pkg.version()), PackageRevocation.message(pkg,
                    signed.body(), signed.signer(), revocation, "rollout " + r.id() + " " + s).toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("fleet: rollout {} halted: its package cannot be revoked ({})", r.id(), e.getMessage());
        }
    }

    private final Set<String> unrevocable = ConcurrentHashMap.newKeySet();
    private final Set<String> revokedRollouts = ConcurrentHashMap.newKeySet();

    /** Rollouts whose latest save failed (one ERROR line each until one succeeds). */
    private final Set<String> unsaved = ConcurrentHashMap.newKeySet();

    private void begin(String id) {
        try {
            awaitTable(book.get(id));
        } catch (Stopped stopped) {
            return;
        }
        drive(id, true);
    }

    private void drive(String id) {
        drive(id, false);
    }

    /**
     * @param resume a (re)start: a HALTING or ROLLING_BACK rollout is taken up again; otherwise only one this call
     *               finds RUNNING is worked on (a halt's extra call, queued behind the call that handled the halt,
     *               must not send the rollbacks twice)
     */
    private void drive(String id, boolean resume) {
        try {
            Rollout r = book.get(id);
            boolean act = resume || r.state() == State.RUNNING;
            while (r.state() == State.RUNNING) {
                if (signal(id).isDone()) {
                    r = haltNow(r, Map.of());
                    break;
                }
                if (r.stage() >= r.stages().size()) {
                    r = save(r.withState(State.COMPLETED, r.count(Result.PENDING) == 0 ? "all gateways applied it"
                            : r.count(Result.PENDING) + " gateway(s) offline get it when they return"));
                    LOG.info("fleet: rollout {} completed: {}", id, r.reason());
                    break;
                }
                if (r.soakUntil() == null) {   // (a resumed soak does not run its stage again)
                    r = runStage(r);
                    if (r.state() != State.RUNNING || overThreshold(r)) {
                        r = book.get(id);
                        break;
                    }
                    if (r.soakMs() > 0 && r.stage() + 1 < r.stages().size()) {   // before the next stage
                        r = save(r.withSoakUntil(Instant.now().plusMillis(r.soakMs())));
                        LOG.info("fleet: rollout {} stage {}: soaking until {}", id, r.stage() + 1, r.soakUntil());
                    }
                }
                if (r.soakUntil() != null) {
                    r = soakCheck(r);
                    if (r.state() != State.RUNNING || overThreshold(r)) {
                        r = book.get(id);
                        break;
                    }
                    long left = Duration.between(Instant.now(), r.soakUntil()).toMillis();
                    if (left > r.soakMs()) {
                        // the end was saved under a clock that has gone back since (set far ahead, then corrected):
                        // a soak never lasts longer than its own length from now (FINDINGS Q40)
                        LOG.warn("fleet: rollout {}: its soak was saved to end at {}, more than its {} ms from now (the "
                                + "clock went back since): soaking {} ms from now", id, r.soakUntil(), r.soakMs(), r.soakMs());
                        r = save(r.withSoakUntil(Instant.now().plusMillis(r.soakMs())));
                        left = r.soakMs();
                    }
                    if (left > 0) {   // come back later: a soak does not hold the lane (catch-ups, a halt)
                        if (soakTicks.add(id)) {
                            String group = r.group();
                            try {
                                timer.schedule(() -> lane(group).execute(() -> {
                                    soakTicks.remove(id);
                                    drive(id);
                                }), Math.min(200, left), TimeUnit.MILLISECONDS);
                            } catch (java.util.concurrent.RejectedExecutionException closing) {
                                return;   // the next start resumes the soak
                            }
                        }
                        return;
                    }
                    LOG.info("fleet: rollout {} stage {}: the soak ended, its gateways stayed healthy", id, r.stage() + 1);
                    r = r.withSoakUntil(null);
                }
                r = save(r.withStage(r.stage() + 1));
            }
            if (act && r.state() == State.HALTING) {
                undoInFlight(r);
            } else if (act && r.state() == State.ROLLING_BACK) {
                rollBack(r);
            }
        } catch (Stopped stopped) {
            LOG.info("fleet: rollout {} paused by the controller's stop; the next start resumes it", id);
        } catch (RuntimeException e) {
            LOG.error("fleet: rollout {} stopped on an internal error; it resumes at the next controller start", id, e);
        }
    }

    /** Above the threshold: saved as ROLLING_BACK (the caller then rolls back); the latest rollout is in the map. */
    private boolean overThreshold(Rollout r) {
        if (r.failureRate() <= r.maxFailureRate()) {
            return false;
        }
        r = save(r.withState(State.ROLLING_BACK, "halted at stage " + (r.stage() + 1) + " (" + r.stages().get(r.stage())
                + "): " + r.count(Result.FAILED) + " of " + (r.count(Result.FAILED) + r.count(Result.APPLIED))
                + " gateways failed, above the threshold " + r.maxFailureRate() + "; " + firstFailure(r)));
        LOG.warn("fleet: rollout {} {}", r.id(), r.reason());
        return true;
    }

    /**
     * The operator's halt reached the lane: answers already in count as results; deploys still unanswered are
     * IN_FLIGHT (the gateway may still apply them) and the rollout is HALTING (ROLLING_BACK with --rollback)
     * until each is answered and rolled back, never HALTED while one may still be applied.
     */
    private Rollout haltNow(Rollout r, Map<String, CompletableFuture<Result>> answers) {
        boolean back = Boolean.TRUE.equals(signal(r.id()).getNow(false));
        Set<String> flying = inFlight(r.id());
        List<String> unanswered = new ArrayList<>();
        for (String g : new ArrayList<>(flying)) {   // a stage's deploys and catch-ups on the way
            CompletableFuture<Result> a = answers.get(g);
            if (a != null && a.isDone()) {
                Result res = a.join();
                if (res.detail().startsWith(ControllerLink.NOT_SENT)) {
                    continue;   // held back for room and never sent: the gateway was not reached
                }
                r = r.withResult(g, res.outcome(), res.detail());
            } else {
                unanswered.add(g);
                r = r.withResult(g, Result.IN_FLIGHT, "its deploy was sent before the halt and is not answered yet: "
                        + "it may still apply it; a rollback follows it");
            }
        }
        for (Map.Entry<String, Result> e : r.results().entrySet()) {   // timed out earlier: may still apply it
            if (mayStillApply(e.getValue())) {
                unanswered.add(e.getKey());
                r = r.withResult(e.getKey(), Result.IN_FLIGHT, "its deploy was not answered in time: it may still apply "
                        + "it; a rollback follows it");
            }
        }
        flying.clear();
        String where = "halted by the operator at stage " + (r.stage() + 1) + " (" + r.stages().get(Math.min(r.stage(), r.stages().size() - 1)) + ")";
        if (unanswered.isEmpty()) {
            r = save(r.withSoakUntil(null).withState(back ? State.ROLLING_BACK : State.HALTED, where + (back ? "; rolling back" : "")));
        } else {
            r = save(r.withSoakUntil(null).withState(back ? State.ROLLING_BACK : State.HALTING, where + " while its deploy was on the way to "
                    + unanswered + ": each may still apply it and is rolled back when it answers" + (back ? "; rolling back" : "")));
        }
        LOG.warn("fleet: rollout {} {}", r.id(), r.reason());
        return r;
    }

    /** A deploy that was not answered in time: the gateway may still apply it when the request reaches it. */
    private static boolean mayStillApply(Result res) {
        return res.outcome().equals(Result.FAILED) && res.detail().startsWith(NO_ANSWER)
                || res.outcome().equals(Result.PENDING) && res.detail().startsWith(CATCH_UP_UNANSWERED);
    }

    /** HALTING: each gateway that may still apply the package is sent a rollback (it queues behind the deploy). */
    private void undoInFlight(Rollout r) {
        Map<String, CompletableFuture<JsonNode>> answers = new LinkedHashMap<>();
        ObjectNode body = rollbackBody(r);
        for (String g : r.gatewaysWith(Result::owesUndo)) {
            answers.put(g, link.request(g, FleetTopics.ROLLBACK, body, timeout));
        }
        collect(r.id(), answers, false, (x, g, a) -> rollbackResult(x, g, a, false));
        finishHalt(book.get(r.id()), true);
    }

    /** Records one answer on the rollout (not saved: {@link #collect} saves once per batch). */
    private interface Recorder<T> {
        Rollout record(Rollout r, String gateway, CompletableFuture<T> answer);
    }

    /**
     * Waits for the answers (each completes by the request timeout) and records them as they come, in batches:
     * those arriving within {@link #BATCH_WINDOW_NANOS} of the first are saved together, one synced rewrite of the
     * rollout file per batch rather than per answer (500 per stage at scale).
     *
     * @param untilHalt stop at the operator's halt
     * @return the answers not recorded (none, unless halted first)
     */
    private <T> Map<String, CompletableFuture<T>> collect(String id, Map<String, CompletableFuture<T>> answers,
                                                          boolean untilHalt, Recorder<T> recorder) {
        java.util.concurrent.BlockingQueue<String> done = new java.util.concurrent.LinkedBlockingQueue<>();
        Map<String, CompletableFuture<T>> open = new LinkedHashMap<>(answers);
        answers.forEach((g, a) -> a.whenComplete((x, e) -> done.add(g)));
        if (untilHalt) {
            signal(id).whenComplete((x, e) -> done.add(HALT));
        }
        try {
            while (!open.isEmpty()) {
                List<String> batch = new ArrayList<>();
                batch.add(done.take());
                long end = System.nanoTime() + BATCH_WINDOW_NANOS;
                while (batch.size() < open.size() && !batch.contains(HALT)) {
                    String g = done.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (g == null) {
                        break;
                    }
                    batch.add(g);
                }
                Rollout r = book.get(id);
                boolean any = false;
                for (String g : batch) {
                    CompletableFuture<T> a = open.remove(g);
                    if (a != null) {
                        r = recorder.record(r, g, a);
                        any = true;
                    }
                }
                if (any) {
                    save(r);
                }
                if (batch.contains(HALT)) {
                    return open;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopped();
        }
        return open;
    }

    /**
     * HALTED once no gateway may still apply the package unnoticed. The halt's rollback round waits at most one
     * request timeout: a gateway that answered neither its deploy nor the rollback behind it by then (away, dead,
     * a ghost) is {@code ROLLBACK_OWED} and the rollout ends HALTED all the same, naming it; its rollback is sent
     * again when it returns or its status shows the package (before, the rollout stayed HALTING for ever).
     *
     * @param roundOver the halt's rollback round has ended (every answer in or timed out)
     */
    private void finishHalt(Rollout r, boolean roundOver) {
        if (r.state() != State.HALTING) {
            return;
        }
        List<String> owing = r.gatewaysWith(Result::owesUndo);
        String where = r.reason().replaceAll(" while its deploy was on the way to .*", "");
        if (owing.isEmpty()) {
            r = save(r.withState(State.HALTED, where + "; the gateways its deploy was on the way to were rolled back"));
            LOG.info("fleet: rollout {} halted", r.id());
        } else if (roundOver) {
            for (String g : owing) {
                r = r.withResult(g, Result.ROLLBACK_OWED, "its deploy was on the way at the halt and neither it nor the "
                        + "rollback behind it was answered within " + timeout.toSeconds() + " s: it may have applied it; the "
                        + "rollback is sent again when it returns or shows the package");
            }
            r = save(r.withState(State.HALTED, where + "; " + r.owedText()));
            LOG.warn("fleet: rollout {} halted; {}", r.id(), r.owedText());
        }
    }

    /**
     * One look during a soak: every gateway that applied the package must stay healthy; one whose status (of
     * this package version) says degraded fails. A halt ends the soak.
     */
    private Rollout soakCheck(Rollout r) {
        if (signal(r.id()).isDone()) {
            return haltNow(r, Map.of());
        }
        return unhealthyFail(r, r.gatewaysWith(x -> x.outcome().equals(Result.APPLIED)), "during the soak of stage " + (r.stage() + 1));
    }

    /** Those of {@code gateways} whose status of this package version says degraded become FAILED. */
    private Rollout unhealthyFail(Rollout r, List<String> gateways, String when) {
        Set<String> scripts = packageScripts(r);
        Set<String> healthy = healthyBefore.getOrDefault(r.id(), Set.of());
        for (String g : gateways) {
            GatewayView v = link.gateway(g);
            // degraded by the package (one of its scripts), or a gateway that was healthy before it: an unrelated
            // script already failing there must not keep every update (its fix included) from the gateway
            String culprit = v.problem().contains(": ") ? v.problem().substring(0, v.problem().indexOf(": ")) : "";
            if (v.healthUnknown()) {   // its status was too large to read (Q48): not counted healthy
                r = save(book.get(r.id()).withResult(g, Result.FAILED, "the gateway's health is unknown " + when + ": "
                        + v.problem()));
                LOG.warn("fleet: rollout {}: gateway {} {}", r.id(), g, r.results().get(g).detail());
                continue;
            }
            if (v.packageVersion(r.group()) == r.version() && v.degraded() && (scripts.contains(culprit) || healthy.contains(g))) {
                r = save(book.get(r.id()).withResult(g, Result.FAILED, "the gateway's health is degraded " + when
                        + (v.problem().isEmpty() ? "" : ": " + v.problem())));
                LOG.warn("fleet: rollout {}: gateway {} {}", r.id(), g, r.results().get(g).detail());
            }
        }
        return r;
    }

    /**
     * The health criterion right after a stage: each gateway that applied it must publish a status of this
     * version (bounded wait) that is not degraded; one that does not show the version in time is not failed.
     */
    private Rollout healthAfterDeploy(Rollout r, List<String> applied) {
        long deadline = System.nanoTime() + HEALTH_WAIT.toNanos();
        while (System.nanoTime() < deadline && !signal(r.id()).isDone()
                && applied.stream().anyMatch(g -> link.gateway(g).packageVersion(r.group()) != r.version())) {
            try {
                signal(r.id()).get(50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
        return unhealthyFail(r, applied, "after the deploy");
    }

    private static Set<String> packageScripts(Rollout r) {
        try {
            SignedPackage signed = PackageCodec.readEnvelope(PackageCodec.JSON.readTree(r.envelope()));
            Set<String> names = new java.util.HashSet<>();
            PackageCodec.readBody(signed.body()).scripts().forEach(p -> names.add(p.name()));
            return names;
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    private static String firstFailure(Rollout r) {
        return r.results().entrySet().stream().filter(e -> e.getValue().outcome().equals(Result.FAILED))
                .map(e -> e.getKey() + ": " + e.getValue().detail()).findFirst().orElse("");
    }

    /** The group's gateways: those already in the rollout first, then online ones, each by id. */
    private List<String> members(Rollout r) {
        Map<String, GatewayView> all = new LinkedHashMap<>();
        for (GatewayView g : link.gateways()) {
            if (g.groups().contains(r.group()) || r.results().containsKey(g.id())) {
                all.put(g.id(), g);
            }
        }
        r.results().keySet().forEach(id -> all.putIfAbsent(id, link.gateway(id)));
        List<GatewayView> list = new ArrayList<>(all.values());
        list.sort(Comparator.comparing((GatewayView g) -> !r.results().containsKey(g.id()))
                .thenComparing(g -> !g.online()).thenComparing(GatewayView::id));
        return list.stream().map(GatewayView::id).toList();
    }

    private Rollout runStage(Rollout r) {
        List<String> members = members(r);
        if (members.isEmpty()) {
            return save(r.withState(State.HALTED, "no gateway of group '" + r.group() + "' is known"));
        }
        int size = Rollout.size(r.stages().get(r.stage()), members.size());
        List<String> targets = new ArrayList<>();
        for (String g : members.subList(0, size)) {
            Result res = r.results().get(g);
            if (res == null || res.outcome().equals(Result.PENDING)) {
                targets.add(g);
            }
        }
        LOG.info("fleet: rollout {} stage {} ({}): {} of {} gateways, new {}", r.id(), r.stage() + 1,
                r.stages().get(r.stage()), size, members.size(), targets);
        Map<String, CompletableFuture<Result>> answers = new LinkedHashMap<>();
        Set<String> flying = inFlight(r.id());
        Set<String> catching = catchingUp(r.id());
        for (String g : targets) {
            if (signal(r.id()).isDone()) {
                break;   // halted: not one more deploy is sent
            }
            if (catching.contains(g)) {
                continue;   // its catch-up is on the way: its answer is recorded when it comes
            }
            if (!link.gateway(g).online()) {
                r = save(r.withResult(g, Result.PENDING, "offline at stage " + (r.stage() + 1)));
            } else {
                flying.add(g);
                if (!link.gateway(g).degraded()) {
                    healthyBefore.computeIfAbsent(r.id(), k -> ConcurrentHashMap.newKeySet()).add(g);
                }
                answers.put(g, deployTo(r, g));
            }
        }
        List<String> applied = new ArrayList<>();
        Map<String, CompletableFuture<Result>> open = collect(r.id(), answers, true, (x, g, a) -> {
            Result res = a.join();   // deployTo's future never fails
            flying.remove(g);
            if (res.outcome().equals(Result.APPLIED)) {
                applied.add(g);
            }
            return x.withResult(g, res.outcome(), res.detail());
        });
        if (!open.isEmpty() || signal(r.id()).isDone()) {
            return haltNow(book.get(r.id()), open);
        }
        r = book.get(r.id());
        return applied.isEmpty() ? r : healthAfterDeploy(r, applied);
    }

    /** Deploy, then the health check: the gateway's result, never an exception. */
    private CompletableFuture<Result> deployTo(Rollout r, String gateway) {
        ObjectNode envelope = envelopes.computeIfAbsent(r.id(), k -> {
            try {
                ObjectNode o = (ObjectNode) PackageCodec.JSON.readTree(r.envelope());
                o.remove(PackageRevocation.FIELD);   // for a halt only: whoever sees a deploy on req/# must not hold it
                return o;
            } catch (IOException | ClassCastException e) {
                return null;
            }
        });
        if (envelope == null) {
            return CompletableFuture.completedFuture(new Result(Result.FAILED, "the saved package is not JSON"));
        }
        // held back for room (Q32), it is not sent once the rollout is halted
        return link.request(gateway, FleetTopics.DEPLOY, envelope, timeout, () -> !signal(r.id()).isDone()).thenCompose(a -> {
            if (!a.path("ok").asBoolean()) {
                return CompletableFuture.completedFuture(new Result(Result.FAILED, answerText(a)));
            }
            if (r.healthCheck() == null) {
                return CompletableFuture.completedFuture(new Result(Result.APPLIED, "deployed"));
            }
            if (signal(r.id()).isDone()) {   // halted: nothing more is sent
                return CompletableFuture.completedFuture(new Result(Result.APPLIED, "deployed; health check not run (halted)"));
            }
            ObjectNode run = PackageCodec.JSON.createObjectNode().put("script", r.healthCheck());
            return link.request(gateway, FleetTopics.RUN, run, timeout).thenApply(h -> h.path("ok").asBoolean()
                    && "COMPLETED".equals(h.path("status").asText())
                    ? new Result(Result.APPLIED, "deployed, health check " + r.healthCheck() + " completed")
                    : new Result(Result.FAILED, "health check " + r.healthCheck() + ": "
                            + (h.path("ok").asBoolean() ? Texts.clip(h.path("status").asText()) + " " + Texts.sentence(h.path("error").asText(""))
                            : answerText(h)).trim()));
        }).exceptionally(e -> new Result(Result.FAILED, NO_ANSWER + timeout.toSeconds() + " s: it may still apply it when the "
                + "request reaches it; asked again at its birth"));
    }

    /** A refusal's code and sentence as the rollout records and the shell prints it (text from the network). */
    private static String answerText(JsonNode a) {
        return Texts.clip(a.path("code").asText()) + ": " + Texts.sentence(a.path("message").asText());
    }

    private void rollBack(Rollout r) {
        Map<String, CompletableFuture<JsonNode>> answers = new LinkedHashMap<>();
        ObjectNode body = rollbackBody(r);
        r.results().forEach((g, res) -> {
            if (needsRollback(res)) {
                answers.put(g, link.request(g, FleetTopics.ROLLBACK, body, timeout));
            }
        });
        collect(r.id(), answers, false, (x, g, a) -> rollbackResult(x, g, a, true));
        finishRollback(book.get(r.id()));
    }

    /** The rollout's package named by its group and version (versions are per group on a gateway of several). */
    private static ObjectNode rollbackBody(Rollout r) {
        return PackageCodec.JSON.createObjectNode().put("group", r.group()).put("version", r.version());
    }

    /** What a finished rollout still owes this gateway: a rollback (as {@link #catchUp} sends it). */
    private static boolean owesRollback(Rollout h, Result res) {
        return h.state() == State.ROLLED_BACK && needsRollback(res)
                || h.state() == State.HALTED && (res.outcome().equals(Result.ROLLBACK_OWED) || res.owesUndo());
    }

    private static boolean needsRollback(Result res) {
        return res.outcome().equals(Result.APPLIED) || res.outcome().equals(Result.FAILED) || res.owesUndo()
                || res.outcome().equals(Result.ROLLBACK_OWED);
    }

    /**
     * A rollback's answer as the gateway's result (not saved).
     *
     * @param rollingBack the rollout is (or was) rolled back: no answer leaves ROLLBACK_OWED, so that it can end
     */
    private Rollout rollbackResult(Rollout r, String gateway, CompletableFuture<JsonNode> answer, boolean rollingBack) {
        Result was = r.results().get(gateway);
        try {
            JsonNode a = await(answer);
            // any answer ends it: rolled back, nothing of this version in place (refused before it was
            // recorded, failed, or a newer one since); only a gateway that did not answer is asked again
            boolean afterHalt = was.owesUndo();
            // a gateway that failed keeps its reason first (a refusal's code: what the operator must mend)
            String failed = was.outcome().equals(Result.FAILED) ? "failed: " + was.detail() + "; " : "";
            return r.withResult(gateway, Result.ROLLED_BACK, failed + (afterHalt ? "its deploy was on the way at the halt: " : "")
                    + (a.path("ok").asBoolean()
                    ? (a.path("rolledBack").asBoolean() ? (afterHalt ? "it applied it; " : "") + "rolled back"
                    : Texts.sentence(a.path("message").asText("nothing to roll back")))
                    : "nothing to roll back: " + answerText(a)));
        } catch (Stopped stopped) {
            throw stopped;
        } catch (RuntimeException e) {   // no answer: sent again when the gateway returns
            if (rollingBack) {
                return r.withResult(gateway, Result.ROLLBACK_OWED, "its rollback was not answered within "
                        + timeout.toSeconds() + " s: sent again when it returns" + (was.owesUndo()
                        ? " (its deploy was on the way at the halt: it may apply it first; the rollback undoes it)" : ""));
            }
            return r.withResult(gateway, was.owesUndo() ? Result.UNDO : was.outcome(), was.owesUndo()
                    ? "its deploy and the rollback after it are not answered: it may apply it when it returns, and the "
                    + "rollback queued behind it undoes it (sent again at its birth)"
                    : "rollback not answered; sent again when it returns");
        }
    }

    /**
     * Every rollback of the round is answered or timed out: ROLLED_BACK, with the gateways that did not answer
     * "rollback owed" (a gateway dead for good, or a ghost birth, must not keep the group's next rollout out).
     */
    private void finishRollback(Rollout r) {
        if (r.state() != State.ROLLING_BACK) {
            return;
        }
        r = save(r.withState(State.ROLLED_BACK, r.reason()));
        String owed = r.owedText();
        if (owed.isEmpty()) {
            LOG.info("fleet: rollout {} rolled back", r.id());
        } else {
            LOG.warn("fleet: rollout {} rolled back; {}", r.id(), owed);
        }
    }

    // ---- catch-ups: a gateway (re)born ----

    private Set<String> catchingUp(String id) {
        return catchingUp.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet());
    }

    /**
     * A gateway came (back) online (on the link's thread: nothing waits here): each group it is in, or has a
     * rollout result in, looks on its own lane whether it owes the gateway the package or a rollback.
     */
    private void born(GatewayView g) {
        if (closed) {
            return;
        }
        Set<String> groups = new java.util.LinkedHashSet<>(g.groups());
        groups.addAll(book.groupsOf(g.id()));   // indexed: a birth looks at its groups' rollouts only (Q33)
        groups.addAll(owed.groupsOf(g.id()));   // and at the rollbacks it owes in rollouts forgotten since (Q46)
        for (String group : groups) {
            String key = group + "/" + g.id();
            // births come from any broker client: one look per gateway and group waits at a time, however many come
            if ((book.hasGroup(group) || owed.hasGroup(group)) && queuedBirths.add(key)) {
                lane(group).execute(() -> {
                    queuedBirths.remove(key);
                    catchUp(g.id(), group);
                });
            }
        }
    }

    /**
     * A gateway's status (on the link's thread: nothing waits here): one that shows, as its group's package in
     * place, the version of a halted or rolled-back rollout that owes it a rollback is sent that rollback now, also
     * when it never went away (a deploy applied after the halt's rollback round gave up on it).
     */
    private void statusSeen(GatewayView g) {
        if (closed || !g.online()) {
            return;
        }
        g.packages().forEach((group, installed) -> {
            if (!installed.state().equals("APPLIED")) {
                return;
            }
            if (owed.of(group, g.id()).stream().anyMatch(o -> o.version() == installed.version())) {
                String key = group + "/" + g.id();   // the package of a forgotten rolled-back rollout (Q46)
                if (queuedBirths.add(key)) {
                    lane(group).execute(() -> {
                        queuedBirths.remove(key);
                        catchUp(g.id(), group);
                    });
                }
                return;
            }
            for (Rollout r : book.ofGroup(group)) {
                Result res = r.version() == installed.version() ? r.results().get(g.id()) : null;
                if (res != null && res.outcome().equals(Result.ROLLBACK_OWED)
                        && (r.state() == State.HALTED || r.state() == State.ROLLED_BACK)) {
                    String key = group + "/" + g.id();
                    if (queuedBirths.add(key)) {
                        lane(group).execute(() -> {
                            queuedBirths.remove(key);
                            catchUp(g.id(), group);
                        });
                    }
                    return;
                }
            }
        });
    }

    /**
     * On the group's lane: every rollout of the group that owes the gateway a rollback sends it (oldest first, so
     * it is applied before a newer rollout's deploy, the gateway answering in order); then the newest rollout of
     * the group sends the package if the gateway was offline at its stage (or its deploy was not answered). Each
     * request is sent and the lane moves on: its answer is recorded when it comes ({@link #caughtUp}).
     */
    private void catchUp(String gateway, String group) {
        try {
            GatewayView g = link.gateway(gateway);
            if (!g.online()) {
                return;
            }
            // the oldest first: rollbacks of rollouts forgotten since (Q46), then those of the kept ones
            for (OwedRollbacks.Owed o : owed.of(group, gateway)) {
                String key = group + "/" + gateway + "/" + o.version();
                if (owedOnTheWay.add(key)) {
                    LOG.info("fleet: gateway {} is back: sending the rollback of version {} it owes (rollout {}, no longer kept)",
                            gateway, o.version(), o.rollout());
                    ObjectNode body = PackageCodec.JSON.createObjectNode().put("group", group).put("version", o.version());
                    CompletableFuture<JsonNode> answer = link.request(gateway, FleetTopics.ROLLBACK, body, timeout);
                    answer.whenComplete((a, e) -> lane(group).execute(() -> owedAnswered(group, o, key, answer)));
                }
            }
            List<Rollout> ofGroup = book.ofGroup(group);
            for (Rollout h : ofGroup) {
                Result owed = h.results().get(gateway);
                boolean owes = owed != null && (h.state() == State.HALTING && owed.owesUndo()
                        || h.state() == State.ROLLED_BACK && needsRollback(owed)
                        || h.state() == State.HALTED && owed.outcome().equals(Result.ROLLBACK_OWED));
                if (owes && catchingUp(h.id()).add(gateway)) {
                    LOG.info("fleet: gateway {} is back: sending the rollback rollout {} owes it", gateway, h.id());
                    ObjectNode body = rollbackBody(h);
                    CompletableFuture<JsonNode> answer = link.request(gateway, FleetTopics.ROLLBACK, body, timeout);
                    answer.whenComplete((a, e) -> lane(group).execute(() -> rolledBackLate(h.id(), gateway, answer)));
                }
            }
            Rollout r = ofGroup.stream().filter(x -> x.results().containsKey(gateway) || g.groups().contains(group))
                    .reduce((a, b) -> b).orElse(null);   // the newest: ofGroup is in start order (seq, Q56)
            if (r == null || !g.groups().contains(group)) {
                return;   // a gateway that left the group is owed rollbacks only, not the group's package
            }
            Result newest = r.results().get(gateway);
            if ((r.state() == State.ROLLED_BACK || r.state() == State.HALTED)
                    && (newest == null || newest.outcome().equals(Result.PENDING))) {
                // away through a completed rollout and then a rolled-back one: the group's package is the newest
                // completed one (before, it got nothing and kept its old package)
                r = ofGroup.stream().filter(x -> x.state() == State.COMPLETED && !x.envelope().isEmpty()).reduce((a, b) -> b).orElse(r);
            }
            Result res = r.results().get(gateway);
            boolean unanswered = res != null && (res.outcome().equals(Result.PENDING) || mayStillApply(res));
            boolean owed = (r.state() == State.COMPLETED || r.state() == State.RUNNING && !signal(r.id()).isDone()) && unanswered
                    || r.state() == State.COMPLETED && res == null;
            if (owed && !inFlight(r.id()).contains(gateway) && catchingUp(r.id()).add(gateway)) {
                // a deploy that timed out is asked again (the same package is answered applied: false), so its
                // result is what the gateway did, not "failed" while it may have applied it
                LOG.info("fleet: gateway {} is back: catching up with rollout {}", gateway, r.id());
                inFlight(r.id()).add(gateway);
                String id = r.id();
                deployTo(r, gateway).whenComplete((now, e) -> lane(group).execute(() -> caughtUp(id, gateway, now)));
            }
        } catch (Stopped stopped) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("fleet: catching up gateway {} failed", gateway, e);
        }
    }

    /** On the lane: the answer to an owed rollback of a rollout no longer kept: any answer ends it. */
    private void owedAnswered(String group, OwedRollbacks.Owed o, String key, CompletableFuture<JsonNode> answer) {
        owedOnTheWay.remove(key);
        JsonNode a;
        try {
            a = answer.join();
        } catch (RuntimeException e) {
            return;   // not answered: sent again at its next birth
        }
        try {
            owed.remove(group, o);
            LOG.info("fleet: gateway {} answered the rollback of version {} of group {} it owed: {}", o.gateway(), o.version(),
                    group, a.path("ok").asBoolean() ? (a.path("rolledBack").asBoolean() ? "rolled back" : "nothing to roll back")
                            : answerText(a));
        } catch (IOException e) {
            LOG.error("fleet: cannot save that gateway {} answered its owed rollback of version {} ({}): it is sent again "
                    + "at its next birth", o.gateway(), o.version(), PahoLink.reason(e));
        }
    }

    /** On the lane: a catch-up deploy's answer. */
    private void caughtUp(String id, String gateway, Result now) {
        try {
            Rollout r = book.get(id);
            if (r == null) {
                return;   // forgotten meanwhile (beyond the group's kept history)
            }
            catchingUp(id).remove(gateway);
            if (!inFlight(id).remove(gateway) || !(r.state() == State.RUNNING || r.state() == State.COMPLETED)) {
                // halted while it was on the way: the halt marked it IN_FLIGHT and sent the rollback behind it
                return;
            }
            Result recorded = now.outcome().equals(Result.FAILED) && now.detail().startsWith(NO_ANSWER)
                    ? new Result(Result.PENDING, CATCH_UP_UNANSWERED + timeout.toSeconds() + " s: it may still apply it; "
                    + "asked again at its next birth")
                    : new Result(now.outcome(), now.detail() + " (caught up)");
            save(r.withResult(gateway, recorded.outcome(), recorded.detail()));
        } catch (Stopped stopped) {
            // closing: the next start asks it again at its birth
        }
    }

    /** On the lane: the answer to a rollback a catch-up sent (a HALTING rollout may end HALTED with it). */
    private void rolledBackLate(String id, String gateway, CompletableFuture<JsonNode> answer) {
        try {
            Rollout r = book.get(id);
            if (r == null) {
                return;   // forgotten meanwhile (beyond the group's kept history)
            }
            catchingUp(id).remove(gateway);
            Result was = r.results().get(gateway);
            if (was == null || !needsRollback(was)) {
                return;
            }
            r = save(rollbackResult(r, gateway, answer, r.state() == State.ROLLED_BACK || r.state() == State.HALTED));
            finishHalt(r, false);
        } catch (Stopped stopped) {
            // closing
        }
    }

    /**
     * Two controllers on one data folder (a second started by mistake, a copy of the service): each rewrote the
     * other's rollout files and both drove the same rollouts (red team, session 11). The second is refused.
     */
    private void lockData() throws IOException {
        Files.createDirectories(dataDir);
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dataDir.resolve("controller.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {   // held in this JVM
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("another controller uses the data folder " + dataDir + " (its controller.lock is held): "
                    + "stop it first; two controllers on one folder rewrite each other's rollouts");
        }
        dataLock = ch;
    }

    private volatile java.nio.channels.FileChannel dataLock;

    @Override
    public void close() {
        closed = true;
        java.nio.channels.FileChannel lock = dataLock;
        if (lock != null) {
            try {
                lock.close();   // releases the lock
            } catch (IOException e) {
                // closing anyway
            }
        }
        timer.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
    }
}
