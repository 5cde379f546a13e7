package org.scriptbox.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.osgi.framework.BundleContext;

/** The container's own log file (data/log/scriptbox.log), read whole: what an operator would find in it. */
final class ContainerLog {
    private ContainerLog() {
    }

    static Path file(BundleContext context) {
        return Paths.get(context.getProperty("scriptbox.data")).resolve("log/scriptbox.log");
    }

    static String text(BundleContext context) {
        try {
            Path f = file(context);
            return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the runtime's logging configuration (etc/org.ops4j.pax.logging.cfg) is in place: FileInstall
     * hands it over in any order with the other etc files, and until then Pax Logging writes to stdout only, so
     * a line logged earlier is never in the file (CI lost the engine's mode line that way). The RollingFile
     * appender creates the file when it starts.
     */
    static void awaitFileAppender(BundleContext context, java.time.Duration bound) {
        Await.until(file(context) + " created by the logging configuration", bound, () -> Files.exists(file(context)));
    }

    /** One read of the whole file, split in lines (the log grows meanwhile: read once, then look). */
    static List<String> lines(BundleContext context) {
        return List.of(text(context).split("\n", -1));
    }
}
