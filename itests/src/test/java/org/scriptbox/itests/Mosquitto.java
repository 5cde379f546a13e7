package org.scriptbox.itests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Eclipse Mosquitto broker (the Debian package's /usr/sbin/mosquitto), started by the test on a free
 * loopback port with its own configuration file and persistence folder (no system service), so that a
 * restart keeps the sessions and their queued messages.
 */
final class Mosquitto implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    private final Path dir;
    private final int port;
    private final int securePort;
    private Process process;

    Mosquitto(Path dir) throws IOException {
        this(dir, null);
    }

    /**
     * With a {@code pki}: {@link #port()} is a TLS listener that requires a client certificate of the PKI's CA
     * (its CN is the user name) and {@link #passwordPort()} a plain one that requires a user of the PKI's
     * password file; no anonymous client on either.
     */
    Mosquitto(Path dir, TestPki pki) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.securePort = pki == null ? -1 : freePort();
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

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    int port() {
        return port;
    }

    int passwordPort() {
        return securePort;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "";
        }
    }

    Mosquitto start() throws IOException {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        Await.until("mosquitto listening on " + port, Duration.ofSeconds(20), () -> accepts(port) && (securePort < 0 || accepts(securePort)), b -> b);
        return this;
    }

    /** SIGTERM: Mosquitto saves its persistence file on the way out. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
