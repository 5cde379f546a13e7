package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.fleet.internal.PackageLedger.Entry;
import org.scriptbox.fleet.internal.PackageLedger.State;
import org.scriptbox.fleet.internal.PackageLedger.Undo;

public class PackageLedgerTest {
    private static final List<String> LINE1 = List.of("line1");
    private static final List<String> BOTH = List.of("line1", "building-b");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Entry entry(long version, String digest, State state) {
        return entry("line1", version, digest, state, "blink");
    }

    private static Entry entry(String group, long version, String digest, State state, String script) {
        return new Entry(group, version, "ops", digest, Instant.now(), state, List.of(script),
                List.of(new Undo(script, true, "return 0", "name = \"blink\"\nversion = \"1.0.0\"\n")), null);
    }

    @Test
    public void versionsOnlyGoUpAndTheRuleSurvivesARestart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("data/fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file, LINE1);
        assertTrue(ledger.admit("line1", 5, "d5"));
        ledger.record(entry(5, "d5", State.APPLIED));

        PackageLedger again = new PackageLedger(file, LINE1);   // a restart
        assertFalse("the package in place: nothing to do", again.admit("line1", 5, "d5"));
        assertRefused("REPLAY", again, 5, "other");
        assertRefused("DOWNGRADE", again, 4, "d4");
        assertTrue(again.admit("line1", 6, "d6"));
        assertEquals("return 0", again.last("line1").undo().get(0).lua());
        assertEquals("ops", again.last("line1").signer());
    }

