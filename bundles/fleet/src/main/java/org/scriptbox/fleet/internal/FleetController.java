package org.scriptbox.fleet.internal;

import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
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
 * the package is rolled back. Gateways offline at their stage are PENDING and get the package when they
 * return (their birth message); a rollback that does not reach a gateway is sent again when it returns.
 * All rollout work runs on one thread; every change is saved before the next step, so a new controller on
 * the same data folder resumes.
 */
public final class FleetController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetController.class);

    private final ControllerLink link;
    private final RolloutStore store;
    private final Duration timeout;
    private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
    private final Set<String> haltRequests = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> haltRollback = new ConcurrentHashMap<>();
    private final Set<String> catchingUp = ConcurrentHashMap.newKeySet();   // gateways with a catch-up in flight
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fleet-rollout");
        t.setDaemon(true);
        return t;
    });

    FleetController(BrokerSettings broker, String fleet, String controllerId, Path dataDir, Duration requestTimeout) {
        if (!FleetTopics.validId(fleet) || !FleetTopics.validId(controllerId)) {
            throw new IllegalArgumentException("fleet.id and controller.id must be letters, digits, _ . - (at most 64)");
        }
        this.link = new ControllerLink(broker, fleet, controllerId);
        this.store = new RolloutStore(dataDir.resolve("rollouts"));
        this.timeout = requestTimeout;
    }

    /** A controller on a plain loopback broker (tests, the CLI). */
    public static FleetController plain(String host, int port, String fleet, String controllerId, Path dataDir,
                                        Duration requestTimeout) {
        return new FleetController(BrokerSettings.plain(host, port), fleet, controllerId, dataDir, requestTimeout);
    }

    /** A controller logging in with a user name and password (plain TCP). */
    public static FleetController withPassword(String host, int port, String username, String password, String fleet,
                                               String controllerId, Path dataDir, Duration requestTimeout) {
        BrokerSettings p = BrokerSettings.plain(host, port);
        BrokerSettings s = new BrokerSettings(host, port, false, "", "", "", "", username, password, p.sessionExpirySeconds(),
                p.reconnectMin(), p.reconnectMax(), p.keepAliveSeconds());
        return new FleetController(s, fleet, controllerId, dataDir, requestTimeout);
    }

    /** Connects, loads the saved rollouts and resumes those that were under way. */
    public FleetController start() throws IOException {
        for (Rollout r : store.load()) {
            rollouts.put(r.id(), r);
        }
        link.onOnline(g -> runner.execute(() -> catchUp(g)));
        link.start();
        for (Rollout r : rollouts.values()) {
            if (r.state() == State.RUNNING || r.state() == State.ROLLING_BACK) {
                LOG.info("fleet: resuming rollout {} ({}, stage {})", r.id(), r.state(), r.stage() + 1);
                runner.execute(() -> begin(r.id()));
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
        List<Rollout> list = new ArrayList<>(rollouts.values());
        list.sort(Comparator.comparing(Rollout::startedAt));
        return list;
    }

    public Optional<Rollout> rollout(String id) {
        return Optional.ofNullable(rollouts.get(id));
    }

    /**
     * Starts a rollout of a signed package (its envelope) to the package's group.
     *
     * @return the rollout id
     * @throws IllegalArgumentException for a package that cannot be read or bad stages
     */
    public String deploy(String envelope, List<String> stages, double maxFailureRate) {
        SignedPackage signed;
        FleetPackage pkg;
        try {
            signed = PackageCodec.readEnvelope(PackageCodec.JSON.readTree(envelope));
            pkg = PackageCodec.readBody(signed.body());
        } catch (IOException e) {
            throw new IllegalArgumentException("the package is not JSON");
        }
        if (signed.signature().length == 0) {
            throw new IllegalArgumentException("the package is not signed (fleet:sign signs it)");
        }
        if (maxFailureRate < 0 || maxFailureRate > 1) {
            throw new IllegalArgumentException("the failure threshold must be between 0 and 1");
        }
        Rollout newest = null;
        for (Rollout other : rollouts.values()) {
            boolean busy = other.state() == State.RUNNING || other.state() == State.ROLLING_BACK;
            if (other.group().equals(pkg.group()) && busy) {
                throw new IllegalArgumentException("rollout " + other.id() + " of group " + pkg.group() + " is still "
                        + other.state() + "; wait for it or halt it first");
            }
            if (other.group().equals(pkg.group()) && (newest == null || other.version() > newest.version())) {
                newest = other;
            }
        }
        if (newest != null && newest.version() >= pkg.version()) {
            // the gateways would refuse it (DOWNGRADE or REPLAY): say so before any is asked
            throw new IllegalArgumentException("package version " + pkg.version() + " is not above version "
                    + newest.version() + " of rollout " + newest.id() + "; sign it with a higher --version");
        }
        String id = pkg.group() + "-v" + pkg.version() + "-" + Long.toString(System.currentTimeMillis(), 36);
        Instant now = Instant.now();
        Rollout r = new Rollout(id, envelope, pkg.group(), pkg.version(), pkg.healthCheck(), Rollout.parseStages(String.join(",", stages)),
                maxFailureRate, 0, State.RUNNING, Map.of(), null, now, now);
        save(r);
        LOG.info("fleet: rollout {} of package version {} to group '{}' in stages {}", id, pkg.version(), pkg.group(), r.stages());
        runner.execute(() -> begin(id));
        return id;
    }

    /** Emergency stop: no further gateway gets the package; with {@code rollback}, those that got it go back. */
    public void halt(String id, boolean rollback) {
        if (!rollouts.containsKey(id)) {
            throw new IllegalArgumentException("no rollout '" + Texts.clip(id) + "'");
        }
        haltRollback.put(id, rollback);
        haltRequests.add(id);
        runner.execute(() -> drive(id));
    }

    /** One request to one gateway, waiting for its answer (at most the request timeout). */
    public JsonNode request(String gateway, String command, ObjectNode body) {
        try {
            return link.request(gateway, command, body, timeout).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("no answer from " + Texts.clip(gateway) + " within " + timeout.toSeconds() + " s");
        }
    }

    // ---- the runner thread ----

    /** The controller is closing: the runner leaves without recording anything (a new one resumes from the store). */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    private volatile boolean closed;

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
            if (link.connected() && ready) {
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
        store.save(r);
        rollouts.put(r.id(), r);
        return r;
    }

    private void begin(String id) {
        try {
            awaitTable(rollouts.get(id));
        } catch (Stopped stopped) {
            return;
        }
        drive(id);
    }

    private void drive(String id) {
        try {
            Rollout r = rollouts.get(id);
            while (r.state() == State.RUNNING) {
                if (halted(r)) {
                    r = rollouts.get(id);
                    break;
                }
                if (r.stage() >= r.stages().size()) {
                    r = save(r.withState(State.COMPLETED, r.count(Result.PENDING) == 0 ? "all gateways applied it"
                            : r.count(Result.PENDING) + " gateway(s) offline get it when they return"));
                    LOG.info("fleet: rollout {} completed: {}", id, r.reason());
                    break;
                }
                r = runStage(r);
                if (r.state() != State.RUNNING) {
                    break;
                }
                if (r.failureRate() > r.maxFailureRate()) {
                    r = save(r.withState(State.ROLLING_BACK, "halted at stage " + (r.stage() + 1) + " (" + r.stages().get(r.stage())
                            + "): " + r.count(Result.FAILED) + " of " + (r.count(Result.FAILED) + r.count(Result.APPLIED))
                            + " gateways failed, above the threshold " + r.maxFailureRate() + "; " + firstFailure(r)));
                    LOG.warn("fleet: rollout {} {}", id, r.reason());
                    break;
                }
                r = save(r.withStage(r.stage() + 1));
            }
            if (r.state() == State.ROLLING_BACK) {
                rollBack(r);
            }
        } catch (Stopped stopped) {
            LOG.info("fleet: rollout {} paused by the controller's stop; the next start resumes it", id);
        } catch (RuntimeException e) {
            LOG.error("fleet: rollout {} stopped on an internal error; it resumes at the next controller start", id, e);
        }
    }

    private boolean halted(Rollout r) {
        if (!haltRequests.remove(r.id())) {
            return false;
        }
        boolean back = Boolean.TRUE.equals(haltRollback.remove(r.id()));
        save(r.withState(back ? State.ROLLING_BACK : State.HALTED, "halted by the operator"));
        LOG.warn("fleet: rollout {} halted by the operator{}", r.id(), back ? "; rolling back" : "");
        return true;
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
        Rollout offline = r;
        for (String g : targets) {
            if (!link.gateway(g).online()) {
                offline = offline.withResult(g, Result.PENDING, "offline at stage " + (offline.stage() + 1));
            } else {
                answers.put(g, deployTo(r, g, Result.FAILED));
            }
        }
        if (offline != r) {
            r = save(offline);
        }
        return collect(r, answers, (cur, g, answer) -> {
            Result res = answer.join();   // never exceptional: deployTo answers every outcome as a Result
            return cur.withResult(g, res.outcome(), res.detail());
        });
    }

    /** How one answer changes the rollout (no saving). */
    private interface Recorder<T> {
        Rollout record(Rollout r, String gateway, CompletableFuture<T> answer);
    }

    /**
     * Waits for every answer (each future completes by its timeout), recording them as they arrive with one
     * save per batch that is in: a save per answer rewrote, and synced, the whole rollout file 500 times per
     * stage, its size growing with each answer.
     */
    private <T> Rollout collect(Rollout r, Map<String, CompletableFuture<T>> answers, Recorder<T> recorder) {
        java.util.concurrent.BlockingQueue<String> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        answers.forEach((g, f) -> f.whenComplete((x, e) -> arrived.add(g)));
        int left = answers.size();
        while (left > 0) {
            List<String> batch = new ArrayList<>();
            try {
                batch.add(arrived.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
            arrived.drainTo(batch);
            Rollout cur = rollouts.get(r.id());
            for (String g : batch) {
                cur = recorder.record(cur, g, answers.get(g));
            }
            left -= batch.size();
            r = save(cur);
        }
        return r;
    }

    /**
     * Deploy, then the health check: the gateway's result, never an exception.
     *
     * @param noAnswer the outcome when the gateway does not answer in time: FAILED in a stage, PENDING for a
     *                 catch-up (a gateway that dropped again right after its birth is asked at the next one)
     */
    private CompletableFuture<Result> deployTo(Rollout r, String gateway, String noAnswer) {
        ObjectNode envelope;
        try {
            envelope = (ObjectNode) PackageCodec.JSON.readTree(r.envelope());
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Result(Result.FAILED, "the saved package is not JSON"));
        }
        return link.request(gateway, FleetTopics.DEPLOY, envelope, timeout).thenCompose(a -> {
            if (!a.path("ok").asBoolean()) {
                return CompletableFuture.completedFuture(new Result(Result.FAILED, answerText(a)));
            }
            if (r.healthCheck() == null) {
                return CompletableFuture.completedFuture(new Result(Result.APPLIED, "deployed"));
            }
            ObjectNode run = PackageCodec.JSON.createObjectNode().put("script", r.healthCheck());
            return link.request(gateway, FleetTopics.RUN, run, timeout).thenApply(h -> h.path("ok").asBoolean()
                    && "COMPLETED".equals(h.path("status").asText())
                    ? new Result(Result.APPLIED, "deployed, health check " + r.healthCheck() + " completed")
                    : new Result(Result.FAILED, "health check " + r.healthCheck() + ": "
                            + (h.path("ok").asBoolean() ? Texts.clip(h.path("status").asText()) + " " + Texts.sentence(h.path("error").asText(""))
                            : answerText(h)).trim()));
        }).exceptionally(e -> new Result(noAnswer, "no answer within " + timeout.toSeconds() + " s"
                + (noAnswer.equals(Result.PENDING) ? "; sent again when it returns" : "")));
    }

    /** A refusal's code and sentence as the rollout records and the shell prints it (text from the network). */
    private static String answerText(JsonNode a) {
        return Texts.clip(a.path("code").asText()) + ": " + Texts.sentence(a.path("message").asText());
    }

    private void rollBack(Rollout r) {
        Map<String, CompletableFuture<JsonNode>> answers = new LinkedHashMap<>();
        ObjectNode body = PackageCodec.JSON.createObjectNode().put("version", r.version());
        r.results().forEach((g, res) -> {
            if (needsRollback(res)) {
                answers.put(g, link.request(g, FleetTopics.ROLLBACK, body, timeout));
            }
        });
        finishRollback(collect(r, answers, FleetController::rolledBack));
    }

    private static boolean needsRollback(Result res) {
        return res.outcome().equals(Result.APPLIED) || res.outcome().equals(Result.FAILED);
    }

    /** The rollout with a rollback's answer recorded (the future is done). */
    private static Rollout rolledBack(Rollout r, String gateway, CompletableFuture<JsonNode> answer) {
        try {
            JsonNode a = answer.join();
            // any answer ends it: rolled back, nothing of this version in place (refused before it was
            // recorded, failed, or a newer one since); only a gateway that did not answer is asked again
            return r.withResult(gateway, Result.ROLLED_BACK, a.path("ok").asBoolean()
                    ? (a.path("rolledBack").asBoolean() ? "rolled back" : Texts.sentence(a.path("message").asText("nothing to roll back")))
                    : "nothing to roll back: " + answerText(a));
        } catch (RuntimeException e) {   // no answer (CompletionException of the timeout): sent again when it returns
            return r.withResult(gateway, r.results().get(gateway).outcome(), "rollback not answered; sent again when it returns");
        }
    }

    private void finishRollback(Rollout r) {
        boolean done = r.results().values().stream().noneMatch(FleetController::needsRollback);
        if (done) {
            r = save(r.withState(State.ROLLED_BACK, r.reason()));
            LOG.info("fleet: rollout {} rolled back", r.id());
        }
    }

    /**
     * A gateway came (back) online: the newest rollout of its group owes it the package or a rollback. Runs on
     * the runner but does not wait there: the answer is recorded when it comes (on the runner again), so 500
     * births at once (a broker restart), or gateways that drop again before they answer, never queue a halt or
     * the next rollout behind one request timeout per gateway. One catch-up per gateway at a time.
     */
    private void catchUp(GatewayView g) {
        try {
            Rollout r = rollouts.values().stream().filter(x -> x.results().containsKey(g.id()) || g.groups().contains(x.group()))
                    .max(Comparator.comparing(Rollout::startedAt)).orElse(null);
            if (r == null) {
                return;
            }
            Result res = r.results().get(g.id());
            boolean owesPackage = (r.state() == State.COMPLETED || r.state() == State.RUNNING) && res != null
                    && res.outcome().equals(Result.PENDING) || r.state() == State.COMPLETED && res == null;
            boolean owesRollback = (r.state() == State.ROLLING_BACK || r.state() == State.ROLLED_BACK) && res != null && needsRollback(res);
            if (!(owesPackage || owesRollback) || !catchingUp.add(g.id())) {
                return;
            }
            String id = r.id();
            if (owesPackage) {
                LOG.info("fleet: gateway {} is back: catching up with rollout {}", g.id(), id);
                deployTo(r, g.id(), Result.PENDING).whenComplete((now, e) -> onRunner(g.id(), () -> caughtUp(id, g.id(), now)));
            } else {
                sendRollback(r, g.id());
            }
        } catch (RuntimeException e) {
            catchingUp.remove(g.id());
            LOG.error("fleet: catching up gateway {} failed", g.id(), e);
        }
    }

    private void sendRollback(Rollout r, String gateway) {
        String id = r.id();
        ObjectNode body = PackageCodec.JSON.createObjectNode().put("version", r.version());
        CompletableFuture<JsonNode> answer = link.request(gateway, FleetTopics.ROLLBACK, body, timeout);
        answer.whenComplete((a, e) -> onRunner(gateway, () -> {
            Rollout after = save(rolledBack(rollouts.get(id), gateway, answer));
            if (after.state() == State.ROLLING_BACK) {
                finishRollback(after);
            }
        }));
    }

    /** A catch-up's deploy answered (or not); a rollout halted meanwhile takes it back at once. */
    private void caughtUp(String id, String gateway, Result now) {
        Rollout r = save(rollouts.get(id).withResult(gateway, now.outcome(), now.detail() + " (caught up)"));
        if ((r.state() == State.ROLLING_BACK || r.state() == State.ROLLED_BACK) && needsRollback(r.results().get(gateway))
                && catchingUp.add(gateway)) {
            sendRollback(r, gateway);
        }
    }

    /** Records a catch-up's answer on the runner thread; the gateway may be caught up again afterwards. */
    private void onRunner(String gateway, Runnable record) {
        try {
            runner.execute(() -> {
                catchingUp.remove(gateway);
                try {
                    record.run();
                } catch (Stopped stopped) {
                    // closing: the next start resumes from the store
                } catch (RuntimeException e) {
                    LOG.error("fleet: recording the catch-up of gateway {} failed", gateway, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the controller stopped: the gateway is caught up at its next birth after a restart
        }
    }

    @Override
    public void close() {
        closed = true;
        runner.shutdownNow();
        try {
            runner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.close();
    }
}
