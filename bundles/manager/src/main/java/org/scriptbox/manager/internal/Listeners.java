package org.scriptbox.manager.internal;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.scriptbox.api.ScriptEvent;
import org.scriptbox.api.ScriptListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard {@link ScriptListener}s. Events are fired outside the manager's lock, and a listener
 * that throws is logged and skipped: one faulty listener must not keep the others from hearing.
 */
final class Listeners {
    /** The manager's logger, so that operators' log filters and grep patterns keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ScriptManagerImpl.class);

    private final List<ScriptListener> listeners = new CopyOnWriteArrayList<>();

    /** A late listener first hears DEPLOYED for every script that is already runnable, then about changes. */
    void add(ScriptListener listener, Collection<ScriptEntry> entries) {
        listeners.add(listener);
        for (ScriptEntry e : entries) {
            if (e.resolved()) {
                notify(listener, new ScriptEvent(ScriptEvent.Type.DEPLOYED, e.info()));
            }
        }
    }

    void remove(ScriptListener listener) {
        listeners.remove(listener);
    }

    void fire(List<ScriptEvent> events) {
        for (ScriptEvent event : events) {
            for (ScriptListener l : listeners) {
                notify(l, event);
            }
        }
    }

    private static void notify(ScriptListener l, ScriptEvent event) {
        try {
            l.scriptChanged(event);
        } catch (RuntimeException e) {
            LOG.warn("script listener {} failed on {} of '{}'", l, event.type(), event.script().name(), e);
        }
    }
}
