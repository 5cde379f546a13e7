package org.scriptbox.manager.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version range as a dependency states it, in the npm/Cargo style scripts authors know:
 * comparators separated by spaces, all of which must hold ({@code >=1.0.0 <2.0.0}); {@code ^1.2}
 * (same major, at least 1.2.0; for 0.x the same minor); {@code ~1.2.3} (same minor); {@code =1.0.0}
 * or a bare {@code 1.0.0} (exactly); {@code *} or nothing (any). Partial versions fill in zeros.
 */
final class VersionRange {
    static final VersionRange ANY = new VersionRange("*", List.of());

    private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=|\\^|~)?(\\d+(?:\\.\\d+){0,2}(?:-[0-9A-Za-z.-]+)?)");

    private final String text;
    private final List<Predicate<SemVer>> conditions;

    private VersionRange(String text, List<Predicate<SemVer>> conditions) {
        this.text = text;
        this.conditions = conditions;
    }

    /** @throws IllegalArgumentException naming the part that is not understood */
    static VersionRange parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equals("*")) {
            return ANY;
        }
        List<Predicate<SemVer>> conditions = new ArrayList<>();
        for (String part : t.split("\\s+")) {
            Matcher m = COMPARATOR.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("\"" + part + "\" is not a version comparator "
                        + "(use >=, >, <=, <, =, ^ or ~ followed by a version, e.g. ^1.2 or >=1.0.0 <2.0.0)");
            }
            String op = m.group(1) == null ? "=" : m.group(1);
            String[] nums = m.group(2).split("-", 2)[0].split("\\.");
            int given = nums.length;
            SemVer v = SemVer.parse(complete(m.group(2)));
            conditions.add(condition(op, v, given));
        }
        return new VersionRange(t, List.copyOf(conditions));
    }

    private static String complete(String partial) {
        String[] split = partial.split("-", 2);
        String core = split[0];
        int dots = core.length() - core.replace(".", "").length();
        StringBuilder sb = new StringBuilder(core);
        for (int i = dots; i < 2; i++) {
            sb.append(".0");
        }
        if (split.length > 1) {
            sb.append('-').append(split[1]);
        }
        return sb.toString();
    }

    private static Predicate<SemVer> condition(String op, SemVer v, int given) {
        switch (op) {
            case ">=": return x -> x.compareTo(v) >= 0;
            case ">": return x -> x.compareTo(v) > 0;
            case "<=": return x -> x.compareTo(v) <= 0;
            case "<": return x -> x.compareTo(v) < 0;
            case "^": {
                SemVer upper = v.major() > 0 || given == 1 ? new SemVer(v.major() + 1, 0, 0, null, null)
                        : v.minor() > 0 || given == 2 ? new SemVer(0, v.minor() + 1, 0, null, null)
                        : new SemVer(0, 0, v.patch() + 1, null, null);
                return x -> x.compareTo(v) >= 0 && x.compareTo(upper) < 0;
            }
            case "~": {
                SemVer upper = given == 1 ? new SemVer(v.major() + 1, 0, 0, null, null)
                        : new SemVer(v.major(), v.minor() + 1, 0, null, null);
                return x -> x.compareTo(v) >= 0 && x.compareTo(upper) < 0;
            }
            default:
                // "=1.2" means any 1.2.x, "=1.2.3" exactly that version
                if (given == 3) {
                    return x -> x.compareTo(v) == 0;
                }
                SemVer upper = given == 1 ? new SemVer(v.major() + 1, 0, 0, null, null)
                        : new SemVer(v.major(), v.minor() + 1, 0, null, null);
                return x -> x.compareTo(v) >= 0 && x.compareTo(upper) < 0;
        }
    }

    boolean includes(SemVer version) {
        return conditions.stream().allMatch(c -> c.test(version));
    }

    @Override
    public String toString() {
        return text;
    }
}
