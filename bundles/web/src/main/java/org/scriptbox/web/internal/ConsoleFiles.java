package org.scriptbox.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The console's files, by the path after {@code /console/}: its own pages and scripts ({@code console/} in the
 * bundle) and the embedded front-end libraries ({@code lib/codemirror/...}, {@code lib/uplot/...}, unpacked from
 * their webjars). Only paths of plain segments and known file types are served, so nothing else in the bundle
 * (classes, the manifest) can be reached by any path, encoded or not. Files are read once and kept (a few hundred
 * kilobytes in all).
 */
final class ConsoleFiles {
    /** A served file: its bytes and its content type. Immutable (the array is never handed out to change). */
    record File(byte[] bytes, String contentType) {
    }

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8");

    private final Function<String, InputStream> resources;
    private final Map<String, String> libraries;
    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    /**
     * @param resources opens a resource of the bundle by its path (no leading slash), or gives {@code null}
     * @param libraries the library name in the console's paths → its folder in the bundle
     */
    ConsoleFiles(Function<String, InputStream> resources, Map<String, String> libraries) {
        this.resources = resources;
        this.libraries = Map.copyOf(libraries);
    }

    /** The file at {@code path} (after {@code /console/}; empty for the index), or empty. */
    Optional<File> find(String path) {
        String p = path == null || path.isEmpty() ? "index.html" : path;
        if (p.length() > 300) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(p, this::load);
    }

    private Optional<File> load(String path) {
        String[] segments = path.split("/", -1);
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches()) {
                return Optional.empty(); // "..", "", "%2e", "\\" and every other oddity
            }
        }
        String last = segments[segments.length - 1];
        String type = last.equals("LICENSE") ? TYPES.get("txt") : TYPES.get(extension(last));
        if (type == null) {
            return Optional.empty();
        }
        String resource;
        if (segments.length > 2 && segments[0].equals("lib") && libraries.containsKey(segments[1])) {
            resource = libraries.get(segments[1]) + path.substring(("lib/" + segments[1]).length());
        } else if (segments[0].equals("lib")) {
            return Optional.empty();
        } else {
            resource = "console/" + path;
        }
        try (InputStream in = resources.apply(resource)) {
            return in == null ? Optional.empty() : Optional.of(new File(in.readAllBytes(), type));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }
}
