package org.scriptbox.api.fleet;

import java.util.Objects;

/**
 * One script of a package: its {@code name.lua} text and its {@code name.toml} text (or null for the defaults).
 */
public record PackageScript(String name, String lua, String toml) {
    public PackageScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lua, "lua");
    }
}
