package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.FleetController;
import org.scriptbox.fleet.internal.GatewayView;
import org.scriptbox.fleet.internal.PackageSigner;
import org.scriptbox.fleet.internal.Rollout;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * Issue 18.2/18.4: a device fault is part of a gateway's health and a rollout's health criterion. A real
 * container (separate JVM, the runtime's simulated devices sim-1 and sim-2) and a simulated gateway on a real
 * Mosquitto; the controller in the test JVM. The canary (the container) takes the package; during its stage's
 * soak its device sim-1 becomes unreachable (its driver configuration gets {@code fault.connect = FAIL}): after
 * {@code device.fault.ms} the gateway's status is degraded naming the device, the rollout halts and rolls back,
 * and the other gateway never gets the package. With the device back the gateway is healthy again.
 */
public class FleetDeviceHealthIT {
    private static final String FLEET = "plant";
    private static final String SIM = "org.scriptbox.driver.sim-1.cfg";

    @Test
    public void aDeviceFaultedDuringTheSoakHaltsTheRolloutAndRollsItBack() throws Exception {
        assumeTrue("needs Eclipse Mosquitto", Mosquitto.installed());
        Path root = Distribution.freshFolder("fleet-device-health");
        KeyPair ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        try (Mosquitto broker = new Mosquitto(Files.createDirectories(root.resolve("broker"))).start()) {
            Map<String, String> cfg = new LinkedHashMap<>();
            cfg.put("broker.host", "127.0.0.1");
            cfg.put("broker.port", Integer.toString(broker.port()));
            cfg.put("fleet.id", FLEET);
            cfg.put("gateway.id", "a-real");   // sorted first: the canary of stage 1
            cfg.put("groups", "all");
            cfg.put("trusted.keys", "ops=" + Base64.getEncoder().encodeToString(ops.getPublic().getEncoded()));
            cfg.put("device.fault.ms", "1500");
            cfg.put("device.probe.ms", "250");
            GatewayProcess real = new GatewayProcess("a-real", root, cfg);
            SimGateway other = new SimGateway(FLEET, "b-sim", broker.port(), ops.getPublic());
            FleetController controller = FleetController.plain("127.0.0.1", broker.port(), FLEET, "ctl",
                    root.resolve("controller"), Duration.ofSeconds(30));
            try {
                real.start();
                other.connect().waitForCompletion(30_000);
                other.birth();
                controller.start();
                GatewayView healthy = Await.until("both gateways online, the container healthy with its devices probed",
                        Duration.ofSeconds(120), () -> view(controller, "a-real"),
                        v -> v != null && v.online() && v.health().equals("ok") && view(controller, "b-sim") != null);
                assertEquals("", healthy.problem());

                String id = controller.deploy(envelope(ops, 1), List.of("1", "all"), 0, Duration.ofSeconds(60));
                Await.until("the canary applied it and soaks", Duration.ofSeconds(60), () -> controller.rollout(id).orElseThrow(),
                        r -> r.soakUntil() != null);
                String original = real.readEtc(SIM);
                real.writeEtc(SIM, original.replace("fault.connect = NONE", "fault.connect = FAIL"));
                long faulted = System.nanoTime();

                Rollout r = Await.until("the rollout halted and rolled back", Duration.ofSeconds(45),
                        () -> controller.rollout(id).orElseThrow(), x -> x.state() == Rollout.State.ROLLED_BACK);
                double seconds = (System.nanoTime() - faulted) / 1e9;
                assertTrue(r.reason(), r.reason().contains("a-real: the gateway's health is degraded during the soak of stage 1: "
                        + "device sim-1: faulted for "));
                assertTrue(r.reason(), r.reason().contains("simulated connection failure"));
                assertEquals("the other gateway never got it", 0, other.version());
                assertEquals("only the canary: " + r.results(), List.of("a-real"), List.copyOf(r.results().keySet()));
                System.out.printf("FleetDeviceHealthIT: device fault -> rollout ROLLED_BACK in %.2f s (device.fault.ms 1500)%n", seconds);
                assertTrue(real.log(), real.log().contains("health is degraded by device(s) [sim-1]"));

                real.writeEtc(SIM, original);   // the device answers again: healthy without a restart
                Await.until("the container healthy again", Duration.ofSeconds(30), () -> view(controller, "a-real"),
                        v -> v.health().equals("ok"));
            } finally {
                controller.close();
                other.kill();
                real.kill();
            }
        }
    }

    private static GatewayView view(FleetController c, String id) {
        return c.gateways().stream().filter(g -> g.id().equals(id)).findFirst().orElse(null);
    }

    private static String envelope(KeyPair ops, long version) throws Exception {
        FleetPackage pkg = new FleetPackage(FLEET, "all", version, List.of(new PackageScript("blink", "return 1",
                "name = \"blink\"\nversion = \"1." + version + ".0\"\n")), "blink", Instant.now());
        return PackageSigner.envelope(PackageSigner.sign(pkg, "ops", ops.getPrivate()));
    }
}
