package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.MetadataCodec;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.deploy.ScriptFolder;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;
import org.scriptbox.fleet.internal.PackageLedger.Entry;
import org.scriptbox.fleet.internal.PackageLedger.State;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Session 7's attacks on the fleet channel that a unit can hold (FINDINGS.md Q4-Q10); the broker-level
 * ones are in itests FleetAttackIT.
 */
public class RedTeamSession7FleetTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final KeyPair ops = Ed25519Keys.generate();
    private final PackageVerifier verifier = new PackageVerifier(
            PackageVerifier.trustedKeys(new String[] {"ops=" + Ed25519Keys.publicText(ops.getPublic())}),
            "plant", Set.of("line1"), 1 << 20);

    // ---- Q4: a ledger that reads as empty would admit any old signed package ----

    @Test
    public void aLedgerWithoutItsPackagesFailsClosedWithoutJacksonText() throws Exception {
        // "": what an unsynced write renamed over the old file leaves after a power loss on many file systems
        for (String text : List.of("", " ", "{}", "null", "[]", "{\"packages\":[]}", "{\"packages\":{}}",
                "{\"packages\":[{\"version\":3", "{\"packages\":[{\"state\":\"APPLIED\",\"at\":\"2026-12-01T00:00:00Z\"}]}")) {
            Path file = tmp.newFolder().toPath().resolve("fleet-ledger.json");
            Files.writeString(file, text);
            try {
                new PackageLedger(file, Set.of("line1"));
                fail("'" + text + "' read as a ledger: every version would be admitted");
            } catch (java.io.IOException e) {
                assertTrue(text + ": " + e.getMessage(), e.getMessage().endsWith(
                        "is damaged; move it away to start a new ledger (then any version is accepted)"));
                assertFalse(e.getMessage(), e.getMessage().contains("Source:") || e.getMessage().contains("Exception"));
            }
        }
    }

    @Test
    public void aLedgerWriteIsDurableAndLeavesNoTemporary() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("d/fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file, Set.of("line1"));
        ledger.record(new Entry("line1", 4, "ops", "d4", Instant.now(), State.APPLIED, List.of("blink"), List.of(), null));
        assertFalse(Files.exists(file.resolveSibling("fleet-ledger.json.tmp")));
        assertEquals(4, new PackageLedger(file, Set.of("line1")).last("line1").version());
        // a temporary left by a kill mid-write does not disturb the next write or read
        Files.writeString(file.resolveSibling("fleet-ledger.json.tmp"), "{\"packages\":[{\"vers");
        assertEquals(4, new PackageLedger(file, Set.of("line1")).last("line1").version());
        ledger.record(new Entry("line1", 5, "ops", "d5", Instant.now(), State.APPLIED, List.of("blink"), List.of(), null));
        assertEquals(5, new PackageLedger(file, Set.of("line1")).last("line1").version());
    }

    @Test
    public void oneDamagedRolloutFileDoesNotKeepTheControllerFromStarting() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("rollouts");
        RolloutStore store = new RolloutStore(dir);
        Rollout good = new Rollout("line1-v3-x", "{}", "line1", 3, null, Rollout.parseStages("1,all"), 0, 0,
                Rollout.State.RUNNING, Map.of(), null, Instant.now(), Instant.now());
        store.save(good);
        Files.writeString(dir.resolve("line1-v2-y.json"), "");
        Files.writeString(dir.resolve("line1-v1-z.json"), "{\"id\":\"line1-v1-z\",\"state\":\"RUN");
        List<Rollout> loaded = store.load();
        assertEquals(1, loaded.size());
        assertEquals("line1-v3-x", loaded.get(0).id());
    }

    // ---- Q7: what a signed package may name ----

    @Test
    public void aHealthCheckThatIsNotAScriptOfThePackageIsRefused() {
        FleetPackage p = new FleetPackage("plant", "line1", 3, List.of(new PackageScript("blink", "return 1", null)),
                "open_valve", Instant.now());
        assertRefused("BAD_PACKAGE", p, "the health check 'open_valve' is not a script of the package");
    }

    @Test
    public void twoScriptsOfOneNameAreRefused() {
        FleetPackage p = new FleetPackage("plant", "line1", 3, List.of(new PackageScript("blink", "return 1", null),
                new PackageScript("blink", "return 2", null)), null, Instant.now());
        assertRefused("BAD_PACKAGE", p, "two scripts of the package are named 'blink'");
    }

    private void assertRefused(String code, FleetPackage p, String message) {
        try {
            verifier.verify(PackageSigner.sign(p, "ops", ops.getPrivate()));
            fail("accepted");
        } catch (Refusal r) {
            assertEquals(code, r.code());
            assertEquals(message, r.getMessage());
        }
    }

    // ---- Q8: text from the network in logs and the shell ----

    @Test
    public void controlsAnsiAndBidiFromTheNetworkAreEscaped() {
        String evil = "gw\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil\u2028x\r\n";
        String clipped = Texts.clip(evil);
        for (char c : clipped.toCharArray()) {
            assertTrue("raw U+" + Integer.toHexString(c) + " in " + clipped, c >= 0x20 && c < 0x7f);
        }
        assertTrue(clipped, clipped.startsWith("gw\\u001b[2J"));
        assertEquals(83, Texts.clip("x".repeat(500)).length());
        assertTrue(Texts.sentence("y".repeat(2000)).length() <= 503);
    }

    @Test
    public void theControllerKeepsNoGatewayWhoseIdOrGroupsNoGatewayCouldHave() {
        ControllerLink link = new ControllerLink(BrokerSettings.plain("127.0.0.1", 1), "plant", "ctl");
        try {
            String birth = "{\"state\":\"online\",\"groups\":[\"line1\",\"\\u001b[31mred\",\"../x\"]}";
            link.state(FleetMessage.of("scriptbox/plant/\u001b[2Jghost/state", birth, true));
            link.state(FleetMessage.of("scriptbox/plant/" + "g".repeat(65) + "/state", birth, true));
            link.state(FleetMessage.of("scriptbox/plant/gw\u202e1/state", birth, true));
            link.state(FleetMessage.of("scriptbox/plant/gw1/state", birth, true));
            link.status(FleetMessage.of("scriptbox/plant/gw1/status",
                    "{\"health\":\"ok\\u001b[8m\",\"package\":{\"version\":3,\"state\":\"\\u009bAPPLIED\"}}", true));
            List<GatewayView> all = link.gateways();
            assertEquals(1, all.size());
            GatewayView g = all.get(0);
            assertEquals("gw1", g.id());
            assertEquals(List.of("line1"), g.groups());
            assertEquals("ok\\u001b[8m", g.health());
            assertEquals("\\u009bAPPLIED", g.packageState("line1"));
        } finally {
            link.close();
        }
    }

    // ---- Q9: a flood waits in a bounded queue ----

    @Test
    public void theInboundQueueIsBoundedInMessagesAndBytes() {
        InboundBudget b = new InboundBudget(3, 100);
        assertTrue(b.take(10));
        assertTrue(b.take(10));
        assertTrue(b.take(10));
        assertFalse("a fourth message", b.take(1));
        b.release(10);
        assertFalse("81 bytes more than fit", b.take(81));
        assertTrue(b.take(80));
        assertEquals(2, b.droppedSinceLastReport());
        assertEquals(0, b.droppedSinceLastReport());
        InboundBudget big = new InboundBudget(3, 100);
        assertTrue("one message alone always fits", big.take(1_000));
        assertFalse(big.take(1));
    }

    // ---- Q6: undeploy from the fleet channel follows the deploy folder's rules ----

    @Test
    public void undeployOfABundlesScriptIsRefusedAsOverRest() throws Exception {
        List<String> undeployed = new ArrayList<>();
        ScriptManager manager = proxy(ScriptManager.class, (name, args) -> {
            if (name.equals("undeploy")) {
                undeployed.add((String) args[0]);
                return true;
            }
            throw new UnsupportedOperationException(name);
        });
        Path dir = tmp.newFolder("deploy").toPath();
        Files.writeString(dir.resolve("ramp.lua"), "return 1");   // a stray copy of the bundle's script's name
        ScriptFolder folder = proxy(ScriptFolder.class, (name, args) -> {
            if (name.equals("remove")) {
                throw new ScriptException(ScriptError.of(ErrorKind.REFUSED, "script 'ramp' comes from bundle:example, "
                        + "not from the deploy folder; remove it there (a bundle: stop or uninstall it)"));
            }
            if (name.equals("path")) {
                return dir;
            }
            throw new UnsupportedOperationException(name);
        });
        MetadataCodec codec = proxy(MetadataCodec.class, (name, args) -> {
            throw new UnsupportedOperationException(name);
        });
        GatewayRequests requests = new GatewayRequests(manager, verifier,
                new PackageLedger(tmp.getRoot().toPath().resolve("l.json"), Set.of("line1")), new PackageInstaller(manager, folder, codec),
                PackageCodec.JSON.createObjectNode(), () -> { });
        ObjectNode answer = requests.handle("undeploy", PackageCodec.JSON.readTree("{\"script\":\"ramp\"}"))
                .toCompletableFuture().get();
        assertEquals(answer.toString(), "REFUSED", answer.path("code").asText());
        assertTrue(answer.toString(), answer.path("message").asText().contains("comes from bundle:example"));
        assertEquals("the bundle's script stays live", List.of(), undeployed);
        assertTrue("and nothing of the folder was touched behind the deployer", Files.exists(dir.resolve("ramp.lua")));
    }

    // ---- Q19: an unauthenticated envelope is read without building the tree its sender chose ----

    @Test
    public void envelopesAreReadFlatAndNestedValuesRefusedAtOnce() {
        ObjectNode o = PackageCodec.flatObject(utf8("{\"signer\":\"ops\",\"signature\":\"AA==\",\"body\":\"e30=\",\"n\":3,\"b\":true}"));
        assertEquals("ops", o.path("signer").asText());
        assertEquals(3, o.path("n").asInt());
        StringBuilder big = new StringBuilder("{\"signer\":\"ops\",\"body\":[");
        for (int i = 0; i < 100_000; i++) {
            big.append("{},");
        }
        big.append("{}]}");
        for (String bad : List.of(big.toString(), "{\"a\":{\"b\":1}}", "[1]", "{\"a\":1} {\"b\":2}", "{\"a\":", "")) {
            try {
                PackageCodec.flatObject(utf8(bad));
                fail("read: " + bad.substring(0, Math.min(40, bad.length())));
            } catch (IllegalArgumentException e) {
                assertFalse(e.getMessage(), e.getMessage().contains("Exception") || e.getMessage().contains("Source"));
            }
        }
    }

    @Test
    public void theControllerReadsNoStateStatusOrAnswerBeyondItsBounds() {
        ControllerLink link = new ControllerLink(BrokerSettings.plain("127.0.0.1", 1), "plant", "ctl");
        try {
            String pad = "x".repeat(ControllerLink.MAX_STATE_BYTES);
            link.state(FleetMessage.of("scriptbox/plant/gw9/state", "{\"state\":\"online\",\"pad\":\"" + pad + "\"}", true));
            assertEquals(List.of(), link.gateways());
        } finally {
            link.close();
        }
    }

    // ---- Q15: a package whose APPLIED record the data area refuses (a full disk) does not stay live ----

    @Test
    public void aPackageThatCannotBeRecordedAsAppliedIsPutBack() throws Exception {
        List<String> calls = new ArrayList<>();
        ScriptManager manager = proxy(ScriptManager.class, (name, args) -> {
            switch (name) {
                case "definition":
                    return java.util.Optional.empty();   // the package adds the script
                case "validate":
                    return List.of();
                default:
                    throw new UnsupportedOperationException(name);
            }
        });
        Path ledgerFile = tmp.getRoot().toPath().resolve("ledger/fleet-ledger.json");
        ScriptFolder folder = proxy(ScriptFolder.class, (name, args) -> {
            calls.add(name);
            if (name.equals("install")) {
                // from now on the ledger cannot be replaced: its temporary's place is taken (as a full disk refuses it)
                Files.createDirectories(ledgerFile.resolveSibling("fleet-ledger.json.tmp").resolve("blocked"));
                return null;
            }
            if (name.equals("remove")) {
                return true;
            }
            throw new UnsupportedOperationException(name);
        });
        MetadataCodec codec = proxy(MetadataCodec.class, (name, args) -> {
            throw new UnsupportedOperationException(name);
        });
        GatewayRequests requests = new GatewayRequests(manager, verifier, new PackageLedger(ledgerFile, Set.of("line1")),
                new PackageInstaller(manager, folder, codec), PackageCodec.JSON.createObjectNode(), () -> { });
        FleetPackage p = new FleetPackage("plant", "line1", 3, List.of(new PackageScript("blink", "return 1", null)),
                null, Instant.now());
        String envelope = PackageCodec.envelope(PackageSigner.sign(p, "ops", ops.getPrivate()));
        ObjectNode answer = requests.handle("deploy", PackageCodec.JSON.readTree(envelope)).toCompletableFuture().get();
        assertEquals(answer.toString(), "IO", answer.path("code").asText());
        assertTrue(answer.toString(), answer.path("message").asText().endsWith("; its scripts were put back"));
        assertEquals("installed, then put back (removed: the package had added it)", List.of("install", "remove"), calls);
        assertEquals(State.APPLYING, new PackageLedger(ledgerFile, Set.of("line1")).last("line1").state());
    }

    interface Answer {
        Object call(String method, Object[] args) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return m.getName().equals("toString") ? type.getSimpleName() : m.getName().equals("hashCode") ? 0 : p == args[0];
            }
            return answer.call(m.getName(), args == null ? new Object[0] : args);
        });
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
