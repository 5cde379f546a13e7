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
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Entry entry(long version, String digest, State state) {
        return new Entry(version, "ops", digest, Instant.now(), state, List.of("blink"),
                List.of(new Undo("blink", true, "return 0", "name = \"blink\"\nversion = \"1.0.0\"\n")), null);
    }

    @Test
    public void versionsOnlyGoUpAndTheRuleSurvivesARestart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("data/fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file);
        assertTrue(ledger.admit(5, "d5"));
        ledger.record(entry(5, "d5", State.APPLIED));

        PackageLedger again = new PackageLedger(file);   // a restart
        assertFalse("the package in place: nothing to do", again.admit(5, "d5"));
        assertRefused("REPLAY", again, 5, "other");
        assertRefused("DOWNGRADE", again, 4, "d4");
        assertTrue(again.admit(6, "d6"));
        assertEquals("return 0", again.last().undo().get(0).lua());
        assertEquals("ops", again.last().signer());
    }

    @Test
    public void aRolledBackOrFailedVersionCannotBeSentAgain() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"));
        ledger.record(entry(7, "d7", State.APPLIED));
        ledger.record(ledger.last().with(State.ROLLED_BACK, "canary failed"));
        assertRefused("REPLAY", ledger, 7, "d7");
        ledger.record(entry(8, "d8", State.FAILED));
        assertRefused("REPLAY", ledger, 8, "d8");
        assertEquals(2, ledger.entries().size());
    }

    @Test
    public void anInterruptedApplyMayBeFinishedWithTheSameContent() throws Exception {
        PackageLedger ledger = new PackageLedger(tmp.getRoot().toPath().resolve("l.json"));
        ledger.record(entry(2, "d2", State.APPLYING));
        assertTrue(ledger.admit(2, "d2"));
        assertRefused("REPLAY", ledger, 2, "x");
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("l.json.tmp")));
    }

    private static void assertRefused(String code, PackageLedger ledger, long version, String digest) {
        try {
            ledger.admit(version, digest);
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
            new PackageLedger(file);
            fail("a damaged ledger must not read as empty (every version would pass)");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("is damaged; move it away to start a new ledger (then any version is accepted)"));
        }
    }
}
