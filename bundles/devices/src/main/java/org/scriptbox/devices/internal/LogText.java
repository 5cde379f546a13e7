package org.scriptbox.devices.internal;

/** Script-chosen text (ids, names) made safe for one log line: control characters shown as escapes, length capped. */
final class LogText {
    private static final int MAX = 200;

    private LogText() {
    }

    static String clean(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX) + 8);
        int i = 0;
        for (; i < text.length() && i < MAX; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < text.length() ? out.append("...").toString() : out.toString();
    }
}
