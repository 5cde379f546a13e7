package org.scriptbox.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The distribution started as the README starts it ({@code bin/scriptbox --no-console}), from a home of its own:
 * the runtime's launcher, conf and etc copied (etc with a free HTTP port and known users), the built distribution
 * linked, fresh deploy and data folders. Stopped with SIGTERM.
 */
final class Distribution implements AutoCloseable {
    private static final Duration START_BOUND = Duration.ofSeconds(60);

    final Path home;
    final Path deploy;
    final int port;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private Distribution(Path home, Path deploy, int port, Process process) {
        this.home = home;
        this.deploy = deploy;
        this.port = port;
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "scriptbox-output");
        reader.setDaemon(true);
        reader.start();
    }

    static Path runtime() {
        return Paths.get(System.getProperty("scriptbox.runtime", "../runtime")).toAbsolutePath().normalize();
    }

    /** Starts a container whose console has these users (name → role; every password is {@code password}). */
    static Distribution start(Path work, String password, String... usersAndRoles) throws Exception {
        Path runtime = runtime();
        Path dist = runtime.resolve("target/scriptbox");
        if (!Files.isRegularFile(dist.resolve("bin/felix.jar"))) {
            throw new IllegalStateException("the distribution is not built: " + dist);
        }
        Path home = Files.createDirectories(work.resolve("home"));
        copyTree(runtime.resolve("bin"), home.resolve("bin"));
        copyTree(runtime.resolve("conf"), home.resolve("conf"));
        copyTree(runtime.resolve("etc"), home.resolve("etc"));
        Files.createDirectories(home.resolve("target"));
        Files.createSymbolicLink(home.resolve("target/scriptbox"), dist);
        home.resolve("bin/scriptbox").toFile().setExecutable(true);
        int port = freePort();
        Files.writeString(home.resolve("etc/org.apache.felix.http.cfg"), "org.apache.felix.http.host = 127.0.0.1\n"
                + "org.osgi.service.http.port = " + port + "\norg.apache.felix.http.enable = true\n"
                + "org.apache.felix.https.enable = false\norg.apache.felix.http.jetty.sendServerHeader = false\n");
        StringBuilder users = new StringBuilder();
        for (int i = 0; i + 1 < usersAndRoles.length; i += 2) {
            users.append(usersAndRoles[i]).append(".role = ").append(usersAndRoles[i + 1]).append('\n');
            users.append(usersAndRoles[i]).append(".password = ").append(hash(password)).append('\n');
        }
        Files.writeString(home.resolve("etc/org.scriptbox.rest.users.cfg"), users.toString());
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Path data = Files.createDirectories(work.resolve("data"));
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/scriptbox").toString(), "--no-console",
                "--deploy", deploy.toString(), "--data", data.toString()).redirectErrorStream(true);
        pb.environment().remove("SCRIPTBOX_JAVA_OPTS");
        Distribution d = new Distribution(home, deploy, port, pb.start());
        try {
            d.awaitReady();
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
        return d;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    List<String> output() {
        return List.copyOf(output);
    }

    /** The ready line, then the console answering: both bounded. */
    private void awaitReady() throws Exception {
        long end = System.nanoTime() + START_BOUND.toNanos();
        while (output.stream().noneMatch(l -> l.contains("scriptbox ready"))) {
            if (!process.isAlive()) {
                throw new AssertionError("the container ended before it was ready:\n" + String.join("\n", output));
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no ready line within " + START_BOUND + ":\n" + String.join("\n", output));
            }
            Thread.sleep(50);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url("/console/"))).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the console did not answer on port " + port + " within " + START_BOUND + ":\n"
                        + String.join("\n", output));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The users file's documented form: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}, Base64 (docs/operations.md). */
    private static String hash(String password) throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        int iterations = 210_000;
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        return "pbkdf2-sha256$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
