package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.scriptbox.testsupport.await.Until.until;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.testsupport.mqtt.Mosquitto;
import org.scriptbox.api.fleet.FleetMessage;
import org.scriptbox.api.fleet.FleetTopics;

/**
 * Session 9's attacks on the fleet (FINDINGS.md Q34-...): operator mistakes and broker behaviours a unit test with
 * a real Mosquitto (or no broker at all) can hold. The container-level ones are in itests RedTeamSession9FleetIT.
 */
public class RedTeamSession9FleetTest {
    private static final String FLEET = "plant";
    private static Mosquitto broker;
    private static int port;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Rule
    public final Closer open = new Closer();

    @BeforeClass
    public static void broker() throws Exception {
        if (Mosquitto.installed()) {   // else the broker tests are skipped; the others run
            broker = new Mosquitto(Files.createTempDirectory("redteam9")).start();
            port = broker.port();
        }
    }

    @AfterClass
    public static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static void assumeBroker() {
        Assume.assumeTrue("needs mosquitto", broker != null);
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    // ---- Q34: two gateways with one gateway.id (a cloned SD card) take the session from each other for ever ----

    /**
     * Two processes with one client id ({@code scriptbox-plant-gw1}: a second gateway started from a copied
     * configuration). Mosquitto closes the older connection of a client id without a reason code, so each side sees
     * "Connection lost" right after its connect; both reconnected at the minimum back-off (the back-off was reset at
     * every connect): about 2 connects a second for ever, each with a WARN line, a will and a birth (17 connects in
     * 8 s here before). Now the back-off keeps growing while connections die young, and one line names the likely
     * cause (another client with this client id).
     */
    @Test
    public void twoGatewaysWithOneIdDoNotTakeTheSessionFromEachOtherForEver() throws Exception {
        assumeBroker();
        AtomicInteger connects = new AtomicInteger();
        String id = "scriptbox-" + FLEET + "-gw1";
        BrokerSettings p = BrokerSettings.plain("127.0.0.1", port);
        BrokerSettings settings = new BrokerSettings(p.host(), p.port(), false, "", "", "", "", "", "", p.sessionExpirySeconds(),
                Duration.ofMillis(100), Duration.ofSeconds(3), p.keepAliveSeconds());
        FleetMessage will = FleetMessage.of(FleetTopics.gateway(FLEET, "gw1", FleetTopics.STATE), "{\"state\":\"offline\"}", true);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(tee(err, log), true));
        try {
            for (int i = 0; i < 2; i++) {
                PahoLink l = opened(new PahoLink(settings, id, will, 0));
                l.onConnection(up -> {
                    if (up) {
                        connects.incrementAndGet();
                    }
                });
                l.start();
                until("connected", () -> connects.get() > 0, Duration.ofSeconds(15));
            }
            Thread.sleep(6_000);   // the two settle into their back-off (if they do)
            int before = connects.get();
            Thread.sleep(6_000);
            int late = connects.get() - before;
            // 3 s apart at most on each side: 2 each in 6 s, plus one for the timing; before: about 12
            assertTrue("connects of the two in 6 s after their first 6 s: " + late, late <= 6);
        } finally {
            System.setErr(err);
        }
        String text = log.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text, text.contains("another client may be connecting with this client id scriptbox-plant-gw1"));
        assertTrue("one line names it, not one per loss: " + text, count(text, "another client may be connecting") <= 2);
    }

    /** Both streams get every byte (the test reads the log while it still goes to the console). */
    private static java.io.OutputStream tee(java.io.OutputStream a, java.io.ByteArrayOutputStream b) {
        return new java.io.OutputStream() {
            @Override
            public void write(int c) throws IOException {
                a.write(c);
                synchronized (b) {
                    b.write(c);
                }
            }

            @Override
            public void write(byte[] bytes, int off, int len) throws IOException {
                a.write(bytes, off, len);
                synchronized (b) {
                    b.write(bytes, off, len);
                }
            }
        };
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    // ---- Q35: the controller made a file path of the package's group and took a package of another fleet ----

    /**
     * {@code fleet:deploy pkg.json} with a package someone else signed (a vendor's, a colleague's): the controller
     * reads its group from the body and makes the rollout id, and with it the rollout's file name, of it
     * ({@code rollouts/<group>-v<version>-<time>.json}) without checking it is an id: a group {@code ../../x} wrote the
     * rollout outside the data area (and a restart, which lists {@code rollouts/*.json}, never resumed it). The group is
     * also a log line's and the shell's text. A package of another fleet was rolled out too, for every gateway to refuse
     * (WRONG_FLEET) one stage after the other.
     */
    @Test
    public void aPackageWhoseGroupIsNoIdOrOfAnotherFleetIsRefusedAtDeploy() throws Exception {
        Path data = tmp.newFolder("ctl").toPath();
        FleetController c = opened(FleetController.plain("127.0.0.1", 1, FLEET, "ctl", data, Duration.ofSeconds(1)));
        java.security.KeyPair ops = Ed25519Keys.generate();
        for (String group : List.of("../../escaped", "a/b", "line1\n2026-12-02 fleet: rollout completed", "g".repeat(300), "")) {
            String envelope = envelope(ops, FLEET, group, 1);
            try {
                String id = c.deploy(envelope, List.of("all"), 0);
                fail("group '" + group + "' taken: rollout " + id);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("the package's group '"));
                assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            }
        }
        try (java.util.stream.Stream<Path> files = Files.walk(tmp.getRoot().toPath())) {
            assertEquals("files written for the refused packages", List.of(),
                    files.filter(Files::isRegularFile).map(Path::toString).toList());
        }
        try {
            String id = c.deploy(envelope(ops, "other-plant", "line1", 1), List.of("all"), 0);
            fail("a package of fleet other-plant taken by a controller of fleet plant: rollout " + id);
        } catch (IllegalArgumentException e) {
            assertEquals("the package is for fleet 'other-plant'; this controller manages fleet 'plant'", e.getMessage());
        }
    }

    private static String envelope(java.security.KeyPair key, String fleet, String group, long version) {
        return PackageSigner.envelope(PackageSigner.sign(new org.scriptbox.api.fleet.FleetPackage(fleet, group, version,
                List.of(new org.scriptbox.api.fleet.PackageScript("blink", "return 1", null)), null, java.time.Instant.now()),
                "ops", key.getPrivate()));
    }

    // ---- Q36: fleet:keygen wrote over the key every gateway trusts ----

    /**
     * {@code fleet:keygen /etc/scriptbox/ops.pem} typed again (the doc's own line, or shell history): the private key
     * every gateway of the fleet trusts was replaced by a new one, so no package could be signed for them any more
     * until each gateway's trusted.keys was changed. The file was also written with the umask's permissions and only
     * then made private (readable by others in between), and a --name with '=' or ',' made a trusted.keys entry that
     * no gateway reads.
     */
    @Test
    public void keygenNeverWritesOverAKeyAndNamesOnlyIds() throws Exception {
        FleetControllerComponent shell = new FleetControllerComponent(null, FLEET);
        Path key = tmp.getRoot().toPath().resolve("ops.pem");
        String first = run(shell, "fleet:keygen", key.toString(), "--name", "ops");
        assertTrue(first, first.contains("trusted.keys entry for the gateways:\nops=MC"));
        String pem = Files.readString(key);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String again = run(shell, "fleet:keygen", key.toString(), "--name", "ops");
        assertEquals("the key the gateways trust", pem, Files.readString(key));
        assertTrue(again, again.startsWith("fleet:keygen: " + key + " exists already"));
        for (String name : List.of("ops,evil", "ops=x", "a b", "")) {
            Path other = tmp.getRoot().toPath().resolve("k" + Math.abs(name.hashCode()) + ".pem");
            String answer = run(shell, "fleet:keygen", other.toString(), "--name", name);
            assertTrue(answer, answer.startsWith("fleet:keygen: --name must be an id"));
            assertFalse("no key written for a name no trusted.keys entry can carry", Files.exists(other));
        }
    }

    // ---- Q37: an operator's file mistakes in fleet:keygen, fleet:sign and fleet:deploy were "an internal error" ----

    @Test
    public void fileMistakesInTheCommandsAreOneSentenceNamingTheFile() throws Exception {
        Path work = tmp.newFolder("work").toPath();
        FleetController c = opened(FleetController.plain("127.0.0.1", 1, FLEET, "ctl", tmp.newFolder("ctl").toPath(),
                Duration.ofSeconds(1)));
        FleetControllerComponent shell = new FleetControllerComponent(c, FLEET);
        Path key = work.resolve("ops.pem");
        run(shell, "fleet:keygen", key.toString());
        Path scripts = Files.createDirectories(work.resolve("scripts"));
        Files.writeString(scripts.resolve("blink.lua"), "return 1\n");
        Path badName = Files.createDirectories(work.resolve("bad-name"));
        Files.writeString(badName.resolve("my script.lua"), "return 1\n");
        Path latin1 = Files.createDirectories(work.resolve("latin1"));
        Files.write(latin1.resolve("gruss.lua"), new byte[] {'-', '-', ' ', (byte) 0xfc, '\n'});
        Path notUtf8 = work.resolve("pkg-latin1.json");
        Files.write(notUtf8, new byte[] {'{', (byte) 0xfc, '}'});
        String[][] mistakes = {
            {"fleet:keygen", work.resolve("no-such-folder/ops.pem").toString()},
            {"fleet:sign", "--key", work.resolve("missing.pem").toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                scripts.toString(), work.resolve("p1.json").toString()},
            {"fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                work.resolve("no-such-scripts").toString(), work.resolve("p1.json").toString()},
            {"fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                badName.toString(), work.resolve("p1.json").toString()},
            {"fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                latin1.toString(), work.resolve("p1.json").toString()},
            {"fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                scripts.toString(), work.resolve("no-such-folder/p1.json").toString()},
            {"fleet:sign", "--key", key.toString(), "--signer", "ops,evil", "--group", "line1", "--version", "1",
                scripts.toString(), work.resolve("p1.json").toString()},
            {"fleet:deploy", notUtf8.toString()},
        };
        for (String[] m : mistakes) {
            String answer = run(shell, m);
            assertTrue(String.join(" ", m) + " -> " + answer, answer.startsWith(m[0] + ": ") && answer.contains("; usage: " + m[0])
                    && !answer.contains("internal error") && !answer.contains("Exception") && !answer.contains("\n"));
        }
        String signed = run(shell, "fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "1",
                scripts.toString(), work.resolve("p1.json").toString());
        assertTrue(signed, signed.startsWith("package version 1 for group line1 (1 scripts) signed by ops"));
        String pem = Files.readString(key);
        String overKey = run(shell, "fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "2",
                scripts.toString(), key.toString());
        assertTrue(overKey, overKey.startsWith("fleet:sign: " + key + " exists and is not a package: not written over"));
        assertEquals("the signing key, named as PACKAGE by mistake", pem, Files.readString(key));
        String again = run(shell, "fleet:sign", "--key", key.toString(), "--signer", "ops", "--group", "line1", "--version", "2",
                scripts.toString(), work.resolve("p1.json").toString());
        assertTrue("a package is written over by the next: " + again, again.startsWith("package version 2"));
        Path log = work.resolve("big.log");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 64L << 20);   // a sparse 64 MB file: not read into the heap
        }
        String bigFile = run(shell, "fleet:deploy", log.toString());
        assertTrue(bigFile, bigFile.startsWith("fleet:deploy: " + log + " has 67108865 bytes: not a package"));
        assertEquals("fleet:rollouts: no rollout 'nope' (fleet:rollouts lists them)".substring("fleet:rollouts: ".length()),
                run(shell, "fleet:rollouts", "nope"));
    }

    private static String run(FleetControllerComponent shell, String... words) {
        org.scriptbox.shell.command.ShellCommand command = shell.commands().stream()
                .filter(x -> x.usage().command().equals(words[0])).findFirst().orElseThrow();
        return String.valueOf(command.execute(null, new ArrayList<>(List.of(words).subList(1, words.length))));
    }

    // ---- Q40: a soak's end is a wall-clock time: a clock set far ahead when it was saved made the soak last for years ----

    /**
     * The soak's end is saved as a time (so that a restarted controller finishes the soak rather than starting a new
     * one). A controller whose clock was 100 years ahead when the stage ended (an RTC fault, a bad NTP answer: the
     * case of Q30) saved a soak until 2126; with the clock right again the rollout stayed RUNNING "soaking until 2126",
     * and the group's next rollout was refused while it was. A soak never lasts longer than its own length from now.
     */
    @Test
    public void aSoakSavedUnderAClockFarAheadEndsWithinItsOwnLength() throws Exception {
        Path data = tmp.newFolder("ctl40").toPath();
        java.security.KeyPair ops = Ed25519Keys.generate();
        Instant now = Instant.now();
        Rollout soaking = new Rollout("line1-v1-x", envelope(ops, FLEET, "line1", 1), "line1", 1, null, List.of("1", "all"), 0, 0,
                Rollout.State.RUNNING, java.util.Map.of("gw1", new Rollout.Result("APPLIED", "deployed")), null, now, now,
                1_000, now.plus(Duration.ofDays(36_500)));
        new RolloutStore(data.resolve("rollouts")).save(soaking);
        FleetController c = opened(FleetController.plain("127.0.0.1", 1, FLEET, "ctl", data, Duration.ofSeconds(1)).start());
        // the table wait (no broker here: up to 10 s), then a 1 s soak at most, then the last stage
        until("the soak of 1 s ended (saved until " + soaking.soakUntil() + ")",
                () -> c.rollout(soaking.id()).orElseThrow().state() == Rollout.State.COMPLETED, Duration.ofSeconds(30));
    }

    // ---- Q41: one bad NTP answer for the whole site: gateway and controller both 100 years ahead for a minute ----

    /**
     * Q30 bounded the numbers a gateway takes by its own clock; but a site's gateways and controller usually share one
     * NTP server. If it answers 2126 for a minute, both clocks agree, the controller's requests are within the window
     * and taken, and each gateway's fleet-requests.json now holds a number of 2126: with the clocks right again every
     * request of the controller is REPLAY for a century, and only deleting that file on every gateway ends it. A number
     * that lies beyond the gateway's clock by more than the window came from a clock that went back since; it should
     * hold requests back at most one window, not until the clock reaches it.
     */
    @Test
    public void aSiteWideClockFarAheadDoesNotLockTheGatewaysOutForACentury() throws Exception {
        java.security.KeyPair ctlKey = Ed25519Keys.generate();
        long real = System.currentTimeMillis();
        long ahead = real + Duration.ofDays(36_500).toMillis();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(ahead);
        Path seqFile = tmp.getRoot().toPath().resolve("fleet-requests.json");
        RequestAuth.Signer signer = new RequestAuth.Signer("ctl", ctlKey.getPrivate());
        RequestAuth.Checker gw = new RequestAuth.Checker(java.util.Map.of("ctl", ctlKey.getPublic()), FLEET, "gw1", seqFile,
                Duration.ofMinutes(10), clock::get);
        assertEquals("taken while both clocks said 2126", "taken", signedList(gw, signer, ahead * 1000, "a"));
        clock.set(real);   // NTP right again, on both sides; the gateway restarts (it reads its file again)
        RequestAuth.Checker restarted = new RequestAuth.Checker(java.util.Map.of("ctl", ctlKey.getPublic()), FLEET, "gw1", seqFile,
                Duration.ofMinutes(10), clock::get);
        signedList(restarted, signer, real * 1000, "b");   // refused or taken: at most one window is lost
        long later = real + Duration.ofMinutes(11).toMillis();
        clock.set(later);
        assertEquals("the controller's request 11 minutes later (window 10 minutes)", "taken",
                signedList(restarted, signer, later * 1000, "c"));
    }

    private static String signedList(RequestAuth.Checker gw, RequestAuth.Signer signer, long seq, String corr) {
        String res = FleetTopics.responses(FLEET, "ctl");
        byte[] c = corr.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        FleetMessage m = new FleetMessage(FleetTopics.request(FLEET, "gw1", "list"), signer.wrap(FLEET, "gw1", "list", res, c, seq,
                "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)), false, res, c);
        try {
            gw.check(m, "list");
            return "taken";
        } catch (Refusal r) {
            return r.code() + " " + r.getMessage();
        }
    }

    // ---- Q42: the ledger keeps every kept package's undo (the scripts it replaced), up to 20 x 8 MB ----

    /**
     * Each ledger entry keeps the full text of every script its package replaced, so that a rollback can put them
     * back; but only the newest package can be rolled back ({@code rollback} of N only while N is in place). A group
     * whose package is 4 MB of scripts, updated 20 times: the ledger holds 20 x 4 MB of dead undo text, rewritten (and
     * synced) twice per deploy and read as one JSON tree at every start (a gateway of -Xmx160m: several times the file
     * in heap). Only the newest entry's (per group, with Q31) undo is ever used.
     */
    @Test
    public void theLedgerKeepsOnlyTheUndoARollbackCanStillUse() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file, List.of("line1"));
        String big = "-- " + "x".repeat(1 << 20) + "\nreturn 1\n";   // a 1 MB script
        for (long v = 1; v <= 20; v++) {
            ledger.record(new PackageLedger.Entry("line1", v, "ops", "d" + v, Instant.now(), PackageLedger.State.APPLIED, List.of("big"),
                    List.of(new PackageLedger.Undo("big", true, big, null)), null));
        }
        long size = Files.size(file);
        assertTrue("the ledger after 20 updates of a 1 MB script: " + (size >> 20) + " MB", size < 3L << 20);
    }

    // ---- Q43: the controller's version rule knows only its own rollouts ----

    /**
     * The controller refuses a version not above its own rollouts' (Q-earlier), but it knows nothing else: a controller
     * whose data folder was lost or moved to a new machine, a second controller of the fleet, or (with Q33's retention)
     * old rollouts dropped: {@code fleet:deploy} of version 5 to a group whose gateways report package 9 in place is
     * started, and each stage's canary refuses it DOWNGRADE, halts and rolls back. The gateways' statuses say it before
     * any is asked.
     */
    @Test
    public void aDeployBelowTheVersionTheGroupsGatewaysReportIsRefusedBeforeAnyIsAsked() throws Exception {
        assumeBroker();
        PahoLink gw = opened(new PahoLink(BrokerSettings.plain("127.0.0.1", port), "scriptbox-" + FLEET + "-gw43", null, 0).start());
        until("gw43 connected", gw::connected, Duration.ofSeconds(15));
        gw.publish(FleetMessage.of(FleetTopics.gateway(FLEET, "gw43", FleetTopics.STATE),
                "{\"state\":\"online\",\"gateway\":\"gw43\",\"groups\":[\"line43\"]}", true));
        gw.publish(FleetMessage.of(FleetTopics.gateway(FLEET, "gw43", FleetTopics.STATUS), "{\"gateway\":\"gw43\",\"health\":\"ok\","
                + "\"groups\":[\"line43\"],\"scripts\":[],\"package\":{\"version\":9,\"state\":\"APPLIED\",\"signer\":\"ops\"}}", true));
        FleetController c = opened(FleetController.plain("127.0.0.1", port, FLEET, "ctl43", tmp.newFolder("ctl43").toPath(),
                Duration.ofSeconds(5)).start());
        until("gw43 known with package 9", () -> c.gateways().stream().anyMatch(g -> g.id().equals("gw43") && g.packageVersion("line43") == 9),
                Duration.ofSeconds(10));
        try {
            String id = c.deploy(envelope(Ed25519Keys.generate(), FLEET, "line43", 5), List.of("1", "all"), 0);
            fail("version 5 started (rollout " + id + ") for a group whose gateway gw43 reports package 9 in place");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("gw43") && e.getMessage().contains("9"));
        }
    }

    // ---- Q44: no bound on the number of scripts in a package ----

    /**
     * 8 MB of tiny scripts are tens of thousands; each takes the gateway's one link thread about 10 ms to apply
     * (itests RedTeamSession9FleetIT.d_: 500 in 5 s), so one signed package held every request of the gateway for
     * minutes, and its status (over 1 MB) was never read by the controller again.
     */
    @Test
    public void aPackageOfMoreScriptsThanAGatewayCanTakeInTimeIsRefused() throws Exception {
        java.security.KeyPair ops = Ed25519Keys.generate();
        List<org.scriptbox.api.fleet.PackageScript> scripts = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            scripts.add(new org.scriptbox.api.fleet.PackageScript("s" + i, "return " + i, null));
        }
        org.scriptbox.api.fleet.SignedPackage signed = PackageSigner.sign(new org.scriptbox.api.fleet.FleetPackage(FLEET, "line1", 1,
                scripts, null, Instant.now()), "ops", ops.getPrivate());
        assertTrue("within the 8 MB of a package: " + signed.body().length, signed.body().length < 8 << 20);
        PackageVerifier verifier = new PackageVerifier(java.util.Map.of("ops", ops.getPublic()), FLEET, java.util.Set.of("line1"), 8 << 20);
        try {
            verifier.verify(signed);
            fail("a package of 20,000 scripts taken");
        } catch (Refusal r) {
            assertEquals("BAD_PACKAGE the package has 20000 scripts; at most 1000", r.code() + " " + r.getMessage());
        }
        Path dir = tmp.newFolder("many").toPath();
        for (int i = 0; i < 1_001; i++) {
            Files.writeString(dir.resolve("s" + i + ".lua"), "return 1");
        }
        try {
            PackageFolder.read(dir, FLEET, "line1", 1, null);
            fail("fleet:sign of 1,001 scripts");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("has 1001 scripts; a package holds at most 1000"));
        }
    }

    // ---- helpers ----
}
