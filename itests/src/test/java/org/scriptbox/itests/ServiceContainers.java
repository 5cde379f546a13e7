package org.scriptbox.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The distribution started as the README does ({@code runtime/bin/scriptbox --no-console}), as child processes a
 * crash test kills at will; the n-th one's output goes to {@code DATA/console-n.txt}. Closing kills what is left.
 */
final class ServiceContainers implements AutoCloseable {
    private final List<Process> started = new CopyOnWriteArrayList<>();

    Process launch(Path deploy, Path data) throws IOException {
        Path script = Distribution.runtimeHome().resolve("bin/scriptbox");
        Process p = new ProcessBuilder("bash", script.toString(), "--no-console", "--deploy", deploy.toString(),
                "--data", data.toString()).redirectErrorStream(true)
                .redirectOutput(data.resolve("console-" + started.size() + ".txt").toFile()).start();
        started.add(p);
        return p;
    }

    /** How many were launched: the last one's output is {@code console-(count - 1).txt}. */
    int count() {
        return started.size();
    }

    Process last() {
        return started.get(started.size() - 1);
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }

    /** How often {@code marker} stands in a log file so far (0 while it does not exist or cannot be read). */
    static int occurrences(Path log, String marker) {
        try {
            if (!Files.exists(log)) {
                return 0;
            }
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            int n = 0;
            for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }
}
