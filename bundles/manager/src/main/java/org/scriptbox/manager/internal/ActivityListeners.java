package org.scriptbox.manager.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptActivityListener;
import org.scriptbox.api.ScriptLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard {@link ScriptActivityListener}s: told every log line and every finished execution on the
 * thread that has them. A listener that throws is skipped, logged once (a log line per line would feed itself).
 */
final class ActivityListeners {
    private static final Logger LOG = LoggerFactory.getLogger("org.scriptbox.manager");
    private final CopyOnWriteArrayList<ScriptActivityListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<ScriptActivityListener> warned = ConcurrentHashMap.newKeySet();

    void add(ScriptActivityListener l) {
        listeners.addIfAbsent(l);
    }

    void remove(ScriptActivityListener l) {
        listeners.remove(l);
        warned.remove(l);
    }

    void logged(ScriptLogEntry entry) {
        for (ScriptActivityListener l : listeners) {
            try {
                l.logged(entry);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    void finished(ExecutionResult result) {
        for (ScriptActivityListener l : listeners) {
            try {
                l.executionFinished(result);
            } catch (RuntimeException e) {
                failed(l, e);
            }
        }
    }

    private void failed(ScriptActivityListener l, RuntimeException e) {
        if (warned.add(l)) {
            LOG.warn("activity listener {} failed (told once; it is still called)", l.getClass().getName(), e);
        }
    }
}
