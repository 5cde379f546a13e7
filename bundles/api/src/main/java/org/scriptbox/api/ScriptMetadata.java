package org.scriptbox.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.scriptbox.api.schedule.ScheduleSpec;

/**
 * What a script's {@code name.toml} says about it: the seed design's ten fields, plus the optional
 * resource limits and schedule. Immutable.
 *
 * @param name             unique script name (letters, digits, {@code _ - .})
 * @param version          semantic version, e.g. {@code 1.2.0}
 * @param author           free text
 * @param description      free text
 * @param createdAt        when the script was first written, or {@code null}
 * @param modifiedAt       when it was last changed, or {@code null}
 * @param tags             free labels
 * @param permissions      requested permissions, e.g. {@code device:read} (see {@code org.scriptbox.api.security.Permission})
 * @param dependencies     other scripts this one needs, each {@code name} or {@code name version-range},
 *                         e.g. {@code "helpers >=1.0.0 <2.0.0"} or {@code "helpers ^1.2"}
 * @param minEngineVersion lowest scriptbox engine version the script runs on
 * @param limits           limits the script asks for (capped by the operator), or {@code null} for the defaults
 * @param schedule         when the script runs by itself, or {@code null} for manual only
 * @param devices          ids of devices the script needs ({@code device.id} of a Device service); the
 *                         script waits UNRESOLVED until they are all present
 */
public record ScriptMetadata(String name, String version, String author, String description,
                             Instant createdAt, Instant modifiedAt, List<String> tags, List<String> permissions,
                             List<String> dependencies, String minEngineVersion, ResourceLimits limits,
                             ScheduleSpec schedule, List<String> devices) {

    /** The seed's default permission set for a script that ships without metadata. */
    public static final List<String> DEFAULT_PERMISSIONS = List.of("device:read");

    public ScriptMetadata {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        author = author == null ? "Unknown" : author;
        description = description == null ? "" : description;
        tags = tags == null ? List.of() : List.copyOf(tags);
        permissions = permissions == null ? List.of() : List.copyOf(permissions);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        minEngineVersion = minEngineVersion == null ? "1.0.0" : minEngineVersion;
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** Metadata that needs no particular device. */
    public ScriptMetadata(String name, String version, String author, String description,
                          Instant createdAt, Instant modifiedAt, List<String> tags, List<String> permissions,
                          List<String> dependencies, String minEngineVersion, ResourceLimits limits,
                          ScheduleSpec schedule) {
        this(name, version, author, description, createdAt, modifiedAt, tags, permissions, dependencies,
                minEngineVersion, limits, schedule, List.of());
    }

    /** The seed's default metadata for a {@code .lua} without a {@code .toml}: name from the file, {@code device:read} only. */
    public static ScriptMetadata defaults(String name) {
        Instant now = Instant.now();
        return new ScriptMetadata(name, "1.0.0", "Unknown", "Imported script", now, now, List.of(),
                DEFAULT_PERMISSIONS, List.of(), "1.0.0", null, null);
    }
}
