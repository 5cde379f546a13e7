package org.scriptbox.manager.internal;

import java.util.List;
import java.util.Map;

import org.scriptbox.api.text.SafeText;

/**
 * Host-call arguments and results as Lua would write them ({@code ("motor1", 25, {mode = "fast"})}), bounded:
 * the walk stops as soon as {@code max} characters are written, so a table of a million entries or a
 * megabyte string costs no more than a short one. The text is one safe line ({@link SafeText#line}).
 */
final class TraceText {
    private static final int MAX_DEPTH = 4;

    private TraceText() {
    }

    /** {@code (a, b, c)}. */
    static String arguments(List<?> args, int max) {
        Out out = new Out(max);
        out.add("(");
        for (int i = 0; i < args.size() && !out.full(); i++) {
            if (i > 0) {
                out.add(", ");
            }
            value(out, args.get(i), 0);
        }
        out.add(")");
        return out.text();
    }

    /** One value; several ({@code Object[]}) separated by commas; nothing returned is {@code nil}. */
    static String result(Object result, int max) {
        Out out = new Out(max);
        if (result instanceof Object[] values) {
            if (values.length == 0) {
                out.add("nil");
            }
            for (int i = 0; i < values.length && !out.full(); i++) {
                if (i > 0) {
                    out.add(", ");
                }
                value(out, values[i], 0);
            }
        } else {
            value(out, result, 0);
        }
        return out.text();
    }

    /** Values a run returned, as {@code result} writes them. */
    static String values(List<Object> values, int max) {
        return values.isEmpty() ? "" : result(values.toArray(), max);
    }

    /** Any text, cut to {@code max} characters and made one safe line. */
    static String cut(String text, int max) {
        Out out = new Out(max);
        out.add(text == null ? "" : text);
        return out.text();
    }

    private static void value(Out out, Object v, int depth) {
        if (v == null) {
            out.add("nil");
        } else if (v instanceof String s) {
            out.add("\"");
            out.add(s.length() > out.room() ? s.substring(0, Math.max(0, out.room())) : s, true);
            out.add("\"");
        } else if (v instanceof Double d) {
            out.add(number(d));
        } else if (v instanceof Number n) {
            out.add(number(n.doubleValue()));
        } else if (v instanceof Boolean b) {
            out.add(b.toString());
        } else if (v instanceof Map<?, ?> m) {
            if (depth >= MAX_DEPTH) {
                out.add("{...}");
                return;
            }
            out.add("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (out.full()) {
                    break;
                }
                if (!first) {
                    out.add(", ");
                }
                first = false;
                Object k = e.getKey();
                if (k instanceof String s && isName(s)) {
                    out.add(s);
                } else {
                    out.add("[");
                    value(out, k, depth + 1);
                    out.add("]");
                }
                out.add(" = ");
                value(out, e.getValue(), depth + 1);
            }
            out.add("}");
        } else if (v instanceof List<?> l) {
            if (depth >= MAX_DEPTH) {
                out.add("{...}");
                return;
            }
            out.add("{");
            for (int i = 0; i < l.size() && !out.full(); i++) {
                if (i > 0) {
                    out.add(", ");
                }
                value(out, l.get(i), depth + 1);
            }
            out.add("}");
        } else {
            out.add("<" + v.getClass().getSimpleName() + ">");
        }
    }

    static String number(double d) {
        return org.scriptbox.api.text.LuaNumbers.format(d);
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || s.length() > 64 || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '_'))) {
                return false;
            }
        }
        return true;
    }

    /** A bounded builder: past {@code max} it only remembers that something was left out. */
    private static final class Out {
        private final StringBuilder sb = new StringBuilder();
        private final int max;
        private boolean cut;

        Out(int max) {
            this.max = max;
        }

        int room() {
            return max - sb.length();
        }

        boolean full() {
            return cut || sb.length() >= max;
        }

        void add(String s) {
            add(s, false);
        }

        void add(String s, boolean quoted) {
            if (cut) {
                return;
            }
            String safe = SafeText.line(quoted ? s.replace("\\", "\\\\").replace("\"", "\\\"") : s);
            if (safe.length() > room()) {
                int end = Math.max(0, room());
                if (end > 0 && Character.isHighSurrogate(safe.charAt(end - 1))) {
                    end--;
                }
                sb.append(safe, 0, end);
                cut = true;
            } else {
                sb.append(safe);
            }
        }

        String text() {
            return cut ? sb + "..." : sb.toString();
        }
    }
}
