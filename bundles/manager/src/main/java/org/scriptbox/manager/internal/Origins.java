package org.scriptbox.manager.internal;

import java.util.Objects;

/**
 * Whether two deploys of a script come from the same source. An origin is a file path (folder, import)
 * or {@code bundle:SYMBOLIC-NAME/VERSION!/entry} (script bundles); a bundle updated to a new version is
 * still the same source, so bundles compare by symbolic name and entry only.
 */
final class Origins {
    private Origins() {
    }

    static boolean sameSource(String a, String b) {
        return a == null || b == null || Objects.equals(source(a), source(b));
    }

    private static String source(String origin) {
        if (!origin.startsWith("bundle:")) {
            return origin;
        }
        int slash = origin.indexOf('/', "bundle:".length());
        int entry = origin.indexOf("!/");
        if (slash < 0 || entry < slash) {
            return origin;
        }
        return origin.substring(0, slash) + origin.substring(entry);
    }
}
