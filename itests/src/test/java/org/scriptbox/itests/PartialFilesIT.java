package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptListener;
import org.scriptbox.api.ScriptManager;
import org.scriptbox.api.ScriptStatus;

/**
 * Issue 13.1 and 13.6 in the real container: a separate writer process (python3,
 * bundles/deployer/src/test/resources/writers/writer.py) rewrites a live script in place, truncating,
 * in chunks with pauses, and as a storm of 1,000 edits; a listener records the source of every version
 * that goes live. Every prefix of a version at a line boundary compiles, so any partial that got through
 * would be recorded. Also: a directory named x.lua and a looping link present at start-up leave no entry.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PartialFilesIT {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private ScriptManager manager;

    private final List<String> live = new CopyOnWriteArrayList<>();
    /** Every complete version written so far, by every check. */
    private final List<String> complete = new ArrayList<>();
    private ServiceRegistration<ScriptListener> registration;

    @Configuration
    public Option[] config() throws Exception {
        Path deploy = Distribution.freshFolder("deploy");
        // present before the container starts
        Files.createDirectory(deploy.resolve("dir.lua"));
        Files.createSymbolicLink(deploy.resolve("loop.lua"), deploy.resolve("loop.lua"));
        return new Option[] {Distribution.container(Distribution.etcWatchingDeployFolder(), deploy, Distribution.freshFolder("data"))};
    }

    @Before
    public void listen() {
        // events are fired on the deploying thread right after the swap: the definition is that version
        registration = context.registerService(ScriptListener.class, event -> {
            if (event.script().name().equals("motor")
                    && (event.type() == ScriptEvent.Type.DEPLOYED || event.type() == ScriptEvent.Type.UPDATED)) {
                manager.definition("motor").ifPresent(d -> live.add(d.source()));
            }
        }, null);
    }

    @After
    public void stop() {
        registration.unregister();
    }

    private Path folder() {
        return ScriptDeployIT.deployFolder(context);
    }

    static String version(int k, int lines) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            b.append("mark(").append(k).append(", ").append(i).append(")\n");
        }
        return b.append("return \"done ").append(k).append("\"\n").toString();
    }

    private void write(String mode, int first, int last, int lines) throws Exception {
        Path writer = Distribution.runtimeHome().resolveSibling("bundles/deployer/src/test/resources/writers/writer.py");
        Process p = new ProcessBuilder("python3", writer.toString(), mode, folder().resolve("motor.lua").toString(),
                String.valueOf(first), String.valueOf(last), String.valueOf(lines)).redirectErrorStream(true).start();
        assertTrue(mode + " writer did not finish", p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(new String(p.getInputStream().readAllBytes()), 0, p.exitValue());
    }

    private void check(String mode, int first, int last, int lines) throws Exception {
        for (int k = first; k <= last; k++) {
            complete.add(version(k, lines));
        }
        write(mode, first, last, lines);
        String last_ = version(last, lines);
        Await.until("version " + last + " live after " + mode, BOUND, () -> manager.definition("motor").map(d -> d.source()).orElse(""),
                s -> s.equals(last_));
        for (String source : live) {
            assertTrue(mode + ": a partial went live: ..." + source.substring(Math.max(0, source.length() - 30)), complete.contains(source));
        }
    }

    @Test
    public void inPlaceTruncatingAndStormingWritersNeverMakeAPartialLive() throws Exception {
        check("slow", 1, 1, 60);
        check("inplace", 2, 4, 60);
        check("truncate", 5, 6, 60);
        check("rename", 7, 8, 60);
        check("storm", 9, 1000, 30);
        assertTrue("a storm deploys a few versions, not a thousand: " + live.size(), live.size() < 30);
    }

    @Test
    public void aDirectoryAndALoopingLinkAtStartUpLeaveNoGhost() throws Exception {
        ScriptDeployIT.write(folder().resolve("marker.lua"), "return 1\n");
        ScriptDeployIT.awaitStatus(manager, "marker", ScriptStatus.COMPILED);   // the start-up listing is done
        assertTrue(manager.get("dir").isEmpty());
        Await.until("the loop reported", BOUND, () -> manager.get("loop"), i -> i.isPresent() && i.get().lastError() != null);
        assertEquals("loop.lua is a symbolic link that loops; it cannot be read", manager.get("loop").get().lastError().message());
        Files.delete(folder().resolve("loop.lua"));
        Files.delete(folder().resolve("dir.lua"));
        Await.until("no ghost of the loop", BOUND, () -> manager.get("loop").isEmpty());
        assertTrue(manager.get("dir").isEmpty());
    }
}
