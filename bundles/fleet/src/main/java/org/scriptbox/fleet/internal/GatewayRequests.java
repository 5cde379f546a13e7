package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptInfo;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptRevision;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.api.fleet.SignedPackage;
import org.scriptbox.fleet.internal.PackageLedger.Entry;
import org.scriptbox.fleet.internal.PackageLedger.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A gateway's answers to the commands on its request topics. Runs on the link's thread, one request at a
 * time (a deploy never overlaps another); only a run answers later, when it ends. Every refusal is one
 * sentence with a code; nothing of a Java exception reaches the asker.
 */
final class GatewayRequests {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRequests.class);
    private final ScriptManager manager;
    private final PackageVerifier verifier;
    private final PackageLedger ledger;
    private final PackageInstaller installer;
    private final ObjectNode configuration;
    private final Runnable changed;

    GatewayRequests(ScriptManager manager, PackageVerifier verifier, PackageLedger ledger, PackageInstaller installer,
                    ObjectNode configuration, Runnable changed) {
        this.manager = manager;
        this.verifier = verifier;
        this.ledger = ledger;
        this.installer = installer;
        this.configuration = configuration;
        this.changed = changed;
    }

    CompletionStage<ObjectNode> handle(String command, JsonNode body) {
        try {
            switch (command) {
                case FleetTopics.RUN:
                    return run(body);
                case FleetTopics.LIST:
                    return done(list());
                case FleetTopics.CANCEL:
                    return done(Replies.ok().put("cancelled", manager.cancel(script(body))));
                case FleetTopics.DEPLOY:
                    return done(deploy(body));
                case FleetTopics.UNDEPLOY:
                    return done(undeploy(body));
                case FleetTopics.HISTORY:
                    return done(history(body));
                case FleetTopics.ROLLBACK:
                    return done(rollback(body));
                case FleetTopics.CONFIGURATION:
                    return done(Replies.ok().set("configuration", configuration.deepCopy()));
                default:
                    return done(Replies.refused("UNKNOWN_COMMAND", "no command '" + Texts.clip(command) + "'"));
            }
        } catch (Refusal | org.scriptbox.api.ScriptException e) {
            return done(Replies.of(e));
        } catch (RuntimeException e) {
            LOG.error("fleet: the request '{}' failed", Texts.clip(command), e);
            return done(Replies.of(e));
        }
    }

    private static CompletionStage<ObjectNode> done(ObjectNode reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static String script(JsonNode body) {
        String name = body.path("script").asText("");
        PackageInstaller.checkName(name);
        return name;
    }

    private ObjectNode list() {
        ObjectNode r = Replies.ok();
        ArrayNode scripts = r.putArray("scripts");
        manager.list().forEach(i -> scripts.add(StatusReport.script(i)));
        return r;
    }

    private CompletionStage<ObjectNode> run(JsonNode body) {
        String name = script(body);
        List<Object> args = new ArrayList<>();
        for (JsonNode a : body.path("args")) {
            args.add(PackageCodec.JSON.convertValue(a, Object.class));   // String, Number, Boolean, List, Map, null
        }
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        org.osgi.util.promise.Promise<ExecutionResult> run = manager.execute(name, args);
        run.onResolve(() -> reply.complete(runReply(run)));
        return reply;
    }

    private static ObjectNode runReply(org.osgi.util.promise.Promise<ExecutionResult> run) {
        try {
            Throwable failure = run.getFailure();
            if (failure == null) {
                return runReply(run.getValue());
            }
            if (!(failure instanceof org.scriptbox.api.ScriptException)) {
                LOG.error("fleet: a run failed to start", failure);
            }
            return Replies.of(failure instanceof RuntimeException r ? r : new IllegalStateException(failure));
        } catch (Exception e) {   // resolved already: neither waits nor fails
            return Replies.of(new IllegalStateException(e));
        }
    }

    private static ObjectNode runReply(ExecutionResult result) {
        ObjectNode r = Replies.ok();
        r.put("executionId", result.executionId());
        r.put("status", result.status().name());
        r.put("durationMs", result.duration() == null ? 0 : result.duration().toMillis());
        if (result.error() != null) {
            r.put("error", result.error().toString());
        }
        ArrayNode values = r.putArray("values");
        result.values().forEach(v -> values.add(PackageCodec.JSON.valueToTree(v)));   // numbers, text, lists, tables as JSON
        return r;
    }

    private ObjectNode deploy(JsonNode body) {
        SignedPackage signed;
        try {
            signed = PackageCodec.readEnvelope(body);
        } catch (IllegalArgumentException e) {
            throw refusedAndLogged(new Refusal("BAD_PACKAGE", e.getMessage()), "?", body.path("signer").asText(""));
        }
        PackageVerifier.Verified v;
        try {
            v = verifier.verify(signed);
        } catch (Refusal r) {
            throw refusedAndLogged(r, "?", signed.signer());
        }
        long version = v.pkg().version();
        boolean apply;
        try {
            apply = ledger.admit(version, v.digest());
        } catch (Refusal r) {
            throw refusedAndLogged(r, Long.toString(version), v.signer());
        }
        if (!apply) {
            return Replies.ok().put("version", version).put("applied", false).put("message",
                    "package version " + version + " is already applied here");
        }
        Entry previous = ledger.last();
        List<PackageLedger.Undo> undo = previous != null && previous.version() == version && previous.state() == State.APPLYING
                ? previous.undo() : installer.snapshot(v.pkg());
        List<String> names = v.pkg().scripts().stream().map(s -> s.name()).toList();
        Entry entry = new Entry(version, v.signer(), v.digest(), java.time.Instant.now(), State.APPLYING, names, undo, null);
        persist(entry);
        try {
            installer.apply(v.pkg(), "fleet package " + version + " signed by " + v.signer(), undo);
        } catch (Refusal r) {
            persist(entry.with(State.FAILED, r.getMessage()));
            changed.run();
            throw refusedAndLogged(r, Long.toString(version), v.signer());
        }
        try {
            ledger.record(entry.with(State.APPLIED, null));
        } catch (IOException io) {
            // unrecorded, it must not stay: the answer says it failed, so the controller would count it failed
            // while it runs, and the ledger (APPLYING) would take it again later. Put back what it replaced.
            installer.restore(undo);
            changed.run();
            throw refusedAndLogged(new Refusal("IO", "cannot record the package in the data area: " + PahoLink.reason(io)
                    + "; its scripts were put back"), Long.toString(version), v.signer());
        }
        LOG.info("fleet: applied package version {} signed by '{}': {}", version, v.signer(), names);
        changed.run();
        return Replies.ok().put("version", version).put("applied", true);
    }

    private static Refusal refusedAndLogged(Refusal r, String version, String signer) {
        LOG.warn("fleet: refused package version {} (signer '{}'): {} {}", version, Texts.clip(signer), r.code(), r.getMessage());
        return r;
    }

    private void persist(Entry e) {
        try {
            ledger.record(e);
        } catch (IOException io) {
            throw new Refusal("IO", "cannot record the package in the data area: " + PahoLink.reason(io));
        }
    }

    private ObjectNode undeploy(JsonNode body) {
        return Replies.ok().put("undeployed", installer.remove(script(body)));   // a ScriptException: its code and sentence
    }

    private ObjectNode history(JsonNode body) {
        ObjectNode r = Replies.ok();
        ArrayNode packages = r.putArray("packages");
        for (Entry e : ledger.entries()) {
            ObjectNode o = packages.addObject();
            o.put("version", e.version()).put("signer", e.signer()).put("state", e.state().name())
                    .put("at", e.at().toString()).put("reason", e.reason());
            ArrayNode s = o.putArray("scripts");
            e.scripts().forEach(s::add);
        }
        if (body.hasNonNull("script")) {
            ArrayNode revisions = r.putArray("revisions");
            for (ScriptRevision rev : manager.history(script(body))) {
                revisions.addObject().put("number", rev.number()).put("version", rev.version())
                        .put("deployedAt", rev.deployedAt().toString()).put("origin", rev.origin()).put("live", rev.live());
            }
        }
        return r;
    }

    /**
     * {@code {"version":N}}: puts back what package N replaced (only while N is the package applied here; a
     * second rollback of N answers that it is done). {@code {"script":..., "revision":...}}: the manager's
     * rollback of one script to a kept version.
     */
    private ObjectNode rollback(JsonNode body) {
        if (body.hasNonNull("script")) {
            String name = script(body);
            String revision = body.hasNonNull("revision") ? body.get("revision").asText() : null;
            ScriptInfo info = manager.rollback(name, revision);
            changed.run();
            return Replies.ok().put("script", name).put("version", info.metadata().version());
        }
        long version = body.path("version").asLong(-1);
        Entry last = ledger.last();
        if (last == null || last.version() != version) {
            throw new Refusal("NOT_CURRENT", "package version " + version + " is not the newest package here"
                    + (last == null ? "" : " (that is " + last.version() + ")"));
        }
        if (last.state() == State.ROLLED_BACK || last.state() == State.FAILED) {
            return Replies.ok().put("version", version).put("rolledBack", false).put("message",
                    "package version " + version + " is not in place here (" + last.state().name().toLowerCase() + ")");
        }
        // recorded first: if the data area cannot take it, nothing changed and the answer says so (IO); the other
        // order would leave the old scripts live under a ledger that still says APPLIED (a resend then a no-op)
        persist(last.with(State.ROLLED_BACK, "rolled back on request"));
        installer.restore(last.undo());
        LOG.info("fleet: rolled back package version {}", version);
        changed.run();
        return Replies.ok().put("version", version).put("rolledBack", true);
    }
}
