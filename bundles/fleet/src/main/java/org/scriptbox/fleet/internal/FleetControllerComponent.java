package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.shell.command.ShellArgs;
import org.scriptbox.shell.command.ShellCommand;
import org.scriptbox.shell.command.ShellCommands;
import org.scriptbox.shell.command.Usage;
import org.scriptbox.shell.command.UsageError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * This container as a fleet controller, once etc/org.scriptbox.fleet.controller.cfg exists, with the
 * {@code fleet:*} commands (the shell's command mechanism: --help, one-line mistakes, no Java text): gateways,
 * keygen, sign, deploy, rollouts, halt, request.
 */
@Component(configurationPid = FleetConfig.CONTROLLER_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = FleetConfig.class)
public class FleetControllerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControllerComponent.class);
    private FleetController controller;
    private String fleet;
    private Duration timeout;
    private ShellCommands registrations;

    public FleetControllerComponent() {
        // Declarative Services makes it
    }

    /** Tests: the commands on a controller of the test's (null: only keygen and sign work). */
    FleetControllerComponent(FleetController controller, String fleet) {
        this.controller = controller;
        this.fleet = fleet;
    }

    @Activate
    void activate(BundleContext context, FleetConfig config) throws IOException {
        fleet = config.fleet_id();
        timeout = Duration.ofSeconds(Math.max(1, config.request_timeout_seconds()));
        java.security.PrivateKey key = null;
        if (!config.controller_key().isBlank()) {
            try {
                key = Ed25519Keys.privateKey(Files.readString(Path.of(config.controller_key()), StandardCharsets.US_ASCII));
            } catch (IOException | IllegalArgumentException e) {   // never the key's text
                LOG.error("fleet: controller not started: controller.key {} cannot be read as an Ed25519 PEM key ({})",
                        config.controller_key(), e instanceof IOException io ? PahoLink.reason(io) : e.getMessage());
                return;
            }
        }
        java.util.Map<String, java.security.PublicKey> gatewayKeys;
        try {
            gatewayKeys = PackageVerifier.keys("gateway.keys", FleetGateway.commaSeparated(config.gateway_keys()).toArray(new String[0]));
            for (String id : gatewayKeys.keySet()) {
                if (!FleetTopics.validId(id)) {
                    throw new IllegalArgumentException("gateway.keys: '" + Texts.clip(id) + "' is not a gateway id");
                }
            }
        } catch (IllegalArgumentException e) {
            LOG.error("fleet: controller not started: {}", e.getMessage());
            return;
        }
        if (gatewayKeys.isEmpty()) {
            LOG.warn("fleet: no gateway.keys: births, statuses and answers are taken from any client the broker's ACLs let "
                    + "publish them (a forged birth, status or \"applied\"); give each gateway's key (fleet:keys, fleet:identity "
                    + "on the gateway) in gateway.keys (docs/fleet.md, Security model)");
        }
        try {
            controller = new FleetController(BrokerSettings.of(config), fleet, config.controller_id(),
                    context.getDataFile("controller").toPath(), timeout, key, gatewayKeys,
                    Duration.ofSeconds(Math.max(0, config.gateway_clock_window_seconds()))).keepFinished(config.rollouts_kept()).start();
        } catch (IllegalArgumentException | java.io.IOException e) {   // a second controller on the folder: one line
            LOG.error("fleet: controller not started: {}", e.getMessage());
            return;
        }
        registrations = ShellCommands.register(context, commands());
        LOG.info("fleet: controller '{}' of fleet '{}' started", config.controller_id(), fleet);
    }

    @Deactivate
    void deactivate() {
        if (registrations != null) {
            registrations.unregister();
        }
        if (controller != null) {
            controller.close();
        }
    }

    List<ShellCommand> commands() {
        return List.of(
                new ShellCommand(Usage.of("fleet:gateways", "the fleet's gateways: state, health, package, groups"),
                        (session, a) -> gateways()),
                new ShellCommand(Usage.of("fleet:activity", "per gateway, its events and telemetry taken, refused "
                        + "(unsigned, forged, replays) and dropped over the verification budget (gateway.keys)"),
                        (session, a) -> activity(controller.checksGateways(), controller.activity())),
                new ShellCommand(Usage.of("fleet:trust-key", "take a gateway's messages signed by this key from now on "
                        + "(kept in the data area; its old key until it is heard with the new: a rotation loses nothing)")
                        .withArgument("GATEWAY", "the gateway's id")
                        .withArgument("KEY", "its public key (fleet:identity or fleet:rotate-key on the gateway)"),
                        (session, a) -> trustKey(a.text("GATEWAY"), a.text("KEY"))),
                new ShellCommand(Usage.of("fleet:revoke-key", "take nothing of this gateway any more (kept in the data area)")
                        .withArgument("GATEWAY", "the gateway's id"),
                        (session, a) -> revokeKey(a.text("GATEWAY"))),
                new ShellCommand(Usage.of("fleet:keys", "keys gateways' births presented that gateway.keys does not hold "
                        + "for them: confirm each with fleet:identity on the gateway, then add it to gateway.keys"),
                        (session, a) -> keys()),
                new ShellCommand(Usage.of("fleet:keygen", "make a new Ed25519 signing key; prints the trusted.keys entry")
                        .withArgument("FILE", "where to write the private key (PEM, readable by its owner only)")
                        .withOption("-n", "--name", "name", "ops", "the key's name in trusted.keys"),
                        (session, a) -> keygen(Path.of(a.text("FILE")), a.option("--name"))),
                new ShellCommand(Usage.of("fleet:sign", "sign a folder of scripts as a package")
                        .withArgument("FOLDER", "the scripts (name.lua and name.toml)")
                        .withArgument("PACKAGE", "the package file to write")
                        .withOption("-k", "--key", "file", null, "the private key (fleet:keygen)")
                        .withOption("-s", "--signer", "name", null, "the key's name in the gateways' trusted.keys")
                        .withOption("-g", "--group", "group", null, "the group the package is for")
                        .withOption("-v", "--version", "n", null, "the package version, above the group's last")
                        .withOption(null, "--health", "script", null, "a script of the package run as health check")
                        .withExample("fleet:sign --key ops.pem --signer ops --group line1 --version 7 --health selftest scripts/ pkg-7.json"),
                        (session, a) -> sign(a)),
                new ShellCommand(Usage.of("fleet:deploy", "roll a signed package out to its group in stages")
                        .withArgument("PACKAGE", "the signed package file (fleet:sign)")
                        .withOption(null, "--stages", "list", "1,10%,all", "cumulative stage sizes: a count, a share or all")
                        .withOption(null, "--max-failure-rate", "rate", "0", "share of failed gateways (0..1) above which it halts and rolls back")
                        .withOption(null, "--soak", "time", "0s", "each stage's gateways must stay healthy this long (30s, 5m) before the next"),
                        (session, a) -> deploy(a)),
                new ShellCommand(Usage.of("fleet:rollouts", "rollouts; with an id, each gateway's result")
                        .withOptionalArgument("ID", "a rollout id"),
                        (session, a) -> rollouts(a.text("ID"))),
                new ShellCommand(Usage.of("fleet:halt", "emergency stop of a rollout: no further gateway gets it")
                        .withArgument("ID", "the rollout id")
                        .withFlag(null, "--rollback", "also roll back the gateways that got it"),
                        (session, a) -> mistakes(() -> controller.halt(a.text("ID"), a.flag("--rollback")))),
                new ShellCommand(Usage.of("fleet:request", "send one request to a gateway and show its answer")
                        .withArgument("GATEWAY", "the gateway id")
                        .withArgument("COMMAND", "list, run, cancel, undeploy, history, rollback or configuration")
                        .withRest("JSON", "the request body, a JSON object (quote it: '{\"script\":\"x\"}')", false)
                        .withExample("fleet:request gw-017 run '{\"script\":\"blink\"}'"),
                        (session, a) -> request(a)));
    }

    private String gateways() {
        StringBuilder b = new StringBuilder(String.format("%-20s %-8s %-9s %-7s %-30s %s%n", "GATEWAY", "STATE", "HEALTH",
                "SCRIPTS", "GROUPS", "PACKAGES (group: version state)"));
        for (GatewayView g : controller.gateways()) {
            String packages = g.packages().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue().version() + " " + e.getValue().state())
                    .collect(java.util.stream.Collectors.joining(", "));
            b.append(String.format("%-20s %-8s %-9s %-7d %-30s %s%n", g.id(), g.online() ? "online" : "offline", g.health(),
                    g.scripts(), String.join(",", g.groups()), packages.isEmpty() ? "-" : packages));
        }
        if (controller.checksGateways() || controller.droppedGatewayMessages() > 0) {
            b.append(controller.droppedGatewayMessages()).append(" message(s) dropped as not signed by their gateway's key in gateway.keys\n");
        }
        return b.toString();
    }

    static String activity(boolean checks, java.util.Map<String, Activity.Counts> all) {
        if (!checks) {
            return "no gateway.keys: events and telemetry are not verified (nor counted) by this controller";
        }
        StringBuilder b = new StringBuilder(String.format("%-22s %28s   %28s%n%-22s %9s %9s %9s   %9s %9s %9s%n", "",
                "events", "telemetry", "GATEWAY", "taken", "refused", "over", "taken", "refused", "over"));
        all.forEach((g, c) -> b.append(String.format("%-22s %9d %9d %9d   %9d %9d %9d%n", g, c.eventsTaken(),
                c.eventsRefused(), c.eventsOverBudget(), c.telemetryTaken(), c.telemetryRefused(), c.telemetryOverBudget())));
        if (all.isEmpty()) {
            b.append("no events or telemetry yet\n");
        }
        b.append("verified at most ").append(VerifyBudget.PER_GATEWAY).append("/s per gateway and ").append(VerifyBudget.TOTAL)
                .append("/s in all; \"over\" were dropped unverified\n");
        return org.scriptbox.api.text.SafeText.lines(b.toString());
    }

    private String trustKey(String gateway, String text) throws IOException {
        if (!FleetTopics.validId(gateway)) {
            throw new UsageError("GATEWAY must be an id (letters, digits, _ . -; at most 64), not '" + Texts.clip(gateway) + "'");
        }
        java.security.PublicKey key;
        try {
            key = Ed25519Keys.publicKey(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError("KEY is " + e.getMessage());
        }
        try {
            controller.trustKey(gateway, key);
        } catch (IllegalStateException e) {
            throw new UsageError(e.getMessage());
        }
        return "gateway '" + gateway + "' is now taken signed by " + Ed25519Keys.publicText(key)
                + " (and by its old key until a message signed by this one is taken); kept in " + TrustedGatewayKeys.FILE;
    }

    private String revokeKey(String gateway) throws IOException {
        if (!FleetTopics.validId(gateway)) {
            throw new UsageError("GATEWAY must be an id (letters, digits, _ . -; at most 64), not '" + Texts.clip(gateway) + "'");
        }
        try {
            controller.revokeKey(gateway);
        } catch (IllegalStateException e) {
            throw new UsageError(e.getMessage());
        }
        return "nothing of gateway '" + gateway + "' is taken any more; kept in " + TrustedGatewayKeys.FILE;
    }

    private String keys() {
        java.util.Map<String, String> keys = controller.presentedKeys();
        if (keys.isEmpty()) {
            return controller.checksGateways() ? "every gateway that was born presented the key gateway.keys holds for it"
                    : "no gateway has presented a key yet";
        }
        StringBuilder b = new StringBuilder(controller.checksGateways()
                ? "births signed with a key that gateway.keys does not hold for their gateway (NOT trusted: compare each with "
                + "fleet:identity on that gateway; a gateway already in gateway.keys may be an impostor):\n"
                : "keys the gateways' births presented (NOT verified: compare each with fleet:identity on that gateway, then "
                + "set gateway.keys):\n");
        keys.forEach((id, k) -> b.append(String.format("  %-20s %s%n", id, k)));
        b.append("gateway.keys = ").append(String.join(", ", keys.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        return org.scriptbox.api.text.SafeText.lines(b.toString());
    }

    static String keygen(Path file, String name) throws IOException {
        if (!FleetTopics.validId(name)) {   // it becomes a trusted.keys entry "name=key" and a controller.id
            throw new UsageError("--name must be an id (letters, digits, _ . -; at most 64), not '" + Texts.clip(name) + "'");
        }
        KeyPair k = Ed25519Keys.generate();
        try {
            // never over an existing file (the key the gateways trust, typed again), and private from the first byte
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);   // not a POSIX file system: the operator protects it
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new UsageError(file + " exists already: a new key there would replace the one the gateways trust; "
                    + "choose another file, or move that one away first");
        } catch (IOException e) {
            throw fileMistake("write", file, e);
        }
        try {
            Files.writeString(file, Ed25519Keys.privatePem(k.getPrivate()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw fileMistake("write", file, e);
        }
        return "private key written to " + file + "\ntrusted.keys entry for the gateways:\n" + name + "="
                + Ed25519Keys.publicText(k.getPublic());
    }

    /**
     * A file the operator named that cannot be read or written: one sentence naming it (these were "an internal
     * error" with a stack trace in the log, FINDINGS Q37).
     */
    static UsageError fileMistake(String verb, Path file, IOException e) {
        String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or folder"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.file.NotDirectoryException ? "not a folder"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text"
                : PahoLink.reason(e);
        return new UsageError("cannot " + verb + " " + file + ": " + Texts.clip(why));
    }

    private String sign(ShellArgs a) throws IOException {
        Path key = Path.of(required(a, "--key"));
        String signer = required(a, "--signer");
        String group = required(a, "--group");
        long version;
        try {
            version = Long.parseLong(required(a, "--version"));
        } catch (NumberFormatException e) {
            throw new UsageError("--version must be a whole number");
        }
        if (version < 1 || !FleetTopics.validId(group)) {
            throw new UsageError("--version must be at least 1 and --group a valid id");
        }
        if (!FleetTopics.validId(signer)) {   // a trusted.keys name: no gateway could name it
            throw new UsageError("--signer must be an id (letters, digits, _ . -; at most 64), not '" + Texts.clip(signer) + "'");
        }
        Path folder = Path.of(a.text("FOLDER"));
        FleetPackage pkg;
        try {
            pkg = mistakes(() -> PackageFolder.read(folder, fleet, group, version, a.option("--health")));
        } catch (IOException e) {
            throw fileMistake("read", e instanceof java.nio.file.FileSystemException f && f.getFile() != null
                    ? Path.of(f.getFile()) : folder, e);
        }
        String pem;
        try {
            pem = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw fileMistake("read the key", key, e);
        }
        String envelope = mistakes(() -> PackageSigner.revocableEnvelope(pkg, signer, Ed25519Keys.privateKey(pem)));
        Path out = Path.of(a.text("PACKAGE"));
        if (Files.exists(out) && !isPackage(out)) {   // FOLDER and PACKAGE swapped, or the key's own file: never over it
            throw new UsageError(out + " exists and is not a package: not written over (name a new file, or move it away)");
        }
        try {
            Files.writeString(out, envelope, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw fileMistake("write", out, e);
        }
        return "package version " + version + " for group " + group + " (" + pkg.scripts().size() + " scripts) signed by "
                + signer + ": " + out;
    }

    /** A file fleet:sign wrote before (an envelope): the only kind it writes over. */
    private static boolean isPackage(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_PACKAGE_FILE_BYTES) {
                return false;
            }
            JsonNode o = PackageCodec.JSON.readTree(Files.readAllBytes(file));
            return o != null && o.isObject() && o.has("body") && o.has("signature");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A package file at most: 8 MB of package in base64 and its envelope (a larger file is no package). */
    static final long MAX_PACKAGE_FILE_BYTES = 16L << 20;

    private static String required(ShellArgs a, String option) {
        String v = a.option(option);
        if (v == null || v.isBlank()) {
            throw new UsageError(option + " is required");
        }
        return v;
    }

    /** What the fleet classes refuse with IllegalArgumentException is the operator's mistake: one sentence. */
    private static <T> T mistakes(java.util.concurrent.Callable<T> action) throws IOException {
        try {
            return action.call();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        } catch (Refusal e) {   // a script name the fleet refuses (fleet:sign of a folder)
            throw new UsageError(e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String deploy(ShellArgs a) throws IOException {
        Path file = Path.of(a.text("PACKAGE"));
        if (!Files.isRegularFile(file)) {
            throw new UsageError("no package file " + file);
        }
        String envelope;
        try {
            if (Files.size(file) > MAX_PACKAGE_FILE_BYTES) {   // the wrong file (a log, an image): not read into the heap
                throw new UsageError(file + " has " + Files.size(file) + " bytes: not a package (at most " + MAX_PACKAGE_FILE_BYTES + ")");
            }
            envelope = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw fileMistake("read", file, e);
        }
        double rate;
        try {
            rate = Double.parseDouble(a.option("--max-failure-rate"));
        } catch (NumberFormatException e) {
            throw new UsageError("--max-failure-rate must be a number between 0 and 1");
        }
        java.time.Duration soak = soak(a.option("--soak"));
        String id = mistakes(() -> controller.deploy(envelope, Rollout.parseStages(a.option("--stages")), rate, soak));
        return "rollout " + id + " started (fleet:rollouts " + id + ")";
    }

    /** 30s, 5m, 1h, 500ms or plain seconds. */
    static java.time.Duration soak(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) {
            throw new UsageError("--soak must be a time such as 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofSeconds(n);
        };
    }

    private String rollouts(String id) {
        StringBuilder b = new StringBuilder();
        for (Rollout r : controller.rollouts()) {
            if (id != null && !r.id().equals(id)) {
                continue;
            }
            b.append(String.format("%s  group %s  version %d  %s  stage %d/%d %s  %s%n", r.id(), r.group(), r.version(), r.state(),
                    Math.min(r.stage() + 1, r.stages().size()), r.stages().size(), r.stages(),
                    r.reason() + (r.soakUntil() == null ? "" : "soaking until " + r.soakUntil())
                            + (r.owedText().isEmpty() ? "" : "; " + r.owedText())));
            if (id != null) {
                r.results().forEach((g, res) -> b.append(String.format("  %-20s %-12s %s%n", g, res.outcome(), res.detail())));
            }
        }
        if (b.length() == 0) {
            return id == null ? "no rollouts" : "no rollout '" + Texts.clip(id) + "' (fleet:rollouts lists them)";
        }
        return org.scriptbox.api.text.SafeText.lines(b.toString());
    }

    private String request(ShellArgs a) throws Exception {
        String json = String.join(" ", a.restTexts());
        JsonNode body;
        try {
            body = json.isBlank() ? PackageCodec.JSON.createObjectNode() : PackageCodec.JSON.readTree(json);
        } catch (IOException e) {
            throw new UsageError("the request body is not JSON");
        }
        if (!(body instanceof ObjectNode o)) {
            throw new UsageError("the request body must be a JSON object");
        }
        try {
            // a gateway's answer is text from the network: JSON escapes C0 controls but not C1 or BIDI ones
            return org.scriptbox.api.text.SafeText.lines(mistakes(() -> controller.request(a.text("GATEWAY"), a.text("COMMAND"), o)
                    .toPrettyString()));
        } catch (IllegalStateException noAnswer) {   // the gateway is away or slow: a sentence, not a failure
            return "fleet:request: " + noAnswer.getMessage();
        }
    }
}
