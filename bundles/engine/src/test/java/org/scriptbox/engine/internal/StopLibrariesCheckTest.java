package org.scriptbox.engine.internal;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Unknown names in {@code on.stop.libraries} are named with the .cfg file's line and column (they were accepted silently). */
public class StopLibrariesCheckTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void anUnknownNameIsWarnedAtItsLineAndColumn() throws Exception {
        Path cfg = tmp.newFile("org.scriptbox.engine.cfg").toPath();
        Files.writeString(cfg, "# the engine\ncompile = adaptive\non.stop.libraries = devices, devics,io\n");
        Map<String, Object> p = Map.of("on.stop.libraries", "devices, devics,io", "felix.fileinstall.filename", cfg.toUri().toString());
        assertEquals(List.of(
                "org.scriptbox.engine.cfg:3:30: on.stop.libraries names 'devics', which no installed library provides"
                        + " (installed: devices, ittest): an on_stop hook cannot call its functions",
                "org.scriptbox.engine.cfg:3:37: on.stop.libraries names 'io', which no installed library provides"
                        + " (installed: devices, ittest): an on_stop hook cannot call its functions"),
                StopLibrariesCheck.warnings(p, List.of("ittest", "devices")));
    }

    @Test
    public void knownNamesAndTheDefaultSayNothing() {
        assertEquals(List.of(), StopLibrariesCheck.warnings(Map.of("on.stop.libraries", new String[] {"devices"}), List.of("devices")));
        assertEquals(List.of(), StopLibrariesCheck.warnings(Map.of(), List.of()));
    }

    @Test
    public void withoutAFileThePidIsNamed() {
        assertEquals(List.of("org.scriptbox.engine: on.stop.libraries names 'io', which no installed library provides"
                        + " (installed: none): an on_stop hook cannot call its functions"),
                StopLibrariesCheck.warnings(Map.of("on.stop.libraries", "io"), List.of()));
    }
}
