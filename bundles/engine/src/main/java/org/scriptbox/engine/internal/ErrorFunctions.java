package org.scriptbox.engine.internal;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.scriptbox.engine.vm.EngineTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.scriptbox.engine.errors.LeveledError;

/**
 * {@code error}, {@code assert} and {@code debug.traceback} as Lua 5.4 has them: {@code error(msg, level)}
 * honours its level ({@link LeveledError}); a value that is not a string is raised as it is; the debug
 * library is only its {@code traceback}, which reads nothing but the error being handled.
 */
final class ErrorFunctions {
    /** Instructions charged per traceback call, and bytes of its text per further instruction. */
    static final int TRACEBACK_COST = 20;
    static final int TRACEBACK_BYTES_PER_UNIT = 16;

    private ErrorFunctions() {
    }

    /**
     * The error an xpcall handler is running for (null outside handlers), per execution and per coroutine: each
     * coroutine is a Java thread, and a handler suspended in one must not lend its frames to {@code debug.traceback}
     * in another (red team E19: the main thread listed a coroutine's frames).
     */
    static final class Handling {
        private final ThreadLocal<LuaError> current = new ThreadLocal<>();

        LuaError current() {
            return current.get();
        }

        /** The handler for {@code e} starts on this thread; returns the error handled before it (to {@link #leave}). */
        LuaError enter(LuaError e) {
            LuaError outer = current.get();
            current.set(e);
            return outer;
        }

        void leave(LuaError outer) {
            if (outer == null) {
                current.remove(); // execution threads are pooled: leave nothing behind
            } else {
                current.set(outer);
            }
        }
    }

    static void install(LuaValue g, Handling handling) {
        g.set("error", new Error());
        g.set("assert", new Assert());
        LuaTable debug = new EngineTable();
        debug.set("traceback", new Traceback(handling));
        g.set("debug", debug);
    }

    /** {@code error([value [, level]])}. */
    static final class Error extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            throw LeveledError.of(args.arg1(), args.optint(2, 1));
        }
    }

    /** {@code assert(v [, message, ...])}: all its arguments if v is true; else error(message, 1). */
    static final class Assert extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = args.checkvalue(1);
            if (v.toboolean()) {
                return args;
            }
            LuaValue message = args.narg() >= 2 && !args.arg(2).isnil() ? args.arg(2) : valueOf("assertion failed!");
            throw LeveledError.of(message, 1);
        }
    }

    /**
     * {@code debug.traceback([message [, level]])}: {@code message} (a value that is not a string or nil
     * comes back as it is) and the frames of the error being handled, when called in an xpcall handler.
     * scriptbox keeps no call stack while code runs, so elsewhere it lists no frames and says so.
     */
    static final class Traceback extends VarArgFunction {
        private final Handling handling;

        Traceback(Handling handling) {
            this.handling = handling;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue message = args.arg1();
            if (!message.isnil() && !message.isstring()) {
                return message;
            }
            LuaError e = handling.current();
            String frames = e != null ? ErrorMessages.frames(e) : null;
            String text = (message.isnil() ? "" : message.tojstring() + "\n") + "stack traceback:"
                    + (frames != null ? frames : "\n\t(frames are listed only in an xpcall handler)");
            Budget budget = SafeStrings.budget();
            budget.checkStringLength(text.length());
            budget.charge(TRACEBACK_COST + text.length() / TRACEBACK_BYTES_PER_UNIT);
            return valueOf(text);
        }
    }
}
