package org.scriptbox.fleet.internal;

import org.scriptbox.api.text.SafeText;

/**
 * Text from the network shown in answers, logs and the shell: bounded, and escaped as the container's
 * {@link SafeText} does (C0/C1 controls, ANSI escapes, BIDI overrides, line separators), so nothing a
 * broker client publishes can end a log line or steer an operator's terminal.
 */
final class Texts {
    private static final int MAX = 80;

    private Texts() {
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > MAX ? s.substring(0, Character.isHighSurrogate(s.charAt(MAX - 1)) ? MAX - 1 : MAX) : s;
        return SafeText.line(cut) + (s.length() > MAX ? "..." : "");
    }

    /** A longer sentence of a gateway's answer (a refusal's message): one line, at most ~500 characters. */
    static String sentence(String s) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > 500 ? s.substring(0, 500) + "..." : s;
        return SafeText.line(cut);
    }
}
