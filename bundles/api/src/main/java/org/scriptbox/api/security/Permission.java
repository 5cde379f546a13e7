package org.scriptbox.api.security;

import java.util.Arrays;
import java.util.Optional;

/** The permissions a script may request in its metadata (the seed design's set). */
public enum Permission {
    /** Read device status. */
    DEVICE_READ("device:read"),
    /** Set digital outputs. */
    DEVICE_WRITE("device:write"),
    /** Drive motors. */
    DEVICE_CONTROL("device:control"),
    /** Read information about the container. */
    SYSTEM_INFO("system:info"),
    /** Read telemetry channels. */
    TELEMETRY_READ("telemetry:read");

    private final String id;

    Permission(String id) {
        this.id = id;
    }

    /** The form used in metadata, e.g. {@code device:read}. */
    public String id() {
        return id;
    }

    public static Optional<Permission> fromId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
    }
}
