package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;

import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.FleetTopics;
import org.scriptbox.api.fleet.SignedPackage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * This container as a fleet controller, once etc/org.scriptbox.fleet.controller.cfg exists, with the
 * {@code fleet:*} commands: gateways, keygen, sign, deploy, rollouts, halt, request.
 */
@Component(configurationPid = FleetConfig.CONTROLLER_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
@Designate(ocd = FleetConfig.class)
public class FleetControllerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControllerComponent.class);
    private FleetController controller;
    private String fleet;
    private Duration timeout;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context, FleetConfig config) throws IOException {
        fleet = config.fleet_id();
        timeout = Duration.ofSeconds(Math.max(1, config.request_timeout_seconds()));
        try {
            controller = new FleetController(BrokerSettings.of(config), fleet, config.controller_id(),
                    context.getDataFile("controller").toPath(), timeout).start();
        } catch (IllegalArgumentException e) {
            LOG.error("fleet: controller not started: {}", e.getMessage());
            return;
        }
        for (FleetCommand c : commands()) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("osgi.command.scope", "fleet");
            p.put("osgi.command.function", c.name());
            registrations.add(context.registerService(Function.class, c, p));
        }
        LOG.info("fleet: controller '{}' of fleet '{}' started", config.controller_id(), fleet);
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
        if (controller != null) {
            controller.close();
        }
    }

    private List<FleetCommand> commands() {
        return List.of(
                new FleetCommand("gateways", "  (the fleet's gateways: state, health, package, groups)", Set.of(), w -> gateways()),
                new FleetCommand("keygen", "<private-key-file>  (a new Ed25519 key; prints the trusted.keys entry)", Set.of(),
                        w -> keygen(Path.of(w.arg(0, "the private key file")), w.option("name", "ops"))),
                new FleetCommand("sign", "--key FILE --signer NAME --group G --version N [--health SCRIPT] <folder> <package.json>",
                        Set.of(), this::sign),
                new FleetCommand("deploy", "<package.json> [--stages 1,10%,all] [--max-failure-rate 0]", Set.of(), this::deploy),
                new FleetCommand("rollouts", "[id]  (rollouts and their gateways' results)", Set.of(), this::rollouts),
                new FleetCommand("halt", "<rollout-id> [--rollback]  (emergency stop)", Set.of("rollback"), w -> {
                    controller.halt(w.arg(0, "the rollout id"), w.options().containsKey("rollback"));
                    return "halt requested for " + w.arg(0, "");
                }),
                new FleetCommand("request", "<gateway> <command> [json]  (list, run, cancel, undeploy, history, rollback, configuration)",
                        Set.of(), this::request));
    }

    private String gateways() {
        StringBuilder b = new StringBuilder(String.format("%-20s %-8s %-9s %-8s %-12s %-7s %s%n", "GATEWAY", "STATE", "HEALTH",
                "PACKAGE", "PKG-STATE", "SCRIPTS", "GROUPS"));
        for (GatewayView g : controller.gateways()) {
            b.append(String.format("%-20s %-8s %-9s %-8s %-12s %-7d %s%n", g.id(), g.online() ? "online" : "offline", g.health(),
                    g.packageVersion() == 0 ? "-" : Long.toString(g.packageVersion()), g.packageState(), g.scripts(),
                    String.join(",", g.groups())));
        }
        return b.toString();
    }

    static String keygen(Path file, String name) throws IOException {
        KeyPair k = Ed25519Keys.generate();
        Files.writeString(file, Ed25519Keys.privatePem(k.getPrivate()), StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the operator protects it
        }
        return "private key written to " + file + "\ntrusted.keys entry for the gateways:\n" + name + "="
                + Ed25519Keys.publicText(k.getPublic());
    }

    private String sign(FleetCommand.Words w) throws IOException {
        Path key = Path.of(required(w, "key"));
        String signer = required(w, "signer");
        String group = required(w, "group");
        long version;
        try {
            version = Long.parseLong(required(w, "version"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--version must be a whole number");
        }
        if (version < 1 || !FleetTopics.validId(group)) {
            throw new IllegalArgumentException("--version must be at least 1 and --group a valid id");
        }
        FleetPackage pkg = PackageFolder.read(Path.of(w.arg(0, "the script folder")), fleet, group, version,
                w.option("health", null));
        SignedPackage signed = PackageSigner.sign(pkg, signer, Ed25519Keys.privateKey(Files.readString(key, StandardCharsets.US_ASCII)));
        Path out = Path.of(w.arg(1, "the package file to write"));
        Files.writeString(out, PackageCodec.envelope(signed), StandardCharsets.UTF_8);
        return "package version " + version + " for group " + group + " (" + pkg.scripts().size() + " scripts) signed by "
                + signer + ": " + out;
    }

    private static String required(FleetCommand.Words w, String option) {
        String v = w.option(option, null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + option + " is required");
        }
        return v;
    }

    private String deploy(FleetCommand.Words w) throws IOException {
        String envelope = Files.readString(Path.of(w.arg(0, "the package file")), StandardCharsets.UTF_8);
        double rate;
        try {
            rate = Double.parseDouble(w.option("max-failure-rate", "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-failure-rate must be a number between 0 and 1");
        }
        String id = controller.deploy(envelope, Rollout.parseStages(w.option("stages", "1,10%,all")), rate);
        return "rollout " + id + " started (fleet:rollouts " + id + ")";
    }

    private String rollouts(FleetCommand.Words w) {
        StringBuilder b = new StringBuilder();
        for (Rollout r : controller.rollouts()) {
            if (!w.args().isEmpty() && !r.id().equals(w.args().get(0))) {
                continue;
            }
            b.append(String.format("%s  group %s  version %d  %s  stage %d/%d %s  %s%n", r.id(), r.group(), r.version(), r.state(),
                    Math.min(r.stage() + 1, r.stages().size()), r.stages().size(), r.stages(), r.reason()));
            if (!w.args().isEmpty()) {
                r.results().forEach((g, res) -> b.append(String.format("  %-20s %-12s %s%n", g, res.outcome(), res.detail())));
            }
        }
        return b.length() == 0 ? "no rollouts" : b.toString();
    }

    private String request(FleetCommand.Words w) throws Exception {
        String gateway = w.arg(0, "the gateway");
        String command = w.arg(1, "the command");
        JsonNode body = w.args().size() > 2 ? PackageCodec.JSON.readTree(String.join(" ", w.args().subList(2, w.args().size())))
                : PackageCodec.JSON.createObjectNode();
        if (!(body instanceof ObjectNode o)) {
            throw new IllegalArgumentException("the request body must be a JSON object");
        }
        return controller.request(gateway, command, o).toPrettyString();
    }
}
