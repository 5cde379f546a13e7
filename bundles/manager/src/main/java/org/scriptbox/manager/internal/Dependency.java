package org.scriptbox.manager.internal;

/**
 * One entry of a script's {@code dependencies}: a script name, optionally followed by a version range,
 * e.g. {@code "helpers"}, {@code "helpers ^1.2"}, {@code "helpers >=1.0.0 <2.0.0"}.
 */
record Dependency(String name, VersionRange range) {

    /** @throws IllegalArgumentException with a sentence saying what is wrong */
    static Dependency parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty dependency");
        }
        String[] parts = t.split("\\s+", 2);
        if (!ScriptNames.isValid(parts[0])) {
            throw new IllegalArgumentException("\"" + parts[0] + "\" is not a script name " + ScriptNames.RULE);
        }
        return new Dependency(parts[0], parts.length > 1 ? VersionRange.parse(parts[1]) : VersionRange.ANY);
    }

    @Override
    public String toString() {
        return range == VersionRange.ANY ? name : name + " " + range;
    }
}
