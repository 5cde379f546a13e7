package org.scriptbox.testsupport.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.scriptbox.testsupport.net.Ports;
import org.scriptbox.testsupport.pki.TestPki;

/**
 * A real Eclipse Mosquitto broker (the Debian package's /usr/sbin/mosquitto), started by the test on a free
 * loopback port with its own configuration file and persistence folder (no system service), so that a
 * restart keeps the sessions and their queued messages. Shared by the fleet bundle's unit tests and the itests
 * (also inside Pax Exam containers, which are given this bundle).
 */
public final class Mosquitto implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private final Path dir;
    private final TestPki pki;
    private int port;
    private int securePort;
    private Process process;
    /** Once it has run, its ports are the ones its clients know: a restart must get them again. */
    private boolean hasRun;

    public Mosquitto(Path dir) throws IOException {
        this(dir, null);
    }

    /**
     * With a {@code pki}: {@link #port()} is a TLS listener that requires a client certificate of the PKI's CA
     * (its CN is the user name) and {@link #passwordPort()} a plain one that requires a user of the PKI's
     * password file; no anonymous client on either.
     */
    public Mosquitto(Path dir, TestPki pki) throws IOException {
        this.dir = dir;
        this.pki = pki;
        configure();
    }

    /** Free ports now and the configuration file naming them. */
    private void configure() throws IOException {
        this.port = Ports.free();
        this.securePort = pki == null ? -1 : Ports.free();
        String listeners = pki == null
                ? String.join("\n", "listener " + port + " 127.0.0.1", "allow_anonymous true")
                : String.join("\n", "per_listener_settings true",
                        "listener " + port + " 127.0.0.1",
                        "cafile " + pki.file("ca.crt"), "certfile " + pki.file("server.crt"), "keyfile " + pki.file("server.key"),
                        "require_certificate true", "use_identity_as_username true", "allow_anonymous false",
                        "listener " + securePort + " 127.0.0.1",
                        "password_file " + pki.file("passwd"), "allow_anonymous false");
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                // run as root (CI containers), it would drop to user mosquitto, who cannot write this folder
                "root".equals(System.getProperty("user.name")) ? "user root" : "",
                listeners,
                "persistence true",
                "persistence_location " + dir + "/",
                "autosave_interval 1",
                "log_dest file " + dir.resolve("mosquitto.log"),
                "log_type error", "log_type warning", "log_type notice",
                "max_queued_messages 10000",
                "sys_interval 1",   // $SYS/broker/messages/* each second (FleetBenchIT's message rate)
                "") );
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    public int port() {
        return port;
    }

    public int passwordPort() {
        return securePort;
    }

    /** The broker's log file (error, warning and notice lines: each connection, each refused TLS handshake). */
    public String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Started once it is alive and its ports accept. A port found free can be taken by another process before
     * Mosquitto binds it (8 people's builds on one machine): then Mosquitto ends with "Address already in use" and,
     * on a first start, gets new ports (3 tries); a port that accepts while Mosquitto has ended is someone else's, so
     * Mosquitto must still be alive after the connect. A failure names what Mosquitto said.
     */
    public Mosquitto start() throws IOException {
        for (int attempt = 1; ; attempt++) {
            int logBefore = log().length();
            Path out = dir.resolve("mosquitto.out");
            process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            Process p = process;
            // (its log file is not flushed at once: no waiting for its "running" line)
            org.scriptbox.testsupport.await.Until.until("mosquitto accepting on " + port + " or ended",
                    () -> !p.isAlive() || (Ports.accepts(port) && (securePort < 0 || Ports.accepts(securePort))), Duration.ofSeconds(20));
            boolean up = p.isAlive();
            if (up) {
                hasRun = true;
                return this;
            }
            String said = read(out) + log().substring(Math.min(logBefore, log().length()));
            process = null;
            if (hasRun || attempt == 3 || !said.contains("Address already in use")) {
                throw new AssertionError("mosquitto did not start (exit " + p.exitValue() + ", port " + port
                        + (securePort < 0 ? "" : " and " + securePort) + ", attempt " + attempt + "): " + said);
            }
            configure();   // a port was taken between freePort() and Mosquitto's bind
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM: Mosquitto saves its persistence file on the way out. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** The broker's process id (tests pause it with SIGSTOP), or -1 when it is not running. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
