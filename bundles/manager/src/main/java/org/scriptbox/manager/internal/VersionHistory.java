package org.scriptbox.manager.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last N versions of each script in the manager's data area, {@code history/NAME/}: per kept version
 * {@code 000007.lua}, {@code 000007.toml} and, written last, {@code 000007.properties} (version, when,
 * from where). A version counts only once its properties file exists, so a crash mid-write leaves no
 * half version. Deploying the content the newest kept version already has (a restart, a touched file)
 * adds nothing. Work for one script never waits for another's.
 */
final class VersionHistory {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);
    private static final String INFO = ".properties";
    private static final String DIGEST = "sha256";

    /** One kept version with its content. */
    record Stored(int number, String version, Instant deployedAt, String origin, String source, String metadataToml) {
    }

    /**
     * One kept version without its content, for listings: {@code digest} identifies the content (SHA-256 of the
     * source, a NUL and the metadata, as {@link #digest}), so finding the live one reads no script text.
     */
    record Kept(int number, String version, Instant deployedAt, String origin, String digest) {
    }

    private final Path folder;
    private volatile int keep;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** The reason history writes fail for, while they do: one WARN per condition, not one per deploy. */
    private volatile String failing;

    VersionHistory(Path folder, int keep) {
        this.folder = folder;
        this.keep = keep;
    }

    void keep(int versions) {
        this.keep = versions;
    }

    private Object lockFor(String name) {
        return locks.computeIfAbsent(name, n -> new Object());
    }

    /**
     * Keeps a newly live version, unless the newest kept one has the same content. A failure is logged,
     * not thrown: the version is live already and history must not undo a deploy.
     */
    void record(String name, String version, Instant deployedAt, String origin, String source, String metadataToml) {
        synchronized (lockFor(name)) {
            try {
                List<Integer> numbers = numbers(name);
                String digest = digest(source, metadataToml);
                if (!numbers.isEmpty()) {
                    Optional<Kept> newest = kept(name, numbers.get(numbers.size() - 1));
                    if (newest.isPresent() && newest.get().digest().equals(digest)) {
                        return;
                    }
                }
                int number = numbers.isEmpty() ? 1 : numbers.get(numbers.size() - 1) + 1;
                Path dir = folder.resolve(name);
                try {
                    DataFiles.writeAtomically(dir.resolve(file(number, ".lua")), source);
                    DataFiles.writeAtomically(dir.resolve(file(number, ".toml")), metadataToml);
                    Properties p = new Properties();
                    p.setProperty("version", version);
                    p.setProperty("deployed_at", deployedAt.toString());
                    p.setProperty("origin", origin == null ? "" : origin);
                    p.setProperty(DIGEST, digest);
                    StringWriter w = new StringWriter();
                    p.store(w, null);
                    DataFiles.writeAtomically(dir.resolve(file(number, INFO)), w.toString());
                } catch (IOException | UncheckedIOException e) {
                    try {
                        delete(dir, number);   // the parts written so far count for nothing and would only take space
                    } catch (IOException ignored) {
                        // the disk is in trouble already: the next version of this number replaces them
                    }
                    throw e;
                }
                numbers.add(number);
                for (int i = 0; i < numbers.size() - Math.max(1, keep); i++) {
                    delete(dir, numbers.get(i));
                }
                if (failing != null) {
                    LOG.info("versions are kept in the history in {} again", folder);
                    failing = null;
                }
            } catch (IOException | UncheckedIOException e) {
                String reason = e instanceof IOException io ? DataFiles.reason(io) : DataFiles.reason(((UncheckedIOException) e).getCause());
                if (!reason.equals(failing)) {
                    failing = reason;
                    LOG.warn("script '{}': version {} is live but could not be kept in the history in {}: {} (one warning "
                            + "until history writes work again)", name, version, folder, reason);
                } else {
                    LOG.debug("script '{}': version {} not kept in the history: {}", name, version, reason);
                }
            }
        }
    }

    /**
     * The kept versions, newest first, without their content: a listing reads one small file per version, never
     * the scripts (before, every kept source was read and held: 1,000 kept versions of 100 KB took 0.4-0.7 s and
     * 100 MB per GET /history of a viewer; of 4 MB sources, 4 GB).
     */
    List<Kept> list(String name) {
        synchronized (lockFor(name)) {
            List<Kept> out = new ArrayList<>();
            try {
                List<Integer> numbers = numbers(name);
                for (int i = numbers.size() - 1; i >= 0; i--) {
                    kept(name, numbers.get(i)).ifPresent(out::add);
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("script '{}': its history could not be read", name);
            }
            return out;
        }
    }

    Optional<Stored> get(String name, int number) {
        synchronized (lockFor(name)) {
            try {
                return read(name, number);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("script '{}': version #{} of its history could not be read", name, number);
                return Optional.empty();
            }
        }
    }

    private Optional<Kept> kept(String name, int number) throws IOException {
        Path dir = folder.resolve(name);
        Path info = dir.resolve(file(number, INFO));
        if (!Files.isRegularFile(info)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(info, StandardCharsets.UTF_8)));
        String digest = p.getProperty(DIGEST);
        if (digest == null) {   // kept before digests were stored: from the files, streamed, never held whole
            digest = digestOf(dir.resolve(file(number, ".lua")), dir.resolve(file(number, ".toml")));
        }
        return Optional.of(new Kept(number, p.getProperty("version", "?"), Instant.parse(p.getProperty("deployed_at")),
                p.getProperty("origin", ""), digest));
    }

    /** What identifies a version's content: SHA-256 of the source's UTF-8, a NUL, the metadata's UTF-8. */
    static String digest(String source, String metadataToml) {
        MessageDigest md = sha256();
        md.update(source.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(metadataToml.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    private static String digestOf(Path lua, Path toml) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[64 * 1024];
        for (Path f : List.of(lua, toml)) {
            try (InputStream in = Files.newInputStream(f)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    md.update(buffer, 0, n);
                }
            }
            if (f == lua) {
                md.update((byte) 0);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private Optional<Stored> read(String name, int number) throws IOException {
        Path dir = folder.resolve(name);
        Path info = dir.resolve(file(number, INFO));
        if (!Files.isRegularFile(info)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(info, StandardCharsets.UTF_8)));
        return Optional.of(new Stored(number, p.getProperty("version", "?"), Instant.parse(p.getProperty("deployed_at")),
                p.getProperty("origin", ""), Files.readString(dir.resolve(file(number, ".lua")), StandardCharsets.UTF_8),
                Files.readString(dir.resolve(file(number, ".toml")), StandardCharsets.UTF_8)));
    }

    /** Numbers of the complete kept versions, oldest first. */
    private List<Integer> numbers(String name) throws IOException {
        Path dir = folder.resolve(name);
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Integer> numbers = new ArrayList<>();
            // six digits, more after the millionth version (%06d widens): numbers never wrap back
            files.map(f -> f.getFileName().toString()).filter(f -> f.matches("\\d{6,9}\\" + INFO))
                    .forEach(f -> numbers.add(Integer.parseInt(f.substring(0, f.length() - INFO.length()))));
            numbers.sort(Comparator.naturalOrder());
            return numbers;
        }
    }

    private static void delete(Path dir, int number) throws IOException {
        // the properties file first: from then on the version no longer counts, whatever happens next
        Files.deleteIfExists(dir.resolve(file(number, INFO)));
        Files.deleteIfExists(dir.resolve(file(number, ".lua")));
        Files.deleteIfExists(dir.resolve(file(number, ".toml")));
    }

    private static String file(int number, String suffix) {
        return String.format("%06d%s", number, suffix);
    }
}
