package org.scriptbox.engine.internal;

import java.util.Map;

/**
 * The base cost of one call of each library function, in instructions: about its fixed CPU cost
 * divided by that of one VM instruction (measured by the library-CPU benchmark, docs/performance.md).
 * Work that grows with the arguments is charged on top, inside the functions' loops.
 */
final class LibraryCosts {
    /** Any function not listed: a Java call costs a few VM instructions. */
    static final int DEFAULT = 2;

    private static final Map<String, Integer> COSTS = Map.ofEntries(
            Map.entry("tostring", 4),
            Map.entry("tonumber", 4),
            Map.entry("string.format", 8),
            Map.entry("os.date", 40),
            Map.entry("os.time", 20),
            Map.entry("load", 50),
            Map.entry("setmetatable", 3),
            // A coroutine runs on a Java thread of its own: starting one, and every switch between
            // threads (resume and the yield that answers it), costs what thousands of instructions do.
            Map.entry("coroutine.create", 200),
            Map.entry("coroutine.wrap", 200),
            Map.entry("coroutine.resume", 400),
            Map.entry("coroutine.yield", 400));

    private LibraryCosts() {
    }

    static int baseCost(String name) {
        return COSTS.getOrDefault(name, DEFAULT);
    }
}
