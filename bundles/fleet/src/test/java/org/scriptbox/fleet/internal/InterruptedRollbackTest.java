package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.scriptbox.testsupport.await.Until.until;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptDefinition;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptMetadata;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.fleet.internal.PackageLedger.Entry;
import org.scriptbox.fleet.internal.PackageLedger.State;
import org.scriptbox.fleet.internal.PackageLedger.Undo;
import org.scriptbox.fleet.internal.Rollout.Result;
import org.scriptbox.testsupport.mqtt.Mosquitto;

/**
 * A stop (kill -9, a power cut) in the middle of a rollback: at the next start the rollback is finished whole, on the
 * gateway (its ledger says ROLLING_BACK until every script is back) and on the controller (the rollout file says
 * ROLLING_BACK before the first rollback request; a restarted controller sends the rollbacks not answered yet).
 */
public class InterruptedRollbackTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    @Rule
    public Closer closer = new Closer();
    private FleetBench bench;


    /** The process dies here (not an exception any code catches). */
    private static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, RedTeamSession7FleetTest.Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return m.getName().equals("toString") ? type.getSimpleName() : m.getName().equals("hashCode") ? 0 : p == args[0];
            }
            return answer.call(m.getName(), args == null ? new Object[0] : args);
        });
    }

    /** A gateway's requests over a deploy folder kept in {@code live}; its {@code crashAt}-th install kills it. */
    private static GatewayRequests gateway(PackageLedger ledger, Map<String, String> live, int crashAt) {
        AtomicInteger installs = new AtomicInteger();
        ScriptManager manager = proxy(ScriptManager.class, (name, args) -> {
            if (name.equals("definition")) {
                return Optional.empty();
            }
            throw new UnsupportedOperationException(name);
        });
        ScriptFolder folder = proxy(ScriptFolder.class, (name, args) -> {
            if (name.equals("install")) {
                if (installs.incrementAndGet() == crashAt) {
                    throw new Crash();
                }
                ScriptDefinition d = (ScriptDefinition) args[0];
                live.put(d.metadata().name(), d.source());
                return null;
            }
            throw new UnsupportedOperationException(name);
        });
        MetadataCodec codec = proxy(MetadataCodec.class, (name, args) -> {
            if (name.equals("parse")) {
                return ScriptMetadata.defaults((String) args[2]);
            }
            throw new UnsupportedOperationException(name);
        });
        return new GatewayRequests(manager, null, ledger, new PackageInstaller(manager, folder, codec),
                PackageCodec.JSON.createObjectNode(), () -> { });
    }

    @Test
    public void aGatewayStoppedInTheMiddleOfARollbackFinishesItWholeAtItsStart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file, Set.of("line1"));
        // package 2 replaced a, b and c (version 1 of each): its undo puts them back
        ledger.record(new Entry("line1", 2, "ops", "d2", Instant.now(), State.APPLIED, List.of("a", "b", "c"),
                List.of(new Undo("a", true, "return 'a1'", "x"), new Undo("b", true, "return 'b1'", "x"),
                        new Undo("c", true, "return 'c1'", "x")), null));
        Map<String, String> live = new ConcurrentHashMap<>(Map.of("a", "return 'a2'", "b", "return 'b2'", "c", "return 'c2'"));
        try {
            gateway(ledger, live, 2).handle("rollback", PackageCodec.JSON.readTree("{\"group\":\"line1\",\"version\":2}"))
                    .toCompletableFuture().get();
        } catch (Crash | java.util.concurrent.ExecutionException died) {
            // the process is gone; the disk is what it left
        }
        assertEquals("c went back, then the stop: half done", "return 'c1'", live.get("c"));
        assertEquals("return 'a2'", live.get("a"));

        PackageLedger again = new PackageLedger(file, Set.of("line1"));   // the restart
        gateway(again, live, 0).putBackInterrupted();
        assertEquals("every script of the rollback is back", Map.of("a", "return 'a1'", "b", "return 'b1'", "c", "return 'c1'"), live);
        assertEquals(State.ROLLED_BACK, again.last("line1").state());
        assertEquals(State.ROLLED_BACK, new PackageLedger(file, Set.of("line1")).last("line1").state());
    }

    @Test
    public void aControllerStoppedInTheMiddleOfARollbackFinishesItAtItsStart() throws Exception {
        Assume.assumeTrue("needs mosquitto", Mosquitto.installed());
        bench = closer.add(new FleetBench());
        bench.start(Duration.ofSeconds(20), FleetController.DEFAULT_KEPT);
        SimGatewayLink k1 = bench.gateway("k1", "lineK", false);
        SimGatewayLink k2 = bench.gateway("k2", "lineK", false);
        k2.problemAfterDeploy = "blink: FAILED boom";   // fails its health: the rollout rolls back
        k2.holdRollbacks();
        String id = bench.controller.deploy(bench.envelope("lineK", 1), List.of("all"), 0);
        until("k1 rolled back, k2's rollback on the way", () -> bench.rollout(id).state() == Rollout.State.ROLLING_BACK
                && bench.rollout(id).results().get("k1").outcome().equals(Result.ROLLED_BACK), Duration.ofSeconds(20));
        // kill -9 now: the data folder as it is on disk is what the next start finds
        Path copy = Files.createDirectories(bench.dir.resolve("ctl-after-kill"));
        copyTree(bench.data, copy);
        bench.stopController();
        bench.data = copy;
        k2.releaseRollbacks();   // k2 answers the dead controller's rollback (nobody hears it), then the new one's
        bench.start(Duration.ofSeconds(20), FleetController.DEFAULT_KEPT);
        until("rolled back whole", () -> bench.controller.rollout(id).map(r -> r.state() == Rollout.State.ROLLED_BACK)
                .orElse(false), Duration.ofSeconds(30));
        Rollout r = bench.rollout(id);
        assertEquals(r.toString(), Result.ROLLED_BACK, r.results().get("k2").outcome());
        assertEquals("k1 was rolled back once", List.of("deploy 1", "rollback 1"), k1.received);
        assertTrue(k2.received.toString(), k2.received.contains("rollback 1"));
        assertEquals(0, k2.version());
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().endsWith(".tmp")) {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
