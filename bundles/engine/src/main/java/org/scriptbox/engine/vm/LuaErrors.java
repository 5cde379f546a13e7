package org.scriptbox.engine.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.luaj.vm2.LuaError;

/**
 * The position and the traceback of a {@link LuaError}, which Luaj keeps in protected fields that only its
 * own interpreter (in its own package) sets. The engine's interpreter and compiled code live in the engine's
 * packages, so they set them through these handles instead of shadowing a Luaj class. Luaj is embedded in
 * the engine bundle (one class loader, one unnamed module), so the private lookup is always allowed; it runs
 * on the error path only.
 */
final class LuaErrors {
    private static final VarHandle FILELINE;
    private static final VarHandle TRACEBACK;

    static {
        try {
            MethodHandles.Lookup luaj = MethodHandles.privateLookupIn(LuaError.class, MethodHandles.lookup());
            FILELINE = luaj.findVarHandle(LuaError.class, "fileline", String.class);
            TRACEBACK = luaj.findVarHandle(LuaError.class, "traceback", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LuaErrors() {
    }

    /** {@code chunk:line} that {@link LuaError#getMessage()} puts before the message. */
    static void fileline(LuaError e, String fileline) {
        FILELINE.set(e, fileline);
    }

    /** The whole text {@link LuaError#getMessage()} returns once set (message and traceback), or null. */
    static String traceback(LuaError e) {
        return (String) TRACEBACK.get(e);
    }

    static void traceback(LuaError e, String traceback) {
        TRACEBACK.set(e, traceback);
    }
}
