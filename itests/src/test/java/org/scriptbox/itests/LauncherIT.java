package org.scriptbox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

/**
 * Starts the distribution exactly as the README does ({@code runtime/bin/scriptbox}), as a child
 * process in service mode, and checks start-up, the ready line, clean shutdown and launcher errors.
 */
public class LauncherIT {
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final Duration STOP_BOUND = Duration.ofSeconds(20);

    private final List<Process> started = new CopyOnWriteArrayList<>();

    @After
    public void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    public void startsWithReadyLineAndStopsCleanlyOnSigterm() throws Exception {
        Path deploy = Distribution.freshFolder("launch-deploy").resolve("not-yet-there");
        Path data = Distribution.freshFolder("launch-data");
        Output out = launch("--no-console", "--deploy", deploy.toString(), "--data", data.toString());

        String ready = out.await("scriptbox ready", START_BOUND);
        assertTrue(ready, ready.contains("watching " + deploy));
        assertTrue("missing deploy folder is created", Files.isDirectory(deploy));
        assertTrue("log file in the data folder", Files.exists(data.resolve("log/scriptbox.log")));

        // SIGTERM, the service-manager way to stop it (Process.destroy() would also close our end of stdout)
        out.process.toHandle().destroy();
        assertTrue("exits within " + STOP_BOUND, out.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
        out.await("scriptbox stopping", Duration.ofSeconds(5));
    }

    @Test
    public void secondInstanceOnTheSameDataFolderRefusesToStart() throws Exception {
        Path data = Distribution.freshFolder("launch-shared-data");
        Path deploy = Distribution.freshFolder("launch-deploy2");
        Output first = launch("--no-console", "--deploy", deploy.toString(), "--data", data.toString());
        first.await("scriptbox ready", START_BOUND);

        Output second = launch("--no-console", "--deploy", deploy.toString(), "--data", data.toString());
        assertTrue(second.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
        assertEquals(3, second.process.exitValue());
        second.await("another instance is using the data folder", Duration.ofSeconds(5));

        first.process.toHandle().destroy();
        assertTrue(first.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    public void bundleThatCannotResolveIsNamedWithItsMissingRequirementInTheLog() throws Exception {
        Path deploy = Distribution.freshFolder("launch-broken-deploy");
        Path data = Distribution.freshFolder("launch-broken-data");
        writeBundle(deploy.resolve("broken-driver.jar"), "org.example.broken.driver", "org.example.nowhere");
        Output out = launch("--no-console", "--deploy", deploy.toString(), "--data", data.toString());
        out.await("scriptbox ready", START_BOUND);

        Path log = data.resolve("log/scriptbox.log");
        String line = Await.until("the resolution failure in " + log, Duration.ofSeconds(20),
                () -> readLines(log).stream().filter(l -> l.contains("org.example.broken.driver")
                        && l.contains("missing requirement")).findFirst().orElse(null), l -> l != null);
        assertTrue(line, line.contains("org.example.nowhere"));
        out.process.toHandle().destroy();
        assertTrue(out.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
    }

    /**
     * Lines logged as the container starts reach data/log/scriptbox.log, not stdout only: Pax Logging starts first and
     * reads etc/org.ops4j.pax.logging.cfg itself. Before, everything logged until FileInstall handed that file over
     * was lost to the file: Felix HTTP's bind error always (it starts before any etc file arrives, and its stack
     * trace went to the console), the engine's refusal of a bad etc value and its mode line when FileInstall
     * delivered etc/org.scriptbox.engine.cfg first (CI lost the mode line that way).
     */
    @Test
    public void startupLinesReachTheLogFileFromTheFirstLine() throws Exception {
        Path home = runtimeHomeCopy();
        replace(home.resolve("etc/org.scriptbox.engine.cfg"), "compile = adaptive", "compile = fast");
        replace(home.resolve("etc/org.apache.felix.http.cfg"), "org.osgi.service.http.port = 8080", "org.osgi.service.http.port = 0");
        Path data = Distribution.freshFolder("launch-log-data");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // the port Felix HTTP binds before its etc configuration arrives is taken: its error comes at its start
            int port = busy.getLocalPort();
            replace(home.resolve("conf/config.properties"), "org.osgi.service.http.port=8080", "org.osgi.service.http.port=" + port);
            Output out = launch(home, "--no-console", "--deploy", Distribution.freshFolder("launch-log-deploy").toString(),
                    "--data", data.toString());
            out.await("scriptbox ready", START_BOUND);

            Path log = data.resolve("log/scriptbox.log");
            awaitLogLine(log, "configuration org.scriptbox.engine: compile = 'fast' refused");
            awaitLogLine(log, "Lua engine: adaptive mode");
            String bind = awaitLogLine(log, "127.0.0.1:" + port);
            assertTrue(bind, bind.contains(" ERROR ") && bind.contains("org.apache.felix.http"));
            assertTrue("no Java stack trace on the console: " + out.lines,
                    out.lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")));
            assertTrue("SCR's INFO lines stay off the console: " + out.lines,
                    out.lines.stream().noneMatch(l -> l.contains("globalExtender")));
            out.process.toHandle().destroy();
            assertTrue(out.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
        }
    }

    private static String awaitLogLine(Path log, String fragment) {
        return Await.until("a line containing '" + fragment + "' in " + log, Duration.ofSeconds(20),
                () -> readLines(log).stream().filter(l -> l.contains(fragment)).findFirst().orElse(null), l -> l != null);
    }

    /** The launcher with its own conf/ and etc/ (copies to edit) over the built distribution (a link to target/). */
    private static Path runtimeHomeCopy() throws IOException {
        Path home = Distribution.freshFolder("launch-home");
        for (String folder : List.of("bin", "conf", "etc")) {
            Path from = Distribution.runtimeHome().resolve(folder);
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path to = home.resolve(folder).resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
        Files.createSymbolicLink(home.resolve("target"), Distribution.runtimeHome().resolve("target"));
        return home;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(file + " has '" + from + "'", text.contains(from));
        Files.writeString(file, text.replace(from, to));
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A minimal bundle importing a package nobody exports. */
    private static void writeBundle(Path jar, String symbolicName, String missingPackage) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Import-Package", missingPackage);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.flush();
        }
    }

    /**
     * Issue 13.7: a data folder on a file system too small for the bundle cache (a 3 MB tmpfs) ends the
     * launcher at once with the numbers, instead of a container that never prints its ready line.
     */
    @Test
    public void aDataFolderTooSmallForTheCacheIsAClearErrorNotAHang() throws Exception {
        Path small = Distribution.freshFolder("launch-small-data");
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        org.junit.Assume.assumeTrue("needs a small file system (mount tmpfs: root)", mount.waitFor() == 0);
        try {
            Output out = launch("--no-console", "--deploy", Distribution.freshFolder("launch-small-deploy").toString(),
                    "--data", small.toString());
            assertTrue("exits instead of hanging", out.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
            assertEquals(4, out.process.exitValue());
            String line = out.await("the bundle cache needs about", Duration.ofSeconds(5));
            assertTrue(line, line.startsWith("scriptbox: the data folder " + small + " has 3 MB free;")
                    && line.endsWith("MB: free some space there or pass --data DIR"));
            assertTrue("no Java stack trace: " + out.lines, out.lines.stream().noneMatch(l -> l.contains("Exception")));
        } finally {
            new ProcessBuilder("umount", small.toString()).start().waitFor();
        }
    }

    @Test
    public void unknownOptionPrintsUsageAndFails() throws Exception {
        Output out = launch("--frobnicate");
        assertTrue(out.process.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, out.process.exitValue());
        out.await("unknown option: --frobnicate", Duration.ofSeconds(5));
        out.await("usage: runtime/bin/scriptbox", Duration.ofSeconds(5));
    }

    private Output launch(String... args) throws IOException {
        return launch(Distribution.runtimeHome(), args);
    }

    private Output launch(Path home, String... args) throws IOException {
        Path script = home.resolve("bin/scriptbox");
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return new Output(p);
    }

    /** Collects a child's output lines on a reader thread so the test can wait for a line with a bound. */
    private static final class Output {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Output(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "launcher-output");
            reader.setDaemon(true);
            reader.start();
        }

        String await(String fragment, Duration bound) {
            return Await.until("a line containing '" + fragment + "'; output so far: " + lines, bound,
                    () -> lines.stream().filter(l -> l.contains(fragment)).findFirst().orElse(null),
                    l -> l != null);
        }
    }
}
