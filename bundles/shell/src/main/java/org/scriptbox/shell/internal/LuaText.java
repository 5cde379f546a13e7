package org.scriptbox.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.scriptbox.api.text.SafeText;

/**
 * A script's returned values written as Lua writes them: {@code 25} not {@code 25.0}, {@code 0.1} (Lua's
 * {@code %.14g}), {@code nil}, {@code true}, and tables as constructors with a stable key order
 * ({@code {1, 2, n = 3, name = "x"}}: the sequence first, then numeric keys in order, then string keys
 * alphabetically, then false, true and table keys in the table's order). Strings are bare at the top (as {@code print} shows them) and quoted inside tables. The
 * text is escaped ({@link SafeText}) and cut at {@link #MAX_CHARS}.
 */
final class LuaText {
    static final int MAX_CHARS = 8_000;
    private static final int MAX_DEPTH = 20;
    private static final Set<String> RESERVED = Set.of("and", "break", "do", "else", "elseif", "end", "false", "for",
            "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
            "while");

    private LuaText() {
    }

    static String of(Object value) {
        StringBuilder sb = new StringBuilder();
        if (value instanceof CharSequence) {
            sb.append(value);
        } else {
            write(sb, value, 0);
        }
        String text = SafeText.line(sb.toString());
        return text.length() <= MAX_CHARS ? text
                : text.substring(0, MAX_CHARS) + " ... [" + (text.length() - MAX_CHARS) + " more characters]";
    }

    static String number(Number n) {
        return org.scriptbox.api.text.LuaNumbers.format(n);
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (sb.length() > MAX_CHARS) {
            return;
        }
        if (v == null) {
            sb.append("nil");
        } else if (v instanceof Number) {
            sb.append(number((Number) v));
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof CharSequence || v instanceof Character) {
            quoted(sb, v.toString());
        } else if (v instanceof List || v instanceof Map) {
            if (depth >= MAX_DEPTH) {
                sb.append("{...}");
            } else if (v instanceof List) {
                list(sb, (List<?>) v, depth);
            } else {
                map(sb, (Map<?, ?>) v, depth);
            }
        } else {
            quoted(sb, v.toString());
        }
    }

    private static void list(StringBuilder sb, List<?> items, int depth) {
        sb.append('{');
        for (int i = 0; i < items.size() && sb.length() <= MAX_CHARS; i++) {
            sb.append(i == 0 ? "" : ", ");
            write(sb, items.get(i), depth + 1);
        }
        sb.append('}');
    }

    private static void map(StringBuilder sb, Map<?, ?> table, int depth) {
        List<Map.Entry<?, ?>> entries = new ArrayList<>(table.entrySet());
        entries.sort(KEY_ORDER);
        long next = 1;   // the sequence part 1..n is written without keys
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries) {
            if (sb.length() > MAX_CHARS) {
                break;
            }
            sb.append(first ? "" : ", ");
            first = false;
            Object k = e.getKey();
            if (k instanceof Number && ((Number) k).doubleValue() == next) {
                next++;
            } else if (k instanceof CharSequence && isName(k.toString())) {
                sb.append(k).append(" = ");
            } else {
                sb.append('[');
                write(sb, k, depth + 1);
                sb.append("] = ");
            }
            write(sb, e.getValue(), depth + 1);
        }
        sb.append('}');
    }

    /**
     * Numbers in order, then strings alphabetically, then false before true, then the rest (tables) as the table
     * holds them: never by their text, which for a table key is the whole table (red team C8: 1,000 keys holding a
     * 10 KB string each took 100-1,000 ms to sort for one script:run answer).
     */
    private static final Comparator<Map.Entry<?, ?>> KEY_ORDER = Comparator.comparing((Map.Entry<?, ?> e) -> rank(e.getKey()))
            .thenComparing((a, b) -> compareWithinRank(a.getKey(), b.getKey()));

    private static int rank(Object key) {
        return key instanceof Number ? 0 : key instanceof CharSequence ? 1 : key instanceof Boolean ? 2 : 3;
    }

    private static int compareWithinRank(Object a, Object b) {
        if (a instanceof Number && b instanceof Number) {
            return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
        }
        if (a instanceof CharSequence && b instanceof CharSequence) {
            return a.toString().compareTo(b.toString());
        }
        if (a instanceof Boolean && b instanceof Boolean) {
            return Boolean.compare((Boolean) a, (Boolean) b);
        }
        return 0;   // a stable sort keeps the table's own order
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || RESERVED.contains(s) || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        return s.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_'));
    }

    private static void quoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);   // controls are escaped by SafeText afterwards, the way Lua reads them (\n, \r, \t)
        }
        sb.append('"');
    }
}
