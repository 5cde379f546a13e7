package org.scriptbox.deployer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Session-4 red team, F4 re-attack (/work/coord/FINDINGS.md): the deploy folder as a read-only mount of a folder
 * others write (Docker {@code -v /srv/scripts:/deploy:ro}, a read-only NFS export). Files there cannot be opened
 * read-write, so NonBlockingOpen opens them read-only on a helper thread with a bound; a pipe swapped in makes one
 * such open hang for ever (the pipe is renamed away, no writer can come), and from then on every read-only open
 * is refused: a file dropped after the attack is never deployed. Needs root (bind mount); skipped otherwise.
 */
public class RedTeamReadOnlyMountTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private Path view;

    private static int run(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }

    @After
    public void unmount() throws Exception {
        if (view != null) {
            // lazy: the open the attack left hanging keeps the mount busy, and a plain umount failed (EBUSY), leaving one
            // bind mount per run behind (33 found in session 6)
            run("umount", "-l", view.toString());
        }
    }

    @Test(timeout = 120_000)
    public void aPipeSwappedInOnAReadOnlyMountDoesNotStopLaterDeploys() throws Exception {
        Path source = tmp.newFolder("source").toPath();
        view = tmp.newFolder("deploy").toPath();
        assumeTrue("root can bind-mount", run("mount", "--bind", source.toString(), view.toString()) == 0);
        assumeTrue(run("mount", "-o", "remount,ro,bind", view.toString()) == 0);
        DeployFolder folder = new DeployFolder(view, BoundedText.MAX_BYTES);
        Path swap = tmp.newFile("swap.py").toPath();
        Files.writeString(swap, String.join("\n",
                "import os, sys, time",
                "d, seconds = sys.argv[1], float(sys.argv[2])",
                "tgt, f, g = d + '/race.lua', d + '/.pipe', d + '/.file'",
                "end = time.time() + seconds",
                "while time.time() < end:",
                "    os.mkfifo(f); os.rename(f, tgt)",
                "    with open(g, 'w') as h: h.write('return 1\\n')",
                "    os.rename(g, tgt)",
                ""));
        Process writer = new ProcessBuilder("python3", swap.toString(), source.toString(), "10").redirectErrorStream(true).start();
        int reads = 0;
        while (writer.isAlive()) {
            folder.observe("race.lua");
            reads++;
        }
        System.out.println("reads during the swaps: " + reads + ", stuck opens: " + NonBlockingOpen.STUCK.get());
        Files.writeString(source.resolve("later.lua"), "return 'later'");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        FileState s = folder.observe("later.lua");
        while (s.kind() != FileState.Kind.TEXT && System.nanoTime() < end) {
            Thread.sleep(100);
            s = folder.observe("later.lua");
        }
        assertEquals("a file dropped after the attack: " + s.problem(), FileState.Kind.TEXT, s.kind());
    }
}
