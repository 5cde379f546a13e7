package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The scheduler's state files in the bundle data area: properties, replaced atomically by rename, and durable
 * when {@link #write} returns (file and directory forced to the device), so that a fire recorded before its
 * run starts is still recorded after a power cut or a kill -9.
 */
final class PropertiesFile {
    /** Writes one state file; the seam through which tests inject a full disk. */
    interface StateWriter {
        void write(Path file, Map<String, String> entries, String comment) throws IOException;
    }

    static final StateWriter DURABLE = PropertiesFile::write;

    private PropertiesFile() {
    }

    /** Writes {@code entries} (sorted) to {@code file}: a crash leaves either the old or the new file. */
    static void write(Path file, Map<String, String> entries, String comment) throws IOException {
        Properties p = new Properties();
        new TreeMap<>(entries).forEach(p::setProperty);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(channel);
            OutputStreamWriter w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            p.store(w, comment);
            w.flush();
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);   // a half-written temp file would only take more of a full disk
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
    }

    /** Makes the rename itself durable (on Linux a directory can be opened and forced). */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can open a directory; the file's own force still holds
        }
    }

    /** The entries of {@code file}; empty when there is no such file. */
    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
