package org.scriptbox.manager.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;
import org.scriptbox.api.ScriptException;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed reads from one TOML table, each failure a METADATA {@link ScriptException} at the key's (or the
 * array element's) {@code file:line:column}, so the operator is pointed at the exact spot.
 */
final class TomlReader {
    private final TomlTable table;
    private final String file;
    private final String prefix;
    private final TomlPosition position;

    TomlReader(TomlTable table, String file, String prefix) {
        this(table, file, prefix, null);
    }

    private TomlReader(TomlTable table, String file, String prefix, TomlPosition position) {
        this.table = table;
        this.file = file;
        this.prefix = prefix;
        this.position = position;
    }

    /** Adds a warning for every key not in {@code known}; unknown keys are ignored, not fatal. */
    void warnUnknownKeys(Set<String> known, List<String> warnings) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                warnings.add(at(key).location() + ": unknown key \"" + prefix + key + "\" (ignored)");
            }
        }
    }

    boolean has(String key) {
        return table.contains(List.of(key));
    }

    String string(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        if (!(v instanceof String)) {
            throw fail(key, "\"" + prefix + key + "\" must be a string, not " + typeName(v));
        }
        return (String) v;
    }

    Long integer(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        if (!(v instanceof Long)) {
            throw fail(key, "\"" + prefix + key + "\" must be an integer, not " + typeName(v));
        }
        return (Long) v;
    }

    /** A positive integer that fits an int. */
    Integer positiveInt(String key) {
        Long v = integer(key);
        if (v == null) {
            return null;
        }
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw fail(key, "\"" + prefix + key + "\" must be between 1 and " + Integer.MAX_VALUE + ", was " + v);
        }
        return v.intValue();
    }

    Duration duration(String key) {
        String s = string(key);
        if (s == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(s);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be longer than zero");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw fail(key, "\"" + prefix + key + "\": " + e.getMessage());
        }
    }

    /** A byte size: an integer, or a string such as {@code "16MB"}. */
    Long size(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        long bytes;
        if (v instanceof Long) {
            bytes = (Long) v;
        } else if (v instanceof String) {
            try {
                bytes = Durations.parseSize((String) v);
            } catch (IllegalArgumentException e) {
                throw fail(key, "\"" + prefix + key + "\": " + e.getMessage());
            }
        } else {
            throw fail(key, "\"" + prefix + key + "\" must be a number of bytes or a string like \"16MB\", not " + typeName(v));
        }
        if (bytes <= 0 || bytes > Durations.MAX_SIZE) {
            throw fail(key, "\"" + prefix + key + "\" must be between 1 and " + Durations.MAX_SIZE + " bytes (1TB), was " + bytes);
        }
        return bytes;
    }

    /** An offset date-time; a local date-time or date is taken as UTC; a string must be ISO-8601. */
    Instant instant(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        if (v instanceof OffsetDateTime) {
            return ((OffsetDateTime) v).toInstant();
        }
        if (v instanceof LocalDateTime) {
            return ((LocalDateTime) v).toInstant(ZoneOffset.UTC);
        }
        if (v instanceof LocalDate) {
            return ((LocalDate) v).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        if (v instanceof String) {
            try {
                return OffsetDateTime.parse((String) v).toInstant();
            } catch (DateTimeParseException e) {
                throw fail(key, "\"" + prefix + key + "\": \"" + v + "\" is not a date-time (write e.g. 2026-11-26T10:00:00Z)");
            }
        }
        throw fail(key, "\"" + prefix + key + "\" must be a date-time such as 2026-11-26T10:00:00Z, not " + typeName(v));
    }

    /** An array of strings, each passed through {@code check} (which throws IllegalArgumentException to refuse one). */
    List<String> strings(String key, Function<String, String> check) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        if (!(v instanceof TomlArray)) {
            throw fail(key, "\"" + prefix + key + "\" must be an array of strings, not " + typeName(v));
        }
        TomlArray array = (TomlArray) v;
        List<String> out = new ArrayList<>(array.size());
        Set<String> seen = new HashSet<>(); // the duplicate check stays linear for huge arrays
        for (int i = 0; i < array.size(); i++) {
            Object e = array.get(i);
            TomlPosition pos = array.inputPositionOf(i);
            if (!(e instanceof String)) {
                throw new ScriptException(error(pos, "\"" + prefix + key + "\" must contain only strings; element "
                        + (i + 1) + " is " + typeName(e)));
            }
            try {
                String checked = check.apply((String) e);
                if (!seen.add(checked)) {
                    throw new IllegalArgumentException("\"" + checked + "\" is listed twice");
                }
                out.add(checked);
            } catch (IllegalArgumentException ex) {
                throw new ScriptException(error(pos, "\"" + prefix + key + "\": " + ex.getMessage()));
            }
        }
        return out;
    }

    TomlReader subTable(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return null;
        }
        if (!(v instanceof TomlTable)) {
            throw fail(key, "\"" + key + "\" must be a table ([" + key + "]), not " + typeName(v));
        }
        return new TomlReader((TomlTable) v, file, prefix + key + ".", table.inputPositionOf(List.of(key)));
    }

    ScriptException fail(String key, String message) {
        return new ScriptException(error(table.inputPositionOf(List.of(key)), message));
    }

    /**
     * A failure at a character inside a string value: {@code column} is 1-based within the string's
     * content. tomlj gives only the key's position, so the value is found in the source line (after
     * the key and {@code =}). Falls back to the key's position where the mapping would be a guess: a
     * multi-line string, or an escape before the column.
     */
    ScriptException failInValue(String key, int column, String message, String source) {
        TomlPosition pos = table.inputPositionOf(List.of(key));
        if (pos != null && source != null && column >= 1) {
            String[] lines = source.split("\n", -1);
            if (pos.line() >= 1 && pos.line() <= lines.length) {
                String line = lines[pos.line() - 1];
                int eq = line.indexOf('=', Math.max(0, pos.column() - 1));
                int q = eq < 0 ? -1 : eq + 1;
                while (q >= 0 && q < line.length() && (line.charAt(q) == ' ' || line.charAt(q) == '\t')) {
                    q++;
                }
                boolean quoted = q >= 0 && q < line.length() && (line.charAt(q) == '"' || line.charAt(q) == '\'');
                boolean multiLine = quoted && line.startsWith(line.substring(q, q + 1).repeat(3), q);
                int end = q + 1 + column - 1; // index of the bad character in the line
                if (quoted && !multiLine && end < line.length() && line.substring(q + 1, end).indexOf('\\') < 0) {
                    return new ScriptException(ScriptError.at(ErrorKind.METADATA, message, file, pos.line(), end + 1));
                }
            }
        }
        return fail(key, message);
    }

    /** A failure about the table as a whole, at its header. */
    ScriptException table(String message) {
        return new ScriptException(error(position, message));
    }

    ScriptError at(String key) {
        return error(table.inputPositionOf(List.of(key)), "");
    }

    private ScriptError error(TomlPosition pos, String message) {
        return ScriptError.at(ErrorKind.METADATA, message, file, pos == null ? 0 : pos.line(), pos == null ? 0 : pos.column());
    }

    static String typeName(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Long) {
            return "an integer";
        }
        if (v instanceof Double) {
            return "a float";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof TomlArray) {
            return "an array";
        }
        if (v instanceof TomlTable) {
            return "a table";
        }
        return "a date/time";
    }
}
