package org.scriptbox.manager.internal;

import java.util.regex.Pattern;

/** What a script name may look like: it becomes a file name and a shell argument, so keep it plain. */
final class ScriptNames {
    static final String RULE = "(letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64)";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private ScriptNames() {
    }

    static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
