package org.scriptbox.manager.internal;

import java.util.List;
import java.util.Map;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ScriptError;

/**
 * A run's arguments against the script's string-length limit, before the run is queued: a string over it (also a
 * key or value inside a table) refuses the run with one sentence naming the limit, for every caller alike (the
 * shell's {@code script:run}, REST, the web console, fleet). The engine would hold such a string to the limit too
 * (red team C6), but only as a FAILED run, counted in the script's statistics, after queueing behind other runs.
 */
final class ArgumentStrings {
    /** Deeper tables are the engine's to refuse (its own depth limit); nothing here walks them. */
    private static final int MAX_DEPTH = 64;
    /**
     * Values looked at, at most: a Java caller's arguments may share one list many times over (a list holding the
     * same list twice, 64 deep, is 2^64 visits); past this the engine's own conversion limits hold.
     */
    private static final int MAX_VISITS = 100_000;

    private ArgumentStrings() {
    }

    /** The refusal, or null when every string fits. */
    static ScriptError overLimit(String script, List<Object> args, int maxStringLength) {
        if (args == null) {
            return null;
        }
        int[] visits = {0};
        for (int i = 0; i < args.size(); i++) {
            long longest = longest(args.get(i), maxStringLength, 0, visits);
            if (longest > maxStringLength) {
                String what = args.get(i) instanceof CharSequence ? " has " : " holds a string of ";
                return ScriptError.of(ErrorKind.LIMIT, "argument " + (i + 1) + what + longest
                        + " characters, over the string length limit of " + maxStringLength + " of script '" + script + "'");
            }
        }
        return null;
    }

    /** The length of the first string over the limit in {@code value}, else 0. */
    private static long longest(Object value, int max, int depth, int[] visits) {
        if (++visits[0] > MAX_VISITS) {
            return 0;
        }
        if (value instanceof CharSequence s) {
            return s.length() > max ? s.length() : 0;
        }
        if (depth >= MAX_DEPTH) {
            return 0;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                long over = Math.max(longest(e.getKey(), max, depth + 1, visits), longest(e.getValue(), max, depth + 1, visits));
                if (over > 0) {
                    return over;
                }
            }
        } else if (value instanceof Iterable<?> list) {
            for (Object o : list) {
                long over = longest(o, max, depth + 1, visits);
                if (over > 0) {
                    return over;
                }
            }
        } else if (value instanceof Object[] array) {
            for (Object o : array) {
                long over = longest(o, max, depth + 1, visits);
                if (over > 0) {
                    return over;
                }
            }
        }
        return 0;
    }
}
