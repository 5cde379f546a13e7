package org.scriptbox.scheduler.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The scheduler's state files in the bundle data area: properties, replaced atomically by rename. */
final class PropertiesFile {
    private PropertiesFile() {
    }

    /** Writes {@code entries} (sorted) to {@code file}: a crash leaves either the old or the new file. */
    static void write(Path file, Map<String, String> entries, String comment) throws IOException {
        Properties p = new Properties();
        new TreeMap<>(entries).forEach(p::setProperty);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, comment);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The entries of {@code file}; empty when there is no such file. */
    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }
}
