package org.scriptbox.manager.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.scriptbox.api.ScriptLogEntry;

/** The latest lines of one script, for {@code script:logs}; older lines fall off. Thread-safe. */
final class LogBuffer {
    private final ArrayDeque<ScriptLogEntry> lines = new ArrayDeque<>();

    synchronized void add(ScriptLogEntry entry, int capacity) {
        lines.addLast(entry);
        while (lines.size() > capacity) {
            lines.removeFirst();
        }
    }

    /** At most {@code max} newest lines, oldest first. */
    synchronized List<ScriptLogEntry> latest(int max) {
        List<ScriptLogEntry> all = new ArrayList<>(lines);
        return all.subList(Math.max(0, all.size() - max), all.size());
    }
}
