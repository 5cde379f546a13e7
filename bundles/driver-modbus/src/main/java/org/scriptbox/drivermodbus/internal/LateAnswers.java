package org.scriptbox.drivermodbus.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The units and function codes of one RTU line (a serial bus, or a gateway) whose last request timed out, so that
 * an answer to it may still arrive and could pass for the next answer of the same shape: only an answer from the
 * same unit for the same function can (an answer, or an exception, names its function). One per line, shared by
 * every device on it: a late answer of a slave reaches whichever device reads the line next. Thread-safe.
 */
final class LateAnswers {
    private final Set<Integer> keys = ConcurrentHashMap.newKeySet();

    void mark(int unit, int function) {
        keys.add(unit << 8 | function);
    }

    boolean possible(int unit, int function) {
        return keys.contains(unit << 8 | function);
    }

    /** The line was silent for the quiet time: no late answer is on its way any more. */
    void lineQuiet() {
        keys.clear();
    }
}
