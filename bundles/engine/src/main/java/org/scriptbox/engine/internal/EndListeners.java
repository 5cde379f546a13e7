package org.scriptbox.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.scriptbox.api.ErrorKind;
import org.scriptbox.api.ExecutionResult;
import org.scriptbox.api.ScriptStatus;
import org.scriptbox.api.engine.ExecutionEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ExecutionScope.onEnd} listeners of one execution: each registered once (by identity), all
 * told once when it has ended. Registration may come from a coroutine thread, or from a scope kept past
 * the end (then the listener is told at once).
 */
final class EndListeners {
    private static final Logger LOG = LoggerFactory.getLogger(EndListeners.class);

    private final List<Consumer<ExecutionEnd>> listeners = new ArrayList<>(2);
    private ExecutionEnd end;

    void add(Consumer<ExecutionEnd> listener) {
        if (listener == null) {
            return;
        }
        ExecutionEnd ended;
        synchronized (this) {
            ended = end;
            if (ended == null) {
                for (Consumer<ExecutionEnd> l : listeners) {
                    if (l == listener) {
                        return;
                    }
                }
                listeners.add(listener);
                return;
            }
        }
        tell(listener, ended);
    }

    /** Tells every listener, once; later calls do nothing. */
    void fire(ExecutionEnd ended) {
        List<Consumer<ExecutionEnd>> toTell;
        synchronized (this) {
            if (end != null) {
                return;
            }
            end = ended;
            toTell = List.copyOf(listeners);
            listeners.clear();
        }
        for (Consumer<ExecutionEnd> l : toTell) {
            tell(l, ended);
        }
    }

    private static void tell(Consumer<ExecutionEnd> listener, ExecutionEnd ended) {
        try {
            listener.accept(ended);
        } catch (RuntimeException | LinkageError e) {
            // A library's bug: the operator sees it in the log; the execution's outcome stays as it is.
            LOG.warn("an end-of-execution listener failed for {} ({})", ended.scriptName(), ended.executionId(), e);
        }
    }

    /** How a result ended, in the words of {@link ExecutionEnd} (and of the on_stop hook's argument). */
    static ExecutionEnd endOf(ExecutionResult r) {
        String detail = r.error() == null ? "" : r.error().message();
        return new ExecutionEnd(r.executionId(), r.scriptName(), r.status(), reasonOf(r), detail);
    }

    static String reasonOf(ExecutionResult r) {
        return reasonOf(r.status(), r.error() == null ? null : r.error().kind());
    }

    static String reasonOf(ScriptStatus status, ErrorKind kind) {
        switch (status) {
            case COMPLETED:
                return ExecutionEnd.COMPLETED;
            case CANCELLED:
                return ExecutionEnd.CANCELLED;
            case TIMEOUT:
                return ExecutionEnd.TIMEOUT;
            default:
                return kind == ErrorKind.LIMIT ? ExecutionEnd.LIMIT : ExecutionEnd.ERROR;
        }
    }
}
