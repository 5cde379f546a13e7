package org.scriptbox.fleet.internal;

/** Text from the network shown in answers and logs: bounded and without control characters. */
final class Texts {
    private static final int MAX = 80;

    private Texts() {
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > MAX ? b + "..." : b.toString();
    }
}
