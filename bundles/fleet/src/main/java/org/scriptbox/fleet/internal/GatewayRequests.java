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
        String group = v.pkg().group();
        String what = group + " " + version;
        boolean apply;
        try {
            apply = ledger.admit(group, version, v.digest());
            refuseOtherGroupsScripts(v.pkg());
        } catch (Refusal r) {
            throw refusedAndLogged(r, what, v.signer());
        }
        if (!apply) {
            return Replies.ok().put("group", group).put("version", version).put("applied", false).put("message",
                    "package version " + version + " of group " + group + " is already applied here");
        }
        Entry previous = ledger.last(group);
        List<PackageLedger.Undo> undo = previous != null && previous.version() == version && previous.state() == State.APPLYING
                ? previous.undo() : installer.snapshot(v.pkg());
        List<String> names = v.pkg().scripts().stream().map(s -> s.name()).toList();
        Entry entry = new Entry(group, version, v.signer(), v.digest(), java.time.Instant.now(), State.APPLYING, names, undo, null);
        persist(entry);
        try {
            installer.apply(v.pkg(), "fleet package " + version + " of group " + group + " signed by " + v.signer(), undo);
        } catch (Refusal r) {
            persist(entry.with(State.FAILED, r.getMessage()));
            changed.run();
            throw refusedAndLogged(r, what, v.signer());
        }
        try {
            ledger.record(entry.with(State.APPLIED, null));
        } catch (IOException io) {
            // unrecorded, it must not stay: the answer says it failed, so the controller would count it failed
            // while it runs, and the ledger (APPLYING) would take it again later. Put back what it replaced.
            installer.restore(undo);
            changed.run();
            throw refusedAndLogged(new Refusal("IO", "cannot record the package in the data area: " + PahoLink.reason(io)
                    + "; its scripts were put back"), what, v.signer());
        }
        LOG.info("fleet: applied package version {} of group '{}' signed by '{}': {}", version, group, v.signer(), names);
        changed.run();
        return Replies.ok().put("group", group).put("version", version).put("applied", true);
    }

    /**
     * At start, before any request is answered: a package whose apply the gateway's stop interrupted (a crash, a power
     * cut: some of its scripts written, the others not, and the deploy request already acknowledged, so nobody sends
     * it again) is put back to what it replaced and recorded INTERRUPTED; the same package sent again (a rollout's
     * catch-up) is applied whole. Before, the written part stayed live beside the old rest, the ledger APPLYING for
     * ever (FINDINGS Q39). The status published at the connect shows it.
     */
    void putBackInterrupted() {
        for (Entry e : ledger.rollingBack()) {   // a rollback the stop cut in the middle: finished whole
            List<PackageLedger.Undo> undo = e.undo().stream().filter(u -> ledger.holder(u.name(), e.group()) == null).toList();
            installer.restore(undo);
            try {
                ledger.record(e.with(State.ROLLED_BACK, "rolled back on request (finished at the start after a stop in the middle)"));
            } catch (IOException io) {
                LOG.error("fleet: cannot record the rollback of package version {} of group '{}': {}", e.version(), e.group(),
                        PahoLink.reason(io));
            }
            LOG.warn("fleet: package version {} of group '{}' was being rolled back when the gateway stopped: its {} script(s) "
                    + "were all put back now", e.version(), e.group(), undo.size());
        }
        for (Entry e : ledger.interrupted()) {
            List<PackageLedger.Undo> undo = e.undo().stream().filter(u -> ledger.holder(u.name(), e.group()) == null).toList();
            installer.restore(undo);
            try {
                ledger.record(e.with(State.INTERRUPTED, "the gateway stopped while applying it: what it had written was put "
                        + "back; the same package sent again is applied whole"));
            } catch (IOException io) {
                LOG.error("fleet: cannot record the interrupted package version {} of group '{}': {}", e.version(), e.group(),
                        PahoLink.reason(io));
            }
            LOG.warn("fleet: package version {} of group '{}' was being applied when the gateway stopped: its {} script(s) "
                    + "were put back as they were before it", e.version(), e.group(), undo.size());
        }
    }

    /**
     * A gateway in two groups whose packages both name a script: the second may not silently replace the first's
     * (nor would a rollback of either be right for the other): refused before anything is recorded or written, so
     * the same package is taken once the other group's package no longer holds the script.
     */
    private void refuseOtherGroupsScripts(org.scriptbox.api.fleet.FleetPackage pkg) {
        for (org.scriptbox.api.fleet.PackageScript s : pkg.scripts()) {
            Entry holder = ledger.holder(s.name(), pkg.group());
            if (holder != null && manager.definition(s.name()).isPresent()) {
                throw new Refusal("SCRIPT_OF_OTHER_GROUP", "script '" + s.name() + "' is in place here from " + holder.label()
                        + "; a package of group " + pkg.group() + " may not replace it (rename it, or take it out of one "
                        + "group's package)");
            }
        }
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
            o.put("group", e.group()).put("version", e.version()).put("signer", e.signer()).put("state", e.state().name())
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
     * {@code {"group":G,"version":N}}: puts back what group G's package N replaced (only while N is G's package
     * applied here; a second rollback of N answers that it is done); without a group, the one group whose newest
     * package is N. A script another group's package holds now is left as it is. {@code {"script":...,
     * "revision":...}}: the manager's rollback of one script to a kept version.
     */
    private ObjectNode rollback(JsonNode body) {
        if (body.hasNonNull("script")) {
            String name = script(body);
            String revision = body.hasNonNull("revision") ? body.get("revision").asText() : null;
            ScriptInfo info = manager.rollback(name, revision);
            changed.run();
            return Replies.ok().put("script", name).put("version", info.metadata().version());
        }
        if (!body.path("version").canConvertToLong()) {
            throw new Refusal("BAD_REQUEST", "a rollback names a package, {\"group\":\"line1\",\"version\":7}, or a script, "
                    + "{\"script\":\"blink\"} (with \"revision\" for one of its kept revisions)");
        }
        long version = body.path("version").asLong();
        String group = null;
        if (body.hasNonNull("group")) {
            group = body.get("group").asText();
            if (!FleetTopics.validId(group)) {
                throw new Refusal("BAD_NAME", "'" + Texts.clip(group) + "' is not a group id");
            }
        }
        Entry last = ledger.rollbackTarget(group, version);
        ObjectNode reply = Replies.ok().put("group", last.group()).put("version", version);
        if (last.state() == State.ROLLED_BACK || last.state() == State.FAILED || last.state() == State.INTERRUPTED) {
            return reply.put("rolledBack", false).put("message", "package version " + version + " of group "
                    + last.group() + " is not in place here (" + last.state().name().toLowerCase() + ")");
        }
        List<PackageLedger.Undo> undo = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (PackageLedger.Undo u : last.undo()) {
            Entry holder = ledger.holder(u.name(), last.group());
            if (holder == null) {
                undo.add(u);
            } else {
                kept.add(u.name() + " (" + holder.label() + ")");
            }
        }
        // ROLLING_BACK recorded first: if the data area cannot take it, nothing changed and the answer says so (IO);
        // a stop while the scripts go back is finished whole at the next start (ROLLED_BACK first left it half done)
        persist(last.with(State.ROLLING_BACK, "being rolled back on request"));
        installer.restore(undo);
        try {
            ledger.record(last.with(State.ROLLED_BACK, "rolled back on request"));
        } catch (IOException io) {   // the scripts are back; the next start sees ROLLING_BACK and puts them back again
            LOG.error("fleet: rolled back package version {} of group '{}' but cannot record it ({}): the next start "
                    + "finishes it again", version, last.group(), PahoLink.reason(io));
        }
        LOG.info("fleet: rolled back package version {} of group '{}'{}", version, last.group(),
                kept.isEmpty() ? "" : "; left in place, held by another group: " + kept);
        changed.run();
        reply.put("rolledBack", true);
        if (!kept.isEmpty()) {
            reply.put("message", "left in place, another group's package holds them now: " + String.join(", ", kept));
        }
        return reply;
    }
}
