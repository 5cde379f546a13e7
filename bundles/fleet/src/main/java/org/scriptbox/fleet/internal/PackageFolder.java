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

    /** @throws IllegalArgumentException for no scripts or a bad name; IOException for unreadable files */
    static FleetPackage read(Path dir, String fleet, String group, long version, String healthCheck) throws IOException {
        List<PackageScript> scripts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.lua")) {
            for (Path lua : files) {
                String file = lua.getFileName().toString();
                String name = file.substring(0, file.length() - 4);
                PackageInstaller.checkName(name);
                Path toml = lua.resolveSibling(name + ".toml");
                scripts.add(new PackageScript(name, Files.readString(lua, StandardCharsets.UTF_8),
                        Files.exists(toml) ? Files.readString(toml, StandardCharsets.UTF_8) : null));
            }
        }
        if (scripts.isEmpty()) {
            throw new IllegalArgumentException("no .lua files in " + dir);
        }
        scripts.sort(java.util.Comparator.comparing(PackageScript::name));
        if (healthCheck != null && scripts.stream().noneMatch(s -> s.name().equals(healthCheck))) {
            throw new IllegalArgumentException("the health check '" + healthCheck + "' is not a script of the package");
        }
        return new FleetPackage(fleet, group, version, scripts, healthCheck, Instant.now());
    }
}
