package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.scriptbox.manager.internal.TomlMetadataCodec;

/**
 * Real writer processes (python3, see writers/writer.py) write into a folder watched by the real watcher
 * thread: slowly, with pauses, in place, truncating first, through a temp file and a rename, and as an
 * edit storm of 1,000 rewrites. Every prefix of a version at a line boundary is valid Lua, so the only
 * thing that keeps partials out is the quiet period: every source that ever goes live must be a complete
 * version, and the last one written must be live at the end.
 */
public class PartialWritesTest {
    /** Twenty times the writer's longest pause (60 ms), so a slow machine does not make a pause look like the end. */
    private static final long QUIET_MS = 1200;
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private RecordingManager manager;
    private ScriptFileInstaller installer;
    private Path folder;
    private Path writer;

    @Before
    public void setUp() throws Exception {
        folder = tmp.newFolder("deploy").toPath();
        writer = tmp.getRoot().toPath().resolve("writer.py");
        try (InputStream in = getClass().getResourceAsStream("/writers/writer.py")) {
            Files.copy(in, writer, StandardCopyOption.REPLACE_EXISTING);
        }
        manager = new RecordingManager();
        installer = new ScriptFileInstaller(manager, new TomlMetadataCodec(), new DeploySettings(folder, QUIET_MS, 20, 10_000), true);
    }

    @After
    public void tearDown() {
        installer.deactivate();
    }

    static String version(int k, int lines) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            b.append("mark(").append(k).append(", ").append(i).append(")\n");
        }
        return b.append("return \"done ").append(k).append("\"\n").toString();
    }

    private void write(String mode, int first, int last, int lines) throws Exception {
        Process p = new ProcessBuilder("python3", writer.toString(), mode, folder.resolve("motor.lua").toString(),
                String.valueOf(first), String.valueOf(last), String.valueOf(lines)).redirectErrorStream(true).start();
        assertTrue(mode + " writer did not finish", p.waitFor(120, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(mode + " writer failed: " + out, 0, p.exitValue());
    }

    private static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(10);   // polling a condition with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** Writes versions first..last with the given mode and checks that only complete versions went live. */
    private void check(String mode, int first, int last, int lines) throws Exception {
        List<String> complete = new ArrayList<>();
        for (int k = 1; k <= last; k++) {
            complete.add(version(k, lines));
        }
        write(mode, first, last, lines);
        String finalVersion = version(last, lines);
        await("the last version of " + mode + " to go live", 30, () -> {
            var live = manager.live.get("motor");
            return live != null && live.source().equals(finalVersion);
        });
        for (String source : manager.deployedSources) {
            if (!complete.contains(source)) {
                fail(mode + ": a partial file went live (" + source.length() + " chars): ..."
                        + source.substring(Math.max(0, source.length() - 40)));
            }
        }
        assertTrue(manager.errors.toString(), manager.errors.isEmpty());
    }

    @Test
    public void aNewFileWrittenSlowlyGoesLiveOnlyWhenComplete() throws Exception {
        check("slow", 1, 1, 60);
    }

    @Test
    public void inPlaceRewritesOfAKnownFileNeverGoLiveHalfWritten() throws Exception {
        check("slow", 1, 1, 60);
        check("inplace", 2, 4, 60);
    }

    @Test
    public void truncateThenWriteNeverMakesTheEmptyFileLive() throws Exception {
        check("slow", 1, 1, 40);
        check("truncate", 2, 3, 40);
    }

    @Test
    public void tempAndRenameGoesLiveWhole() throws Exception {
        check("rename", 1, 3, 40);
    }

    @Test
    public void anEditStormOfAThousandRewritesEndsWithTheLastVersionAndNoPartial() throws Exception {
        check("storm", 1, 1000, 30);
        assertTrue("a storm deploys a few versions, not a thousand: " + manager.deployedSources.size(),
                manager.deployedSources.size() < 20);
    }
}
