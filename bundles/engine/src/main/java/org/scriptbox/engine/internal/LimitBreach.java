package org.scriptbox.engine.internal;

import org.luaj.vm2.Prototype;
import org.scriptbox.api.ErrorKind;
import org.scriptbox.engine.vm.Meter;

/**
 * Ends an execution: a broken limit, the deadline, or a cancel. It is a {@link Error}, not a
 * {@code LuaError}, because Luaj's {@code pcall}, {@code xpcall} and closures catch only
 * {@code LuaError} and {@code Exception}: a script cannot catch it. Once thrown, the budget keeps
 * throwing it at every later check, so a script that swallows it inside a coroutine does not get far.
 *
 * <p>Its position and traceback are those of the interpreter frames it first unwinds through (each knows
 * its pc); it is frozen when it leaves the coroutine it broke in, or the execution.
 */
final class LimitBreach extends Error {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private String file;
    private int line;
    private final StringBuilder traceback = new StringBuilder();
    private int frames;
    private boolean frozen;

    LimitBreach(ErrorKind kind, String message) {
        // No Java stack trace: it is never shown and it would cost time at every rethrow.
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The breach passes through the interpreter frame of {@code p} at {@code pc}. */
    synchronized void passedFrame(Prototype p, int pc) {
        if (frozen) {
            return;
        }
        if (file == null) {
            file = p.source == null ? "?" : p.source.tojstring();
            line = Meter.line(p, pc);
        }
        if (frames < Meter.TRACEBACK_FRAMES) {
            traceback.append(Meter.frameLine(p, pc));
        } else if (frames == Meter.TRACEBACK_FRAMES) {
            traceback.append("\n\t...");
        }
        frames++;
    }

    /** No further frames belong to where it broke. */
    synchronized void freeze() {
        frozen = true;
    }

    ErrorKind kind() {
        return kind;
    }

    synchronized String file() {
        return file;
    }

    synchronized int line() {
        return line;
    }

    synchronized String traceback() {
        return traceback.toString();
    }
}
