package org.scriptbox.engine.internal;

import java.util.Map;
import java.util.Set;

/**
 * The base cost of one call of each library function, in instructions: about its fixed CPU cost
 * divided by that of one VM instruction (measured by the library-CPU benchmark, docs/performance.md).
 * Work that grows with the arguments is charged on top, inside the functions' loops.
 */
final class LibraryCosts {
    /** Any function not listed: a Java call costs a few VM instructions. */
    static final int DEFAULT = 2;

    private static final Map<String, Integer> COSTS = Map.ofEntries(
            Map.entry("tostring", 8),
            Map.entry("tonumber", 4),
            Map.entry("select", 6),
            Map.entry("setmetatable", 6),
            Map.entry("rawget", 4),
            Map.entry("rawset", 4),
            Map.entry("table.pack", 8),
            Map.entry("math.random", 4),
            Map.entry("string.format", 8),
            Map.entry("os.date", 80),
            Map.entry("os.time", 100),
            Map.entry("load", 50),
            // A coroutine runs on a Java thread of its own: starting one, and every switch between
            // threads (resume and the yield that answers it), costs what thousands of instructions do.
            Map.entry("coroutine.create", 2000),
            Map.entry("coroutine.wrap", 2000),
            Map.entry("coroutine.resume", 400),
            Map.entry("coroutine.yield", 400));

    private LibraryCosts() {
    }

    /** Functions that look at every byte of the string they return (case maps, reversal): 1 per 2 bytes. */
    private static final Set<String> PER_BYTE_WORK = Set.of("string.upper", "string.lower", "string.reverse");

    /** Per call of an iterator that {@code pairs}, {@code ipairs} or {@code string.gmatch} returned. */
    static final int ITERATOR_STEP = 4;

    /** Functions whose first result is an iterator function (called once per step of a {@code for}). */
    private static final Set<String> ITERATORS = Set.of("pairs", "ipairs", "string.gmatch");

    static int baseCost(String name) {
        return COSTS.getOrDefault(name, DEFAULT);
    }

    static int resultBytesPerUnit(String name) {
        return PER_BYTE_WORK.contains(name) ? 2 : LibraryCall.BYTES_PER_UNIT;
    }

    static boolean returnsIterator(String name) {
        return ITERATORS.contains(name);
    }
}
