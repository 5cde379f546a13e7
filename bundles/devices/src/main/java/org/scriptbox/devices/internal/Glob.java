package org.scriptbox.devices.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Comma-separated shell-style patterns ({@code *}, {@code ?}) as used by the policy rules. */
final class Glob {
    private final List<Pattern> patterns;
    private final String text;

    private Glob(List<Pattern> patterns, String text) {
        this.patterns = patterns;
        this.text = text;
    }

    static Glob of(String commaSeparated) {
        List<Pattern> patterns = new ArrayList<>();
        for (String part : split(commaSeparated)) {
            StringBuilder regex = new StringBuilder();
            for (char c : part.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            patterns.add(Pattern.compile(regex.toString()));
        }
        return new Glob(List.copyOf(patterns), commaSeparated == null ? "" : commaSeparated.trim());
    }

    boolean matches(String name) {
        if (name == null) {
            return false;
        }
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    static List<String> split(String commaSeparated) {
        List<String> parts = new ArrayList<>();
        if (commaSeparated == null) {
            return parts;
        }
        for (String part : commaSeparated.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }

    @Override
    public String toString() {
        return text;
    }
}
