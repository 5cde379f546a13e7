package org.scriptbox.fleet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.fleet.FleetPackage;
import org.scriptbox.api.fleet.PackageScript;

/** A folder of {@code name.lua} (+ {@code name.toml}) files as a package, the way the deploy folder holds them. */
final class PackageFolder {
    private PackageFolder() {
    }

    /** What a gateway's deploy folder loads at most per file: a larger one would be refused by every gateway. */
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    /** @throws IllegalArgumentException naming the file: not UTF-8, or too large for a deploy folder */
    private static String text(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + " has " + Files.size(file) + " bytes; a gateway's deploy folder loads at most "
                    + MAX_FILE_BYTES + " per file");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text");
        }
    }

    /** @throws IllegalArgumentException for no scripts or a bad name; IOException for unreadable files */
    static FleetPackage read(Path dir, String fleet, String group, long version, String healthCheck) throws IOException {
        List<PackageScript> scripts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.lua")) {
            for (Path lua : files) {
                String file = lua.getFileName().toString();
                String name = file.substring(0, file.length() - 4);
                PackageInstaller.checkName(name);
                Path toml = lua.resolveSibling(name + ".toml");
                scripts.add(new PackageScript(name, text(lua), Files.exists(toml) ? text(toml) : null));
            }
        }
        if (scripts.isEmpty()) {
            throw new IllegalArgumentException("no .lua files in " + dir);
        }
        if (scripts.size() > PackageCodec.MAX_SCRIPTS) {   // every gateway would refuse it
            throw new IllegalArgumentException(dir + " has " + scripts.size() + " scripts; a package holds at most " + PackageCodec.MAX_SCRIPTS);
        }
        scripts.sort(java.util.Comparator.comparing(PackageScript::name));
        if (healthCheck != null && scripts.stream().noneMatch(s -> s.name().equals(healthCheck))) {
            throw new IllegalArgumentException("the health check '" + healthCheck + "' is not a script of the package");
        }
        return new FleetPackage(fleet, group, version, scripts, healthCheck, Instant.now());
    }
}
