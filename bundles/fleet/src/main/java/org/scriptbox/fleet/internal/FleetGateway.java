package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptActivityListener;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.device.DeviceDirectory;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * This container as a fleet gateway, once etc/org.scriptbox.fleet.cfg exists: connects to the broker with
 * a persistent session, publishes its birth (retained {@code state} online) at every connect with the
 * broker holding the death (retained {@code state} offline) as its last will, keeps its retained
 * {@code status} current, publishes one event per finished run, and answers requests. Scripts arrive only
 * in signed packages, through the deploy folder.
 */
@Component(configurationPid = FleetConfig.GATEWAY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {ScriptListener.class, ScriptActivityListener.class}, immediate = true)
@Designate(ocd = FleetConfig.class)
public class FleetGateway implements ScriptListener, ScriptActivityListener {
    private static final Logger LOG = LoggerFactory.getLogger(FleetGateway.class);

    @Reference
    private ScriptManager manager;
    @Reference
    private ScriptFolder folder;
    @Reference
    private MetadataCodec codec;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceDirectory devices;

    private volatile PahoLink link;
    private String fleet;
    private String gateway;
    private Set<String> groups;
    private long coalesceMs;
    private final AtomicBoolean statusDue = new AtomicBoolean();
    private volatile PackageLedger ledger;
    private int maxRequestBytes;
    /** Every request but a deploy: run arguments, names. */
    static final int SMALL_REQUEST_BYTES = 256 * 1024;
    private volatile EventBudget events;
    private volatile TelemetrySampler telemetry;
    private volatile DeviceHealthWatch deviceHealth;
    // link thread (and publishStatus): what this gateway published last on its own retained topics
    private final java.util.Map<String, byte[]> own = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> defenceDue = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Long> lastDefence = new java.util.concurrent.ConcurrentHashMap<>();
    private long defenceWarned;
    private volatile RequestAuth.Checker requestAuth;   // null: requests are the broker's ACLs' to guard
    private long authWarned;
    private long revocationWarned;   // link thread
    private final EventBudget revocationChecks = new EventBudget(10);   // link thread: verifications per second
    /** Digests of revocations whose signature was checked and wrong (bounded): one coming again costs a hash. */
    private final java.util.Map<String, Boolean> refusedRevocations = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    };
    private long authRefused;
    private final RecentRequests recent = new RecentRequests(1_000);   // link thread
    private volatile GatewayAuth.Signer signer;   // signs everything this gateway publishes (controllers' gateway.keys)
    private volatile String publicKey;   // base64 of its X.509 form: the gateway.keys entry, also in the birth
    private volatile long willSeq;       // the number this connection's death (our last will) is signed with; its birth names it
    private org.scriptbox.shell.command.ShellCommands shellCommands;

    @Activate
    void activate(BundleContext context, FleetConfig config) {
        fleet = config.fleet_id();
        gateway = config.gateway_id();
        if (!FleetTopics.validId(fleet) || !FleetTopics.validId(gateway)) {
            LOG.error("fleet: not connecting: {} needs fleet.id and gateway.id (letters, digits, _ . -; at most 64), "
                    + "got '{}' and '{}'", FleetConfig.GATEWAY_PID, Texts.clip(fleet), Texts.clip(gateway));
            return;
        }
        groups = new LinkedHashSet<>(commaSeparated(config.groups()));
        coalesceMs = Math.max(0, config.status_coalesce_ms());
        maxRequestBytes = (int) Math.min(Integer.MAX_VALUE - 8, config.max_package_bytes() * 4L / 3 + 64 * 1024);
        events = new EventBudget(Math.max(1, config.events_per_second()));
        PackageVerifier verifier;
        PackageLedger ledger;
        java.util.Map<String, java.security.PublicKey> trusted;
        TelemetrySampler.Spec telemetrySpec;
        RevokedPackages revoked;
        RequestAuth.Checker checker = null;
        java.security.KeyPair identity;
        try {
            identity = GatewayIdentity.load(config.gateway_key().isBlank() ? null : java.nio.file.Path.of(config.gateway_key().trim()),
                    context.getDataFile("fleet-gateway-key.pem").toPath());
            telemetrySpec = TelemetrySampler.Spec.parse(commaSeparated(config.telemetry_channels()));
            trusted = PackageVerifier.trustedKeys(commaSeparated(config.trusted_keys()).toArray(new String[0]));
            revoked = new RevokedPackages(context.getDataFile("fleet-revoked.json").toPath());
            verifier = new PackageVerifier(trusted, fleet, groups, config.max_package_bytes(), revoked);
            ledger = new PackageLedger(context.getDataFile("fleet-ledger.json").toPath(), groups);
            java.util.Map<String, java.security.PublicKey> controllers =
                    PackageVerifier.keys("controller.keys", commaSeparated(config.controller_keys()).toArray(new String[0]));
            if (!controllers.isEmpty()) {
                checker = new RequestAuth.Checker(controllers, fleet, gateway, context.getDataFile("fleet-requests.json").toPath(),
                        java.time.Duration.ofSeconds(Math.max(0, config.controller_clock_window_seconds())), System::currentTimeMillis);
            }
        } catch (IllegalArgumentException | IOException e) {
            LOG.error("fleet: not connecting: {}", e instanceof IOException io ? "cannot read the data area: "
                    + PahoLink.reason(io) : e.getMessage());
            return;
        }
        if (trusted.isEmpty()) {
            LOG.warn("fleet: no trusted.keys: every package will be refused");
        }
        BrokerSettings broker = BrokerSettings.of(config);
        this.requestAuth = checker;
        GatewayAuth.Signer sign;
        try {
            sign = new GatewayAuth.Signer(fleet, gateway, identity.getPrivate(), System::currentTimeMillis,
                    context.getDataFile("fleet-gateway-seq.txt").toPath(), java.time.Duration.ofMinutes(10));
        } catch (IOException e) {
            LOG.error("fleet: not connecting: {}", PahoLink.reason(e));
            return;
        }
        this.signer = sign;
        this.publicKey = Ed25519Keys.publicText(identity.getPublic());
        this.ownKey = config.gateway_key().isBlank() ? context.getDataFile("fleet-gateway-key.pem").toPath() : null;
        shellCommands = org.scriptbox.shell.command.ShellCommands.register(context, java.util.List.of(
                new org.scriptbox.shell.command.ShellCommand(org.scriptbox.shell.command.Usage.of("fleet:identity",
                        "this gateway's public key: its entry for a controller's gateway.keys"), (session, a) -> identity()),
                new org.scriptbox.shell.command.ShellCommand(org.scriptbox.shell.command.Usage.of("fleet:rotate-key",
                        "make this gateway a new key (kept until confirmed; it signs with its key until then)")
                        .withFlag(null, "--confirm", "sign with the new key from now on (after fleet:trust-key on the controllers)"),
                        (session, a) -> rotateKey(a.flag("--confirm")))));
        if (checker == null && broker.username().isEmpty() && broker.keystore().isEmpty()) {
            // MQTT carries no sender: only the broker's ACLs on an authenticated client tell the controller
            // from anyone else, and an anonymous client cannot be given ACLs of its own
            LOG.warn("fleet: connecting anonymously (no username, no client certificate): any client of the broker can "
                    + "ask this gateway to run, cancel, undeploy or roll back scripts and can publish its state; give it "
                    + "a username or a client certificate and use the broker's ACLs, or set controller.keys (docs/fleet.md, Security model)");
        }
        // signed before each connect, published by the broker when we go silent: that connection's birth names its
        // number (a death is older than its birth), so a death captured from an earlier connection is refused
        String deathJson = StatusReport.state(gateway, false, groups).toString();
        java.util.function.Supplier<FleetMessage> death = () -> {
            long seq = sign.nextSeq();
            willSeq = seq;
            return sign.sign(FleetMessage.of(topic(FleetTopics.STATE), deathJson, true), seq);
        };
        PahoLink l;
        try {
            // requests wait one at a time for the link's thread: a thousand is minutes of work already
            l = PahoLink.withFreshWills(broker, "scriptbox-" + fleet + "-" + gateway, death, maxRequestBytes,
                    new InboundBudget(1_000, 3L * maxRequestBytes));
        } catch (IllegalArgumentException e) {   // a bad address or TLS store: named, without a stack trace
            LOG.error("fleet: not connecting: {}", e.getMessage());
            return;
        }
        PackageInstaller installer = new PackageInstaller(manager, folder, codec);
        ObjectNode configuration = PackageCodec.JSON.createObjectNode().put("fleet", fleet).put("gateway", gateway)
                .put("broker", broker.toString());
        configuration.putArray("groups").addAll(groups.stream().map(configuration::textNode).toList());
        configuration.putArray("trustedKeys").addAll(trusted.keySet().stream().map(configuration::textNode).toList());
        GatewayRequests requests = new GatewayRequests(manager, verifier, ledger, installer, configuration, this::statusChanged);
        requests.putBackInterrupted();   // before the link takes any request
        this.ledger = ledger;
        l.onConnection(up -> {
            if (up) {
                publishOwn(l, FleetTopics.STATE, StatusReport.state(gateway, true, groups).put("key", publicKey)
                        .put("will", willSeq).toString());
                publishStatus();
            }
        });
        l.subscribe(FleetTopics.requests(fleet, gateway), m -> answer(l, requests, m));
        l.subscribe(topic(FleetTopics.STATE), m -> defend(l, FleetTopics.STATE, m));
        // revocations wait under their own bound (Q47: a flood of forgeries filled the requests' one)
        InboundBudget revocations = InboundBudget.revocations();
        for (String g : groups) {   // retained: a revocation published while we were away comes at the subscription
            l.subscribe(FleetTopics.revocations(fleet, g), m -> revocation(m, revoked, trusted), revocations);
        }
        l.subscribe(topic(FleetTopics.STATUS), m -> defend(l, FleetTopics.STATUS, m));
        link = l;
        // before the first status: the devices' last probe outcomes, read without waiting
        deviceHealth = new DeviceHealthWatch(() -> {
            DeviceDirectory d = devices;
            return d == null ? java.util.Collections.emptySortedSet() : d.ids();
        }, id -> {
            DeviceDirectory d = devices;
            return d == null ? java.util.Optional.empty() : d.find(id);
        }, config.device_probe_ms(), config.device_fault_ms(), System::nanoTime, this::statusChanged, gateway).start();
        l.start();
        LOG.info("fleet: gateway '{}' of fleet '{}' (groups {}) connecting to {}", gateway, fleet, groups, broker);
        if (!telemetrySpec.off()) {
            long interval = config.telemetry_interval_ms();
            if (interval < TelemetrySampler.MIN_INTERVAL_MS) {
                LOG.warn("fleet: telemetry.interval.ms {} is below the minimum: {} ms", interval, TelemetrySampler.MIN_INTERVAL_MS);
                interval = TelemetrySampler.MIN_INTERVAL_MS;
            }
            telemetry = new TelemetrySampler(telemetrySpec, interval, fleet, gateway, id -> {
                DeviceDirectory d = devices;
                return d == null ? java.util.Optional.empty() : d.find(id);
            }, m -> sign.signAndPublish(m, l::publish)).start();
        }
    }

    /** A .cfg file gives one string: its entries are comma-separated (base64 and ids hold no comma). */
    static List<String> commaSeparated(String[] values) {
        List<String> out = new java.util.ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    private String topic(String leaf) {
        return FleetTopics.gateway(fleet, gateway, leaf);
    }

    private void answer(PahoLink l, GatewayRequests requests, FleetMessage m) {
        String command = m.topic().substring(m.topic().lastIndexOf('/') + 1);
        if (m.retained()) {   // a retained request would come again at every subscribe: a run at every reconnect
            LOG.warn("fleet: ignored a retained request on {} (requests must not be retained)", Texts.clip(m.topic()));
            return;
        }
        if (!recent.firstTime(m.responseTopic(), m.correlationData())) {
            // QoS 1 delivers again what lost its acknowledgement with the link: taken once (its answer went, or goes, out)
            LOG.debug("fleet: a request on {} came again (same correlation data): not carried out twice", Texts.clip(m.topic()));
            return;
        }
        byte[] payload = m.payload();
        if (payload.length > maxRequestBytes) {   // before any parsing: a package in base64 plus its envelope
            reply(l, m, Replies.refused("TOO_LARGE", "the request has " + payload.length + " bytes; at most " + maxRequestBytes));
            return;
        }
        RequestAuth.Checker auth = requestAuth;
        if (auth != null) {
            try {
                payload = auth.check(m, command);
            } catch (Refusal r) {
                authRefused++;
                long t = System.currentTimeMillis();
                if (t - authWarned >= 10_000) {   // one line per 10 s: refusals may come as a flood
                    LOG.warn("fleet: refused {} request(s) not signed by a controller key, the last on {}: {} {}", authRefused,
                            Texts.clip(m.topic()), r.code(), r.getMessage());
                    authWarned = t;
                    authRefused = 0;
                }
                reply(l, m, Replies.refused(r.code(), r.getMessage()));
                return;
            }
        } else {
            payload = RequestAuth.unwrapUnchecked(payload);   // a signing controller also commands gateways without keys
        }
        if (!command.equals(FleetTopics.DEPLOY) && payload.length > SMALL_REQUEST_BYTES) {
            // only a deploy carries a package; any other body as a JSON tree could be ~30 times its size in heap
            reply(l, m, Replies.refused("TOO_LARGE", "a " + Texts.clip(command) + " request has " + payload.length
                    + " bytes; at most " + SMALL_REQUEST_BYTES));
            return;
        }
        JsonNode body;
        try {
            body = payload.length == 0 ? PackageCodec.JSON.createObjectNode()
                    : command.equals(FleetTopics.DEPLOY) ? PackageCodec.flatObject(payload) : PackageCodec.JSON.readTree(payload);
        } catch (IOException | IllegalArgumentException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            reply(l, m, Replies.refused("BAD_REQUEST", "the request is not a JSON object"));
            return;
        }
        requests.handle(command, body).thenAccept(r -> reply(l, m, r));
    }

    private void reply(PahoLink l, FleetMessage request, ObjectNode reply) {
        if (!FleetTopics.isResponseTopic(fleet, request.responseTopic())) {
            // answers go only to a controller's topics: never onto a gateway's status or another fleet
            LOG.warn("fleet: a request on {} without a controller's response topic of this fleet: not answered", Texts.clip(request.topic()));
            return;
        }
        l.send(signer.sign(new FleetMessage(request.responseTopic(), reply.toString().getBytes(StandardCharsets.UTF_8), false,
                null, request.correlationData())));
    }

    /**
     * Link thread: a halted package's revocation ({@link PackageRevocation}), taken when a trusted key signed it
     * and kept in the data area: the package is refused (REVOKED) from then on, from whoever sends it.
     */
    private void revocation(FleetMessage m, RevokedPackages revoked, java.util.Map<String, java.security.PublicKey> trusted) {
        if (m.payload().length == 0) {
            return;   // cleared (by anyone): what we took stays taken
        }
        try {
            // the cheap checks first; then at most a few verifications a second (Q47: thousands of forgeries, retained,
            // come again at every subscribe): the rest wait unverified for a deploy of their digest
            PackageRevocation.Claim c = PackageRevocation.claim(m.payload(), m.topic(), fleet, groups, trusted);
            if (revoked.revoked(c.digest())) {
                return;
            }
            String seen = Digest.sha256(m.payload());
            if (refusedRevocations.containsKey(seen)) {
                return;
            }
            if (!revocationChecks.take()) {
                revoked.candidate(c);
                return;
            }
            PackageRevocation.Revoked r;
            try {
                r = PackageRevocation.verify(c, fleet, trusted);
            } catch (IllegalArgumentException forged) {
                refusedRevocations.put(seen, Boolean.TRUE);
                throw forged;
            }
            if (revoked.add(r)) {
                LOG.warn("fleet: package version {} of group {} ({}) is revoked by '{}': it is refused from now on",
                        r.version(), r.group(), r.digest().substring(0, 12), Texts.clip(r.signer()));
            }
        } catch (IllegalArgumentException e) {
            long t = System.currentTimeMillis();
            if (t - revocationWarned >= 10_000) {   // any client may publish there: one line per 10 s
                revocationWarned = t;
                LOG.warn("fleet: ignored a revocation on {}: {}", Texts.clip(m.topic()), e.getMessage());
            }
        } catch (IOException e) {
            LOG.error("fleet: cannot record a revocation in the data area ({}): the package is not refused yet; "
                    + "it is taken again when it comes again", PahoLink.reason(e));
        }
    }

    /** Publishes this gateway's retained state or status, remembering it to tell other clients' from ours. */
    private void publishOwn(PahoLink l, String leaf, String json) {
        own.put(leaf, json.getBytes(StandardCharsets.UTF_8));
        l.publish(signer.sign(FleetMessage.of(topic(leaf), json, true)));
    }

    /**
     * Link thread: a message on our own state or status topic that is not what we published last came from
     * another client (without ACLs any client may publish there, retained: a fake death that makes the
     * controller skip us, a fake status). We publish ours again, at most once a second per topic, so the
     * retained value the controller reads is ours again within about a second.
     */
    private void defend(PahoLink l, String leaf, FleetMessage m) {
        byte[] mine = own.get(leaf);
        if (mine == null || java.util.Arrays.equals(mine, m.payload()) || !defenceDue.add(leaf)) {
            return;
        }
        long wait = Math.max(0, lastDefence.getOrDefault(leaf, 0L) + 1_000 - System.currentTimeMillis());
        l.schedule(() -> {
            defenceDue.remove(leaf);
            lastDefence.put(leaf, System.currentTimeMillis());
            byte[] now = own.get(leaf);
            // not into a link going down (the broker publishes our will as it stops): the next connect's birth follows
            if (link == l && now != null && l.connected()) {
                l.publish(signer.sign(new FleetMessage(topic(leaf), now, true, null, null)));   // a new number: above a replayed one
            }
        }, wait);
        long t = System.currentTimeMillis();
        // a retained one comes with the subscription (e.g. our own from before a restart): corrected silently
        if (!m.retained() && t - defenceWarned >= 60_000) {
            defenceWarned = t;
            LOG.warn("fleet: another client published on {} (this gateway's own topic): publishing ours again; "
                    + "the broker's ACLs should allow only this gateway there", topic(leaf));
        }
    }

    /** Coalesced: many changes within the window make one status message. */
    private void statusChanged() {
        PahoLink l = link;
        if (l != null && statusDue.compareAndSet(false, true)) {
            l.schedule(this::publishStatus, coalesceMs);
        }
    }

    private void publishStatus() {
        statusDue.set(false);
        PahoLink l = link;
        if (l == null) {
            return;
        }
        DeviceDirectory d = devices;
        DeviceHealthWatch watch = deviceHealth;
        ObjectNode status = StatusReport.status(gateway, groups, manager.list(), d == null ? Set.of() : d.ids(),
                watch == null ? DeviceHealthWatch.Snapshot.NONE : watch.snapshot(), System.nanoTime(), ledger.current());
        publishOwn(l, FleetTopics.STATUS, status.toString());
    }

    @Override
    public void scriptChanged(ScriptEvent event) {
        statusChanged();
    }

    @Override
    public void executionFinished(ExecutionResult result) {
        PahoLink l = link;
        EventBudget budget = events;
        if (l != null) {
            if (budget.take()) {   // a script firing every few ms must not flood the broker: the rest are counted
                signer.signAndPublish(FleetMessage.of(topic(FleetTopics.EVENTS), StatusReport.event(result, budget.dropped()).toString(),
                        false), l::publish);   // in the order of their numbers (runs end on many threads)
            }
            statusChanged();
        }
    }

    private volatile java.nio.file.Path ownKey;   // the key it made; null: gateway.key (the operator's file)

    /** {@code fleet:rotate-key}: a new key, then (--confirm) signing with it; the old one kept as .old. */
    private String rotateKey(boolean confirm) throws IOException {
        java.nio.file.Path own = ownKey;
        GatewayAuth.Signer s = signer;
        if (own == null || s == null) {
            return "this gateway signs with gateway.key (" + (own == null ? "a file of the operator's" : "not started")
                    + "): replace that file and restart instead";
        }
        if (!confirm) {
            java.security.KeyPair next = GatewayIdentity.prepare(own);
            return "a new key is kept in " + GatewayIdentity.next(own) + "; this gateway still signs with its key.\n"
                    + "on each controller: fleet:trust-key " + gateway + " " + Ed25519Keys.publicText(next.getPublic())
                    + "\nthen here: fleet:rotate-key --confirm";
        }
        java.security.KeyPair next;
        try {
            next = GatewayIdentity.confirm(own);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        s.rotate(next.getPrivate());
        publicKey = Ed25519Keys.publicText(next.getPublic());
        statusChanged();
        return "this gateway signs with " + publicKey + " from now on (the key before is kept in "
                + GatewayIdentity.previous(own) + ")";
    }

    /** {@code fleet:identity}: what the operator compares with a birth's key before adding it to gateway.keys. */
    private String identity() {
        return "gateway '" + gateway + "' of fleet '" + fleet + "' signs its births, statuses, events and answers with this key;\n"
                + "its entry for the controller's gateway.keys:\n" + gateway + "=" + publicKey;
    }

    @Deactivate
    void deactivate() {
        if (shellCommands != null) {
            shellCommands.unregister();
            shellCommands = null;
        }
        DeviceHealthWatch w = deviceHealth;
        deviceHealth = null;
        if (w != null) {
            w.close();
        }
        TelemetrySampler t = telemetry;
        telemetry = null;
        if (t != null) {
            t.close();
        }
        PahoLink l = link;
        link = null;
        if (l != null) {
            // a clean disconnect sends no will: publish the offline state ourselves
            l.closeWith(signer.sign(FleetMessage.of(topic(FleetTopics.STATE), StatusReport.state(gateway, false, groups).toString(), true)));
        }
    }
}
