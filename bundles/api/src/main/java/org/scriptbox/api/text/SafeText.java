package org.scriptbox.api.text;

/**
 * The one sanitiser for every place where script-provided text (print and log lines, error messages,
 * results, metadata fields, file names) meets an operator: the container log and every shell command's
 * output. A script must not be able to start a line of its own (a forged timestamp, level and logger)
 * or send a terminal an escape sequence (clear the screen, draw a prompt, retitle the window).
 *
 * <p>Every code point that is not plain printable text becomes a visible escape: C0 controls (including
 * CR, LF, TAB and ESC), DEL, the C1 controls U+0080..U+009F (U+009B is a one-byte CSI), Unicode format
 * characters (BIDI overrides and isolates, zero-width characters, the BOM), the line and paragraph
 * separators and lone surrogates. CR, LF and TAB read {@code \r}, {@code \n} and {@code \t}; the others
 * {@code \}{@code u} and four hex digits. Escaping is not reversible on purpose (a backslash stays as it
 * is, so Windows paths read normally): the guarantee is that the output holds no control character.
 */
public final class SafeText {
    private SafeText() {
    }

    /** One line: nothing in {@code text} can end it or reach a terminal as a control. {@code null} stays {@code null}. */
    public static String line(String text) {
        return escape(text, false);
    }

    /**
     * Several lines (a traceback, a whole command output): line feeds stay line feeds, everything else
     * is escaped as in {@link #line}. Use it only where the line structure is the container's own.
     */
    public static String lines(String text) {
        return escape(text, true);
    }

    /** Whether {@code line(text)} would change {@code text}. */
    public static boolean needsEscaping(String text) {
        return text != null && firstUnsafe(text, false) >= 0;
    }

    private static String escape(String text, boolean keepLineFeeds) {
        if (text == null) {
            return null;
        }
        int first = firstUnsafe(text, keepLineFeeds);
        if (first < 0) {
            return text; // the common case allocates nothing
        }
        StringBuilder sb = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (!unsafe(cp) || keepLineFeeds && cp == '\n') {
                sb.appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else {
                sb.append(String.format("\\u%04x", cp));
            }
            i += n;
        }
        return sb.toString();
    }

    private static int firstUnsafe(String text, boolean keepLineFeeds) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (unsafe(cp) && !(keepLineFeeds && cp == '\n')) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** A lone surrogate comes out of {@code codePointAt} as itself, so it is caught by its type. */
    private static boolean unsafe(int cp) {
        if (cp >= 0x20 && cp < 0x7f) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:             // C0, DEL, C1
            case Character.FORMAT:              // BIDI embeddings/overrides/isolates, ZWJ/ZWNJ, BOM, soft hyphen
            case Character.LINE_SEPARATOR:      // U+2028
            case Character.PARAGRAPH_SEPARATOR: // U+2029
            case Character.SURROGATE:           // only lone ones get here
            case Character.UNASSIGNED:          // e.g. noncharacters U+FFFE/U+FFFF
                return true;
            default:
                return false;
        }
    }
}
