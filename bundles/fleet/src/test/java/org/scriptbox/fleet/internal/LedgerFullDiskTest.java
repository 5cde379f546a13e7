package org.scriptbox.fleet.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
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
import org.scriptbox.testsupport.disk.SmallDisk;

/** Q50: a ledger change the disk refused must not stay in memory. */
public class LedgerFullDiskTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    @Rule
    public Closer closer = new Closer();
    private SmallDisk disk;


    private static Entry entry(long version, State state, String lua) {
        return new Entry("line1", version, "ops", "d" + version, Instant.now(), state, List.of("blink"),
                List.of(new Undo("blink", true, lua, "name = \"blink\"\n")), null);
    }

    @Test(timeout = 60_000)
    public void aRefusedWriteLeavesMemoryAsTheDiskHasIt() throws Exception {
        disk = SmallDisk.mount(tmp.newFolder("small").toPath(), "256k");
        assumeTrue("root can mount a tmpfs", disk != null);
        closer.add(disk);
        Path file = disk.root.resolve("fleet-ledger.json");
        PackageLedger ledger = new PackageLedger(file, List.of("line1"));
        ledger.record(entry(5, State.APPLIED, "return 5"));
        Path filler = disk.fill(1024);
        try {
            ledger.record(entry(6, State.APPLYING, "return '" + "x".repeat(40_000) + "'"));
            fail("the full disk took the entry");
        } catch (IOException expected) {
            // the gateway's answer says "cannot record the package in the data area"
        }
        assertEquals("memory still has what the disk has", 5, ledger.last("line1").version());
        assertEquals(1, ledger.entries().size());
        assertEquals(5, ledger.current().get("line1").version());
        assertTrue("version 6 is still new to it", ledger.admit("line1", 6, "d6"));
        assertEquals(5, new PackageLedger(file, List.of("line1")).last("line1").version());
        Files.delete(filler);
        ledger.record(entry(6, State.APPLIED, "return 6"));
        assertEquals(6, new PackageLedger(file, List.of("line1")).last("line1").version());
        assertEquals(List.of(), List.of(Files.list(disk.root).filter(p -> p.toString().endsWith(".tmp")).toArray()));
    }
}
