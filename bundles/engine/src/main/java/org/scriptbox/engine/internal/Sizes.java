package org.scriptbox.engine.internal;

import java.util.Locale;

/** Byte counts as people read them in messages: {@code 812 bytes}, {@code 12.3 KB}, {@code 50.0 MB} (1 KB = 1024 bytes). */
final class Sizes {
    private Sizes() {
    }

    static String readable(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
