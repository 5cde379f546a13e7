package org.scriptbox.fleet.internal;

import static org.scriptbox.testsupport.await.Until.until;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * A real Mosquitto, a real controller on a data folder and {@link SimGatewayLink}s, for the controller's rollout
 * tests; closes all it opened.
 */
final class FleetBench implements AutoCloseable {
    static final String FLEET = "plant";
    final Mosquitto broker;
    final int port;
    final KeyPair ops;
    final Path dir;
    Path data;
    FleetController controller;
    private final List<AutoCloseable> open = new ArrayList<>();

    FleetBench() throws Exception {
        dir = Files.createTempDirectory("fleet-bench");
        broker = new Mosquitto(Files.createDirectories(dir.resolve("broker"))).start();
        port = broker.port();
        ops = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        data = Files.createDirectories(dir.resolve("ctl"));
    }

    FleetController start(Duration requestTimeout, int kept) throws IOException {
        controller = FleetController.plain("127.0.0.1", port, FLEET, "ctl", data, requestTimeout).keepFinished(kept).start();
        return controller;
    }

    /** Closes the controller (a restart follows with {@link #start}). */
    void stopController() {
        if (controller != null) {
            controller.close();
            controller = null;
        }
    }

    SimGatewayLink gateway(String id, String group, boolean mute) throws InterruptedException {
        SimGatewayLink s = new SimGatewayLink(port, FLEET, id, group, mute);
        open.add(s);
        until(id + " seen online", () -> online(id), Duration.ofSeconds(15));
        return s;
    }

    boolean online(String id) {
        return controller.gateways().stream().anyMatch(v -> v.id().equals(id) && v.online());
    }

    GatewayView view(String id) {
        return controller.gateways().stream().filter(v -> v.id().equals(id)).findFirst().orElse(null);
    }

    /** Its link lost (the will says offline, seen by the controller), then gone. */
    void away(SimGatewayLink s) throws InterruptedException {
        s.sayOffline();
        until(s.id + " offline", () -> !online(s.id), Duration.ofSeconds(10));
        s.close();
    }

    Rollout rollout(String id) {
        return controller.rollout(id).orElseThrow();
    }

    String envelope(String group, long version) {
        FleetPackage p = new FleetPackage(FLEET, group, version, List.of(new PackageScript("blink", "return " + version,
                "name = \"blink\"\nversion = \"1.0." + version + "\"\n")), null, Instant.now());
        return PackageSigner.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));
    }

    /** Deploys to all at once and waits for the end state. */
    String deployAndWait(String group, long version, double maxFailureRate, Rollout.State end) throws InterruptedException {
        String id = controller.deploy(envelope(group, version), List.of("all"), maxFailureRate);
        until(id + " " + end, () -> rollout(id).state() == end, Duration.ofSeconds(30));
        return id;
    }

    @Override
    public void close() throws Exception {
        stopController();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        broker.close();
    }
}