    @Test
    public void aRolledBackOrFailedVersionCannotBeSentAgain() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"), LINE1);
        ledger.record(entry(7, "d7", State.APPLIED));
        ledger.record(ledger.last("line1").with(State.ROLLED_BACK, "canary failed"));
        assertRefused("REPLAY", ledger, 7, "d7");
        ledger.record(entry(8, "d8", State.FAILED));
        assertRefused("REPLAY", ledger, 8, "d8");
        assertEquals(2, ledger.entries().size());
    }

    @Test
    public void anInterruptedApplyMayBeFinishedWithTheSameContent() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"), LINE1);
        ledger.record(entry(2, "d2", State.APPLYING));
        assertTrue(ledger.admit("line1", 2, "d2"));
        assertRefused("REPLAY", ledger, 2, "x");
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("l.json.tmp")));
    }

    private static void assertRefused(String code, PackageLedger ledger, long version, String digest) {
        try {
            ledger.admit("line1", version, digest);
            fail("admitted " + version);
        } catch (Refusal r) {
            assertEquals(r.getMessage(), code, r.code());
        }
    }

    @Test
    public void aDamagedLedgerFailsClosed() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("l.json");
        Files.writeString(file, "{\"packages\":[{\"version\":3,\"at\":\"yesterday\",\"state\":\"APPLIED\"}]}");
        try {
            new PackageLedger(file, LINE1);
            fail("a damaged ledger must not read as empty (every version would pass)");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("is damaged; move it away to start a new ledger (then any version is accepted)"));
        }
    }

    @Test
    public void aDamagedLedgerOfTheNewFormatFailsClosedToo() throws Exception {
        for (String text : List.of("{\"format\":2,\"packages\":[]}",
                "{\"format\":2,\"packages\":[{\"version\":3,\"at\":\"2026-12-01T00:00:00Z\",\"state\":\"APPLIED\"}]}",
                "{\"format\":2,\"packages\":[{\"group\":\"a/b\",\"version\":3,\"at\":\"2026-12-01T00:00:00Z\",\"state\":\"APPLIED\"}]}",
                "{\"format\":3,\"packages\":[{\"group\":\"line1\",\"version\":3,\"at\":\"2026-12-01T00:00:00Z\",\"state\":\"APPLIED\"}]}")) {
            Path file = tmp.newFolder().toPath().resolve("l.json");
            Files.writeString(file, text);
            try {
                new PackageLedger(file, BOTH);
                fail("read as a ledger: " + text);
            } catch (java.io.IOException e) {
                assertTrue(e.getMessage(), e.getMessage().endsWith("is damaged; move it away to start a new ledger (then any version is accepted)"));
            }
        }
    }

    /** Q31: building-b's v30 says nothing about line1's v8; each group's rule holds on its own, kept per group. */
    @Test
    public void versionsAndKeptEntriesArePerGroup() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("l.json");
        PackageLedger ledger = new PackageLedger(file, BOTH);
        ledger.record(entry("building-b", 30, "b30", State.APPLIED, "hvac"));
        assertTrue(ledger.admit("line1", 8, "l8"));
        ledger.record(entry("line1", 8, "l8", State.APPLIED, "blink"));
        for (int v = 31; v < 31 + PackageLedger.KEPT + 5; v++) {   // many newer packages of the other group
            ledger.record(entry("building-b", v, "b" + v, State.APPLIED, "hvac"));
        }
        PackageLedger again = new PackageLedger(file, BOTH);
        assertEquals("line1's entry is not pushed out by building-b's", 8, again.last("line1").version());
        assertEquals(PackageLedger.KEPT + 1, again.entries().size());
        assertFalse(again.admit("line1", 8, "l8"));
        assertRefusedIn("DOWNGRADE", again, "building-b", 40);
        assertRefusedIn("REPLAY", again, "line1", 8);
        assertTrue(again.admit("line1", 9, "l9"));
        assertEquals(java.util.Set.of("line1", "building-b"), again.current().keySet());
        assertEquals(8, again.current().get("line1").version());
        // the rollback's entry: named by group; without one, only where the version is one group's newest
        assertEquals("line1", again.rollbackTarget("line1", 8).group());
        assertEquals("line1", again.rollbackTarget(null, 8).group());
        assertRefusal("NOT_CURRENT", () -> again.rollbackTarget("building-b", 8));
        assertRefusal("NOT_CURRENT", () -> again.rollbackTarget("line2", 8));
    }

    @Test
    public void aRollbackWithoutAGroupIsRefusedWhenTwoGroupsHaveThatVersion() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"), BOTH);
        ledger.record(entry("building-b", 3, "b3", State.APPLIED, "hvac"));
        ledger.record(entry("line1", 3, "l3", State.APPLIED, "blink"));
        assertRefusal("AMBIGUOUS", () -> ledger.rollbackTarget(null, 3));
        assertEquals("building-b", ledger.rollbackTarget("building-b", 3).group());
    }

    /** Which group's package holds a script in place: the one a package of another group may not replace. */
    @Test
    public void aScriptIsHeldByTheGroupWhosePackageIsInPlace() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"), BOTH);
        ledger.record(entry("line1", 8, "l8", State.APPLIED, "blink"));
        assertEquals(8, ledger.holder("blink", "building-b").version());
        assertEquals("group line1's package 8", ledger.holder("blink", "building-b").label());
        assertEquals("its own group's package", null, ledger.holder("blink", "line1"));
        assertEquals(null, ledger.holder("hvac", "building-b"));
        ledger.record(ledger.last("line1").with(State.ROLLED_BACK, "halted"));
        assertEquals("rolled back: no longer line1's", null, ledger.holder("blink", "building-b"));
    }

    /** A ledger of before per-group versions (no format): of the gateway's one group, or a floor for all. */
    @Test
    public void aLedgerOfTheOldFormatIsReadAndWrittenAgainPerGroup() throws Exception {
        String old = "{\"packages\":[{\"version\":30,\"signer\":\"ops\",\"digest\":\"d30\",\"at\":\"2026-12-01T10:00:00Z\","
                + "\"state\":\"APPLIED\",\"reason\":\"\",\"scripts\":[\"hvac\"],\"undo\":[{\"name\":\"hvac\",\"existed\":false,"
                + "\"lua\":null,\"toml\":null}]},{\"version\":29,\"signer\":\"ops\",\"digest\":\"d29\","
                + "\"at\":\"2026-12-01T09:00:00Z\",\"state\":\"ROLLED_BACK\",\"reason\":\"halted\",\"scripts\":[\"hvac\"],\"undo\":[]}]}";
        Path one = tmp.newFolder().toPath().resolve("fleet-ledger.json");
        Files.writeString(one, old);
        PackageLedger ledger = new PackageLedger(one, List.of("building-b"));
        assertEquals(30, ledger.last("building-b").version());
        assertEquals(2, ledger.entries().size());
        assertTrue("written again in the new format", Files.readString(one).startsWith("{\"format\":2,"));
        PackageLedger again = new PackageLedger(one, BOTH);   // the gateway joined line1 since: its ledger stays as migrated
        assertRefusedIn("REPLAY", again, "building-b", 30);
        assertTrue("line1 has no package here yet", again.admit("line1", 8, "l8"));
        assertEquals("group building-b's package 30", again.holder("hvac", "line1").label());

        // on a gateway of several groups nobody can tell whose they were: their newest version is a floor for each group
        Path several = tmp.newFolder().toPath().resolve("fleet-ledger.json");
        Files.writeString(several, old);
        PackageLedger legacy = new PackageLedger(several, BOTH);
        assertRefusedIn("DOWNGRADE", legacy, "line1", 30);
        assertRefusedIn("DOWNGRADE", legacy, "building-b", 12);
        assertTrue(legacy.admit("line1", 31, "l31"));
        assertEquals("the legacy package is rolled back by the group that asks", 30, legacy.rollbackTarget("line1", 30).version());
        assertEquals(null, legacy.holder("hvac", "line1"));   // of no group: the first group's package naming it takes it
        legacy.record(entry("line1", 31, "l31", State.APPLIED, "blink"));
        PackageLedger legacyAgain = new PackageLedger(several, BOTH);
        assertTrue(legacyAgain.admit("line1", 32, "l32"));
        assertRefusedIn("DOWNGRADE", legacyAgain, "building-b", 30);
        assertTrue(legacyAgain.admit("building-b", 31, "b31"));
        assertEquals(java.util.Set.of(PackageLedger.LEGACY, "line1"), legacyAgain.current().keySet());
    }

    private static void assertRefusedIn(String code, PackageLedger ledger, String group, long version) {
        assertRefusal(code, () -> ledger.admit(group, version, "other-" + version));
    }

    private static void assertRefusal(String code, Runnable r) {
        try {
            r.run();
            fail("not refused: " + code);
        } catch (Refusal e) {
            assertEquals(e.getMessage(), code, e.code());
            assertFalse(e.getMessage(), e.getMessage().contains("Exception"));
        }
    }

    /** Q39: an apply the gateway's stop interrupted is found at start; once put back, the same package is taken again. */
    @Test
    public void anInterruptedApplyIsFoundAtStartAndTheSamePackageIsTakenWholeAgain() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("l.json");
        PackageLedger ledger = new PackageLedger(file, BOTH);
        ledger.record(entry("building-b", 3, "b3", State.APPLIED, "hvac"));
        ledger.record(entry("line1", 4, "l4", State.APPLYING, "blink"));   // then SIGKILL
        PackageLedger again = new PackageLedger(file, BOTH);
        assertEquals(List.of("line1"), again.interrupted().stream().map(Entry::group).toList());
        again.record(again.last("line1").with(State.INTERRUPTED, "put back"));
        assertEquals(List.of(), new PackageLedger(file, BOTH).interrupted());
        assertTrue("the same package again: applied whole", again.admit("line1", 4, "l4"));
        assertRefusedIn("REPLAY", again, "line1", 4);
        assertEquals("not in place: holds no script", null, again.holder("blink", "building-b"));
        assertEquals("its undo is kept: the apply again reuses nothing else", 1, again.last("line1").undo().size());
    }

    /** Q42: only a group's newest package can be rolled back, so only its undo is kept. */
    @Test
    public void onlyTheNewestEntryOfAGroupKeepsItsUndo() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("l.json");
        PackageLedger ledger = new PackageLedger(file, BOTH);
        String big = "-- " + "x".repeat(1 << 20) + "\nreturn 1\n";   // a 1 MB script
        for (long v = 1; v <= PackageLedger.KEPT; v++) {
            ledger.record(new Entry("line1", v, "ops", "d" + v, Instant.now(), State.APPLYING, List.of("big"),
                    List.of(new Undo("big", true, big, null)), null));
            ledger.record(ledger.last("line1").with(State.APPLIED, null));
        }
        ledger.record(entry("building-b", 1, "b1", State.APPLIED, "hvac"));
        assertTrue("the ledger after 20 updates of a 1 MB script: " + Files.size(file) + " bytes", Files.size(file) < 3L << 20);
        PackageLedger again = new PackageLedger(file, BOTH);
        assertEquals(big, again.last("line1").undo().get(0).lua());
        assertEquals("another group's newest keeps its own", 1, again.last("building-b").undo().size());
        assertEquals(PackageLedger.KEPT + 1, again.entries().size());
        assertEquals(2, again.entries().stream().filter(e -> !e.undo().isEmpty()).count());
    }
}
