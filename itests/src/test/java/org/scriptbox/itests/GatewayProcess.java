package org.scriptbox.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real scriptbox container as a separate JVM, started as the README does ({@code runtime/bin/scriptbox
 * --no-console}) with an etc folder of its own: the runtime's, HTTP off (no port to share), plus
 * {@code org.scriptbox.fleet.cfg} making it a gateway of the test's broker. Its deploy and data folders
 * stay across {@link #stop}/{@link #start}, as a restarted gateway's would.
 */
final class GatewayProcess {
    final String id;
    final Path deploy;
    final Path data;
    private final Path etc;
    private Process process;

    GatewayProcess(String id, Path root, Map<String, String> fleetConfig) throws IOException {
        this.id = id;
        this.deploy = Files.createDirectories(root.resolve(id + "/deploy"));
        this.data = Files.createDirectories(root.resolve(id + "/data"));
        this.etc = Files.createDirectories(root.resolve(id + "/etc"));
        try (Stream<Path> cfgs = Files.list(Distribution.runtimeHome().resolve("etc"))) {
            for (Path cfg : cfgs.toList()) {
                String text = Files.readString(cfg, StandardCharsets.UTF_8);
                if (cfg.getFileName().toString().equals("org.apache.felix.http.cfg")) {
                    text = text.replace("org.apache.felix.http.enable = true", "org.apache.felix.http.enable = false");
                }
                Files.writeString(etc.resolve(cfg.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        reconfigure(fleetConfig);
    }

    /** Replaces etc/org.scriptbox.fleet.cfg at once (a running gateway reconnects with the new settings). */
    void reconfigure(Map<String, String> fleetConfig) throws IOException {
        StringBuilder cfg = new StringBuilder("# written by the test\n");
        fleetConfig.forEach((k, v) -> cfg.append(k).append(" = ").append(v).append('\n'));
        Path tmp = etc.resolve("org.scriptbox.fleet.cfg.part");
        Files.writeString(tmp, cfg, StandardCharsets.UTF_8);
        Files.move(tmp, etc.resolve("org.scriptbox.fleet.cfg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Replaces one file of its etc folder at once (FileInstall applies it: e.g. a device's configuration). */
    void writeEtc(String name, String text) throws IOException {
        Path tmp = etc.resolve(name + ".part");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, etc.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One file of its etc folder. */
    String readEtc(String name) throws IOException {
        return Files.readString(etc.resolve(name), StandardCharsets.UTF_8);
    }

    /** The names of the container JVM's live threads (jcmd Thread.print), or an empty list when it cannot be asked. */
    List<String> threadNames() {
        if (process == null) {
            return List.of();
        }
        List<ProcessHandle> jvms = new java.util.ArrayList<>();
        jvms.add(process.toHandle());
        process.toHandle().descendants().forEach(jvms::add);
        for (ProcessHandle h : jvms) {
            if (h.info().command().map(c -> c.endsWith("/java")).orElse(false)) {
                try {
                    Process jcmd = new ProcessBuilder("jcmd", Long.toString(h.pid()), "Thread.print").redirectErrorStream(true).start();
                    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    jcmd.waitFor(20, TimeUnit.SECONDS);
                    return out.lines().filter(l -> l.startsWith("\"")).map(l -> l.substring(1, Math.max(1, l.indexOf('"', 1)))).toList();
                } catch (IOException | InterruptedException e) {
                    return List.of();
                }
            }
        }
        return List.of();
    }

    GatewayProcess start() throws IOException {
        Path script = Distribution.runtimeHome().resolve("bin/scriptbox");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", script.toString(), "--no-console", "--deploy",
                deploy.toString(), "--data", data.toString()));
        pb.environment().put("SCRIPTBOX_JAVA_OPTS", "-Xmx160m -XX:TieredStopAtLevel=1 -Dfelix.fileinstall.dir=" + etc);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("stdout.log").toFile()));
        process = pb.start();
        return this;
    }

    /** SIGTERM: a clean stop (the gateway publishes its offline state itself). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** SIGKILL: a crash (the broker publishes the last will after the keep-alive). */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    String log() {
        try {
            Path log = data.resolve("log/scriptbox.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
