package org.scriptbox.devices.internal;

import org.scriptbox.api.text.SafeText;

/**
 * Script-chosen text (ids, names) made safe for one log line: clipped to {@value #MAX} characters (never
 * inside a surrogate pair), then escaped by the one sanitiser, {@link SafeText}, so BIDI, zero-width and
 * other format characters are escaped here as on every other path.
 */
final class LogText {
    static final int MAX = 200;

    private LogText() {
    }

    static String clean(String text) {
        if (text == null) {
            return "null";
        }
        if (text.length() <= MAX) {
            return SafeText.line(text);
        }
        int end = Character.isHighSurrogate(text.charAt(MAX - 1)) ? MAX - 1 : MAX;
        return SafeText.line(text.substring(0, end)) + "...";
    }
}
