package org.scriptbox.drivermodbus.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The units of one RTU line (a serial bus, or a gateway) whose last request timed out, so that an answer from
 * them may still arrive and could pass for the next answer of the same shape from that unit. One per line,
 * shared by every device on it: a late answer of a slave reaches whichever device reads the line next.
 * Thread-safe.
 */
final class LateAnswers {
    private final Set<Integer> units = ConcurrentHashMap.newKeySet();

    void possible(int unit, boolean possible) {
        if (possible) {
            units.add(unit);
        } else {
            units.remove(unit);
        }
    }

    boolean possible(int unit) {
        return units.contains(unit);
    }

    /** The line was silent for the quiet time: no late answer is on its way any more. */
    void lineQuiet() {
        units.clear();
    }
}
