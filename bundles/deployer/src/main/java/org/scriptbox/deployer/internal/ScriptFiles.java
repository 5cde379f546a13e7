package org.scriptbox.deployer.internal;

import java.util.Locale;

/** Which files in the deploy folder are scripts: {@code name.lua} and {@code name.toml}, never editor leftovers. */
final class ScriptFiles {
    static final String LUA = ".lua";
    static final String TOML = ".toml";
    /** Statistics written by {@code script:export --stats}: not metadata of a script called "x.stats". */
    static final String STATS = ".stats.toml";

    private ScriptFiles() {
    }

    /** A script's tests ({@code script:test}): {@code x_test.lua} beside {@code x.lua}, never deployed. */
    static final String TESTS = "_test";

    /**
     * True for {@code x.lua} and {@code x.toml}; false for hidden, backup, swap, lock and statistics files, and for
     * a script's tests ({@code x_test.lua}): those run with {@code script:test} on mock devices, never live.
     */
    static boolean isScriptFile(String fileName) {
        if (fileName == null || fileName.isEmpty()) {
            return false;
        }
        String lower = fileName.toLowerCase(Locale.ROOT);
        // vim .x.swp, emacs .#x and #x#, hidden files, x~ backups
        if (lower.startsWith(".") || lower.startsWith("#") || lower.contains("~")) {
            return false;
        }
        if (lower.endsWith(STATS) || lower.endsWith(TESTS + LUA) || lower.endsWith(TESTS + TOML)) {
            return false;
        }
        return (lower.endsWith(LUA) && fileName.length() > LUA.length())
                || (lower.endsWith(TOML) && fileName.length() > TOML.length());
    }

    /**
     * Why a script name is reserved, or null. {@code x.stats} would own {@code x.stats.toml}, which is where the
     * statistics of {@code x} go (export, the manager's data area): its metadata would never be read.
     */
    static String reservedNameProblem(String name) {
        if (name.toLowerCase(Locale.ROOT).endsWith(".stats")) {
            return "the script name \"" + name + "\" ends in \".stats\", which is reserved for statistics files"
                    + " (" + name + TOML + " holds the statistics of \"" + name.substring(0, name.length() - 6) + "\"); rename the script";
        }
        return null;
    }

    /**
     * Why a name cannot be written into the folder, or null: {@code x_test.lua} is {@code x}'s tests, never deployed from
     * the folder, so a script of that name written there would be live only until the next restart (FINDINGS Q38).
     */
    static String testsNameProblem(String name) {
        if (name.toLowerCase(Locale.ROOT).endsWith(TESTS)) {
            return "the script name \"" + name + "\" ends in \"" + TESTS + "\", which the deploy folder keeps for a script's"
                    + " tests (" + name + LUA + " is never deployed from it, so it would be gone at the next restart); rename the script";
        }
        return null;
    }

    /** {@code blink} for {@code blink.lua} or {@code blink.toml}. */
    static String baseName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? fileName : fileName.substring(0, dot);
    }

    static boolean isLua(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(LUA);
    }
}
