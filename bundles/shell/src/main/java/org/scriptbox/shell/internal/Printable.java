package org.scriptbox.shell.internal;

/**
 * Script text made safe for a terminal: control characters (C0 but tab, DEL, C1), bidi overrides and lone
 * surrogates become {@code \\uXXXX}, so a script's source shown by script:diff cannot move the cursor,
 * retitle the terminal or reorder what the operator reads.
 */
final class Printable {
    private Printable() {
    }

    static String of(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairedSurrogate) {
                sb.append(c).append(text.charAt(++i));
            } else if ((c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
