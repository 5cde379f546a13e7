package org.scriptbox.manager.internal;

import java.util.List;
import java.util.Map;

import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Size limits of the metadata fields, checked on the parsed TOML before any field is read, so a 3.9 MB
 * {@code description} or 200,000 tags are refused at once, at their line and column, instead of being
 * validated and kept in memory. The file as a whole is capped by the deployer.
 */
final class MetadataSizes {
    /** Longest text of each string field, in characters. */
    static final Map<String, Integer> TEXT = Map.of("name", 64, "version", 64, "author", 200, "description", 4_000,
            "min_engine_version", 64, "created_at", 64, "modified_at", 64);
    /** Most entries of each list field, and the longest entry. */
    static final Map<String, Integer> ENTRIES = Map.of("tags", 64, "permissions", 16, "dependencies", 256, "devices", 64);
    static final int LONGEST_ENTRY = 200;
    /** Longest string value inside {@code [schedule]} and {@code [limits]} (cron, zone, durations). */
    static final int LONGEST_TABLE_VALUE = 200;

    private MetadataSizes() {
    }

    static void check(TomlTable doc, TomlReader r) {
        TEXT.forEach((key, max) -> {
            if (doc.get(List.of(key)) instanceof String s && s.length() > max) {
                throw r.fail(key, "\"" + key + "\" is " + s.length() + " characters long; at most " + max + " are allowed");
            }
        });
        ENTRIES.forEach((key, max) -> {
            if (doc.get(List.of(key)) instanceof TomlArray a) {
                if (a.size() > max) {
                    throw r.fail(key, "\"" + key + "\" has " + a.size() + " entries; at most " + max + " are allowed");
                }
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i) instanceof String s && s.length() > LONGEST_ENTRY) {
                        throw r.fail(key, "\"" + key + "\" entry " + (i + 1) + " is " + s.length()
                                + " characters long; at most " + LONGEST_ENTRY + " are allowed");
                    }
                }
            }
        });
        for (String table : List.of("schedule", "limits")) {
            if (doc.get(List.of(table)) instanceof TomlTable t) {
                for (String key : t.keySet()) {
                    if (t.get(List.of(key)) instanceof String s && s.length() > LONGEST_TABLE_VALUE) {
                        throw r.subTable(table).fail(key, "\"" + table + "." + key + "\" is "
                                + s.length() + " characters long; at most " + LONGEST_TABLE_VALUE + " are allowed");
                    }
                }
            }
        }
    }
}
