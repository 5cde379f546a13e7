package org.scriptbox.fleet.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A gateway speaking the protocol over a real broker: answers in order, one request at a time (as FleetGateway
 * does); can be mute (takes requests, never answers: a gateway hung behind a live link, or a ghost), hold its deploys
 * or its rollbacks, turn degraded, or publish a status of its own making.
 */
final class SimGatewayLink implements AutoCloseable {
    final String fleet;
    final String id;
    final String group;
    final PahoLink link;
    /** "deploy 3", "rollback 1": the requests it took to answer (a deploy as it arrives, even while held). */
    final List<String> received = new CopyOnWriteArrayList<>();
    /** The requests it took while mute, never answered. */
    final List<String> ignored = new CopyOnWriteArrayList<>();
    volatile boolean mute;
    volatile String problemAfterDeploy;
    /** After a deploy, its statuses carry this many characters of one script's lastError (a gateway of before Q48). */
    volatile int lastErrorAfterDeploy;
    private volatile int lastError;
    private volatile String problem = "";
    volatile long version;
    private volatile CompletableFuture<Void> deployGate = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<Void> rollbackGate = CompletableFuture.completedFuture(null);
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    SimGatewayLink(int port, String fleet, String id, String group, boolean mute) {
        this.fleet = fleet;
        this.id = id;
        this.group = group;
        this.mute = mute;
        FleetMessage death = FleetMessage.of(FleetTopics.gateway(fleet, id, FleetTopics.STATE),
                "{\"state\":\"offline\",\"gateway\":\"" + id + "\"}", true);
        this.link = new PahoLink(BrokerSettings.plain("127.0.0.1", port), "sim-" + id + "-" + System.nanoTime(), death);
        link.onConnection(up -> {
            if (up) {
                rebirth();
                status();
            }
        });
        link.subscribe(FleetTopics.requests(fleet, id), m -> worker.execute(() -> handle(m)));
        link.start();
    }

    long version() {
        return version;
    }

    void rebirth() {
        link.publish(FleetMessage.of(FleetTopics.gateway(fleet, id, FleetTopics.STATE),
                "{\"state\":\"online\",\"gateway\":\"" + id + "\",\"groups\":[\"" + group + "\"]}", true));
    }

    void sayOffline() {
        link.publish(FleetMessage.of(FleetTopics.gateway(fleet, id, FleetTopics.STATE),
                "{\"state\":\"offline\",\"gateway\":\"" + id + "\"}", true));
    }

    /** "deploy", "rollback": {@code requests} without their versions. */
    static List<String> commands(List<String> requests) {
        return requests.stream().map(r -> r.split(" ")[0]).toList();
    }

    void holdDeploys() {
        deployGate = new CompletableFuture<>();
    }

    void releaseDeploys() {
        deployGate.complete(null);
    }

    /** Its health turns degraded for {@code why}, and its status says so. */
    void degrade(String why) {
        problem = why;
        status();
    }

    void holdRollbacks() {
        rollbackGate = new CompletableFuture<>();
    }

    void releaseRollbacks() {
        rollbackGate.complete(null);
    }

    /** Publishes {@code json} as its retained status. */
    void rawStatus(String json) {
        link.publish(FleetMessage.of(FleetTopics.gateway(fleet, id, FleetTopics.STATUS), json, true));
    }

    /** Its scripts' errors short again: its next status is readable. */
    void shortErrors() {
        lastErrorAfterDeploy = 0;
        lastError = 0;
        status();
    }

    void status() {
        ObjectNode o = PackageCodec.JSON.createObjectNode().put("gateway", id).put("health", problem.isEmpty() ? "ok" : "degraded");
        if (!problem.isEmpty()) {
            o.put("problem", problem);
        }
        o.putArray("groups").add(group);
        ObjectNode script = o.putArray("scripts").addObject().put("name", "blink").put("status", "FAILED");
        if (lastError > 0) {
            script.put("lastError", "x".repeat(lastError));
        }
        if (version > 0) {
            o.putObject("packages").putObject(group).put("version", version).put("state", "APPLIED");
        }
        rawStatus(o.toString());
    }

    private void handle(FleetMessage m) {
        String command = m.topic().substring(m.topic().lastIndexOf('/') + 1);
        ObjectNode reply = PackageCodec.JSON.createObjectNode().put("ok", true);
        try {
            JsonNode body = PackageCodec.JSON.readTree(m.payload());
            if (command.equals("deploy")) {
                long v = PackageCodec.readBody(PackageCodec.readEnvelope(body).body()).version();
                if (mute) {
                    ignored.add("deploy " + v);
                    return;
                }
                received.add("deploy " + v);
                deployGate.get(60, TimeUnit.SECONDS);
                version = v;
                if (problemAfterDeploy != null) {
                    problem = problemAfterDeploy;
                }
                lastError = lastErrorAfterDeploy;
                reply.put("version", v).put("applied", true);
            } else if (command.equals("rollback")) {
                long v = body.path("version").asLong();
                if (mute) {
                    ignored.add("rollback " + v);
                    return;
                }
                rollbackGate.get(60, TimeUnit.SECONDS);
                received.add("rollback " + v);
                boolean had = version == v;
                version = had ? 0 : version;
                problem = "";
                reply.put("version", v).put("rolledBack", had);
            } else if (mute) {
                return;
            }
        } catch (Exception e) {
            received.add("sim error: " + e);
            reply = PackageCodec.JSON.createObjectNode().put("ok", false).put("code", "INTERNAL").put("message", "sim");
        }
        link.send(new FleetMessage(m.responseTopic(), reply.toString().getBytes(StandardCharsets.UTF_8), false, null,
                m.correlationData()));
        status();
    }

    @Override
    public void close() {
        releaseDeploys();
        releaseRollbacks();
        worker.shutdownNow();
        link.close();
    }
}
